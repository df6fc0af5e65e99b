"""Pack the guardrails chosen for each OU into the fewest SCPs within the Organizations quotas.

Size is what AWS counts: the characters of the document as uploaded, which is minified JSON. Packing is
first-fit decreasing over whole guardrails (a guardrail's statements never straddle two policies), then
normalised so the result depends only on the inputs: policies are ordered by their first guardrail id
and statements by guardrail id.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bootstrap.guardrails.library import Statement, load_library
from bootstrap.guardrails.parameters import render_guardrail
from bootstrap.spec.model import ROOT, LandingZoneSpec

VERSION = "2012-10-17"


def minify(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"))


@dataclass(frozen=True)
class PackedPolicy:
    """One SCP the toolkit owns: the guardrails it carries and its final document."""

    name: str
    ou_path: str
    guardrail_ids: tuple[str, ...]
    document: dict[str, Any]

    @property
    def size(self) -> int:
        return len(minify(self.document))


class PackingError(ValueError):
    """The guardrails of one OU cannot fit the quotas; `ou_path` and `fix` say where and what to do."""

    def __init__(self, ou_path: str, message: str, fix: str) -> None:
        super().__init__(message)
        self.ou_path = ou_path
        self.fix = fix


def policy_name(org_name: str, ou_path: str, index: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", ou_path.lower()).strip("-")
    return f"{org_name}-{slug}-{index}"


def _document(statements: list[Statement]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": statements}


def pack_ou(spec: LandingZoneSpec, ou_path: str, *, free_slots: int | None = None) -> list[PackedPolicy]:
    """The SCPs for one OU, or for the root (`Root`). `free_slots` overrides the spec's assumption with a
    live count. The root counts its attachment slots like an OU (FullAWSAccess takes one there too)."""
    library = load_library()
    org = spec.organization
    limits = org.policy_limits
    slots = limits.scps_per_target - limits.reserved_attachments if free_slots is None else free_slots
    rendered = {gid: render_guardrail(library[gid], spec) for gid in sorted(set(spec.guardrails_for(ou_path)))}
    if not rendered:
        return []
    sizes = {gid: len(minify(_document(st))) for gid, st in rendered.items()}
    for gid, size in sizes.items():
        if size > limits.scp_max_chars:
            raise PackingError(
                ou_path,
                f"guardrail {gid} alone is {size:,} characters, {size - limits.scp_max_chars:,} over the "
                f"{limits.scp_max_chars:,}-character SCP limit",
                "Raise organization.policy_limits.scp_max_chars if your organization has the larger quota.",
            )
    bins: list[list[str]] = []
    for gid in sorted(rendered, key=lambda g: (-sizes[g], g)):
        for members in bins:
            candidate = sorted([*members, gid])
            if len(minify(_document([s for m in candidate for s in rendered[m]]))) <= limits.scp_max_chars:
                members.append(gid)
                break
        else:
            bins.append([gid])
    if len(bins) > slots:
        taken = limits.scps_per_target - slots
        raise PackingError(
            ou_path,
            f"OU {ou_path} needs {len(bins)} SCPs for its guardrails but only {slots} of "
            f"{limits.scps_per_target} attachment slots are free ({taken} taken by policies such as "
            f"FullAWSAccess): {len(bins) - slots} too many",
            "Attach fewer guardrails to this OU (or some to its parent OU), or raise "
            "organization.policy_limits.scps_per_target if your organization has the larger quota.",
        )
    ordered = sorted(sorted(b) for b in bins)
    return [
        PackedPolicy(
            name=policy_name(org.name, ou_path, index),
            ou_path=ou_path,
            guardrail_ids=tuple(members),
            document=_document([s for gid in members for s in rendered[gid]]),
        )
        for index, members in enumerate(ordered, start=1)
    ]


def pack_all(spec: LandingZoneSpec) -> list[PackedPolicy]:
    """Every SCP of the spec: the root's, then OU by OU in path order."""
    return [policy for path in [ROOT, *spec.all_ou_paths()] for policy in pack_ou(spec, path)]
