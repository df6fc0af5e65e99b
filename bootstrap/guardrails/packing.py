"""Pack the guardrails chosen for each target (the Root, or an OU) into the fewest policies within the quotas.

Guardrails are packed per target and per policy type: service control policies (SCPs) and resource control
policies (RCPs) have quotas of their own, and each type's reserved attachments (FullAWSAccess,
RCPFullAWSAccess) take a slot on every target, the Root included.

Size is what AWS counts: the characters of the document as uploaded, which is minified JSON, with the live
organization id (a reference until apply) counted at its longest. Packing is first-fit decreasing over
whole guardrails (a guardrail's statements never straddle two policies), then normalised so the result
depends only on the inputs: policies are ordered by their first guardrail id and statements by guardrail id.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bootstrap.guardrails.library import RCP, SCP, Statement, load_library
from bootstrap.guardrails.parameters import LONGEST_ORGANIZATION_ID, ORGANIZATION_ID_REF, render_guardrail
from bootstrap.spec.model import ROOT, LandingZoneSpec

VERSION = "2012-10-17"
RCP_MAX_CHARS = 5120
RCPS_PER_TARGET = 5
RCP_RESERVED = 1
"""AWS's RCP quotas: 5,120 characters, 5 per root, OU or account, of which the AWS-managed RCPFullAWSAccess,
attached to every target when RCPs are enabled and never detachable, takes one."""
AI_OPT_OUT = "AISERVICES_OPT_OUT_POLICY"
AI_OPT_OUT_PER_TARGET = 5
PER_TARGET_LIMITS = {RCP: RCPS_PER_TARGET, AI_OPT_OUT: AI_OPT_OUT_PER_TARGET}
"""Attachments per target of the policy types whose quota the spec does not set (SCPs: policy_limits)."""
SHORT_NAMES = {SCP: "SCP", RCP: "RCP", AI_OPT_OUT: "AI services opt-out policy"}


def minify(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"))


_REFERENCE = minify(ORGANIZATION_ID_REF)
_LONGEST = json.dumps(LONGEST_ORGANIZATION_ID)


def measure(document: dict[str, Any]) -> int:
    """The characters AWS will count for `document`, whatever the organization's id turns out to be: each
    reference to the id, minified, counted as the longest id instead (what `with_organization_id` would give:
    measured without copying the document, as packing measures every candidate bin)."""
    text = minify(document)
    return len(text) + text.count(_REFERENCE) * (len(_LONGEST) - len(_REFERENCE))


@dataclass(frozen=True)
class PackedPolicy:
    """One SCP or RCP the toolkit owns: the guardrails it carries and its final document."""

    name: str
    ou_path: str
    """The target: an OU path, or `Root` for the organization root."""
    guardrail_ids: tuple[str, ...]
    document: dict[str, Any]
    policy_type: str = SCP
    max_chars: int = 5120

    @property
    def size(self) -> int:
        return measure(self.document)

    @property
    def at_root(self) -> bool:
        return self.ou_path == ROOT


class PackingError(ValueError):
    """The guardrails of one target cannot fit the quotas; `ou_path` and `fix` say where and what to do."""

    def __init__(self, ou_path: str, message: str, fix: str) -> None:
        super().__init__(message)
        self.ou_path = ou_path
        self.fix = fix


def policy_name(org_name: str, ou_path: str, index: int, policy_type: str = SCP) -> str:
    """`<org>-<ou path>-<n>` for SCPs (`<org>-root-<n>` at the Root), `<org>-<target>-rcp-<n>` for RCPs."""
    slug = re.sub(r"[^a-z0-9]+", "-", ou_path.lower()).strip("-")
    kind = "-rcp" if policy_type == RCP else ""
    return f"{org_name}-{slug}{kind}-{index}"


def _document(statements: list[Statement]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": statements}


def _limits(spec: LandingZoneSpec, policy_type: str) -> tuple[int, int, int, str]:
    """Maximum characters, attachments per target, reserved attachments, and the setting that raises them."""
    limits = spec.organization.policy_limits
    if policy_type == RCP:
        return RCP_MAX_CHARS, RCPS_PER_TARGET, RCP_RESERVED, "AWS's RCP quota (5 per target, 5,120 characters)"
    return (
        limits.scp_max_chars,
        limits.scps_per_target,
        limits.reserved_attachments,
        "organization.policy_limits.scps_per_target / scp_max_chars",
    )


def chosen_guardrails(spec: LandingZoneSpec, target: str) -> list[str]:
    """The guardrail ids the spec attaches to `target`: the Root's, or an OU's."""
    return list(spec.organization.root_guardrails) if target == ROOT else spec.guardrails_for(target)


def pack_ou(
    spec: LandingZoneSpec, ou_path: str, *, free_slots: int | None = None, policy_type: str = SCP
) -> list[PackedPolicy]:
    """The policies of one type for one target (an OU path, or `Root`). `free_slots` overrides the spec's
    assumption of free attachment slots with a live count."""
    library = load_library()
    org = spec.organization
    max_chars, per_target, reserved, setting = _limits(spec, policy_type)
    slots = per_target - reserved if free_slots is None else free_slots
    ids = sorted({gid for gid in chosen_guardrails(spec, ou_path) if library[gid].policy_type == policy_type})
    rendered = {gid: render_guardrail(library[gid], spec) for gid in ids}
    if not rendered:
        return []
    kind = SHORT_NAMES[policy_type]
    where = "the Root" if ou_path == ROOT else f"OU {ou_path}"
    sizes = {gid: measure(_document(st)) for gid, st in rendered.items()}
    for gid, size in sizes.items():
        if size > max_chars:
            raise PackingError(
                ou_path,
                f"guardrail {gid} alone is {size:,} characters, {size - max_chars:,} over the "
                f"{max_chars:,}-character {kind} limit",
                f"Raise {setting} if your organization has the larger quota.",
            )
    bins: list[list[str]] = []
    for gid in sorted(rendered, key=lambda g: (-sizes[g], g)):
        for members in bins:
            candidate = sorted([*members, gid])
            if measure(_document([s for m in candidate for s in rendered[m]])) <= max_chars:
                members.append(gid)
                break
        else:
            bins.append([gid])
    if len(bins) > slots:
        taken = per_target - slots
        managed = "RCPFullAWSAccess" if policy_type == RCP else "FullAWSAccess"
        raise PackingError(
            ou_path,
            f"{where} needs {len(bins)} {kind}s for its guardrails but only {slots} of {per_target} attachment "
            f"slots are free ({taken} taken by policies such as {managed}): {len(bins) - slots} too many",
            f"Attach fewer guardrails to {'the Root' if ou_path == ROOT else 'this OU'} (or some to "
            f"{'an OU' if ou_path == ROOT else 'its parent OU'}), or raise {setting} if your organization has "
            "the larger quota.",
        )
    ordered = sorted(sorted(b) for b in bins)
    return [
        PackedPolicy(
            name=policy_name(org.name, ou_path, index, policy_type),
            ou_path=ou_path,
            guardrail_ids=tuple(members),
            document=_document([s for gid in members for s in rendered[gid]]),
            policy_type=policy_type,
            max_chars=max_chars,
        )
        for index, members in enumerate(ordered, start=1)
    ]


def targets(spec: LandingZoneSpec) -> list[str]:
    """Every target guardrails can be attached to: the Root first, then the OUs in path order."""
    return [ROOT, *spec.all_ou_paths()]


def pack_all(spec: LandingZoneSpec) -> list[PackedPolicy]:
    """Every SCP and RCP of the spec: the Root's, then OU by OU in path order; SCPs before RCPs."""
    return [
        policy
        for target in targets(spec)
        for policy_type in (SCP, RCP)
        for policy in pack_ou(spec, target, policy_type=policy_type)
    ]
