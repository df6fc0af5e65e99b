"""Semantic checks of a spec that need more than the models: the guardrail library and the quotas."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from bootstrap.guardrails.library import RCP, SCP, load_library
from bootstrap.guardrails.packing import PackedPolicy, PackingError, pack_ou, policy_name
from bootstrap.spec.billing_checks import billing_problems
from bootstrap.spec.identity_checks import identity_problems
from bootstrap.spec.log_archive import logging_problems
from bootstrap.spec.model import MANAGEMENT, ROOT, ROOT_ROLES_GUARDRAIL, LandingZoneSpec
from bootstrap.spec.network_checks import network_problems

DENY_ALL = "deny-all"

SCP_NAME_MAX = 128
"""Organizations' limit on a policy name (the OU and organization names are checked by the model)."""


@dataclass(frozen=True)
class Problem:
    loc: tuple[str | int, ...]
    message: str
    fix: str


def _unknown_guardrail(loc: tuple[str | int, ...], gid: str, library: dict[str, object]) -> Problem:
    close = difflib.get_close_matches(gid, library, n=1)
    hint = f"Did you mean '{close[0]}'? " if close else ""
    return Problem(loc, f"unknown guardrail '{gid}'", f"{hint}Known guardrails: {', '.join(sorted(library))}.")


def check_spec(spec: LandingZoneSpec) -> list[Problem]:
    problems: list[Problem] = []
    library = load_library()
    known_ous = set(spec.all_ou_paths())
    for j, gid in enumerate(spec.organization.root_guardrails):
        loc: tuple[str | int, ...] = ("organization", "root_guardrails", j)
        if gid not in library:
            problems.append(_unknown_guardrail(loc, gid, dict(library)))
        elif gid == DENY_ALL:
            problems.append(
                Problem(
                    loc,
                    f"{DENY_ALL} at the Root would deny every action in every member account",
                    f"Attach {DENY_ALL} to the OU that holds suspended accounts only (for example Suspended).",
                )
            )
    for i, ou in enumerate(spec.organizational_units):
        for j, gid in enumerate(ou.guardrails):
            if gid not in library:
                problems.append(_unknown_guardrail(("organizational_units", i, "guardrails", j), gid, dict(library)))
    for i, account in enumerate(spec.accounts):
        if account.ou != ROOT and account.ou not in known_ous:
            close = difflib.get_close_matches(account.ou, sorted(known_ous), n=1)
            hint = f"Did you mean '{close[0]}'? " if close else ""
            problems.append(
                Problem(
                    ("accounts", i, "ou"),
                    f"OU '{account.ou}' is not listed in organizational_units",
                    f"{hint}Add it to organizational_units or use one of: {', '.join(sorted(known_ous))}.",
                )
            )
        if account.name == MANAGEMENT:
            problems.append(
                Problem(
                    ("accounts", i, "name"),
                    "'management' names the management account itself",
                    "Give the member account another name.",
                )
            )
        if account.id == spec.organization.management_account_id:
            problems.append(
                Problem(
                    ("accounts", i, "id"),
                    "this is the management account, which is not a member account",
                    "Remove it from accounts; the management account is always part of the organization.",
                )
            )
    problems.extend(_name_clashes(spec))
    problems.extend(Problem(*p) for p in logging_problems(spec))
    problems.extend(Problem(*p) for p in network_problems(spec))
    problems.extend(Problem(*p) for p in billing_problems(spec))
    problems.extend(Problem(*p) for p in identity_problems(spec))
    if problems:
        return problems
    targets: list[tuple[str, tuple[str | int, ...], tuple[str | int, ...]]] = [
        (ROOT, ("organization", "root_guardrails"), ("organization", "name"))
    ]
    targets += [
        (ou.path, ("organizational_units", i, "guardrails"), ("organizational_units", i, "path"))
        for i, ou in enumerate(spec.organizational_units)
    ]
    template_resources = 1 + len(spec.all_ou_paths()) + int(spec.organization.ai_services_opt_out)
    for target, guardrails_loc, name_loc in targets:
        for policy_type in (SCP, RCP):
            try:
                policies = pack_ou(spec, target, policy_type=policy_type)
            except PackingError as err:
                problems.append(Problem(guardrails_loc, str(err), err.fix))
                continue
            template_resources += len(policies)
            too_long = [p.name for p in policies if len(p.name) > SCP_NAME_MAX]
            if too_long:
                problems.append(
                    Problem(
                        name_loc,
                        f"the policy name {too_long[0]} is {len(too_long[0])} characters; AWS allows {SCP_NAME_MAX}",
                        "Shorten the OU path or organization.name (SCPs are named <organization>-<ou path>-<n>, "
                        "RCPs <organization>-<ou path>-rcp-<n>).",
                    )
                )
    if not problems and template_resources > MAX_TEMPLATE_RESOURCES:
        problems.append(
            Problem(
                ("organizational_units",),
                f"the organization template would hold {template_resources} resources (the organization, every OU "
                f"and every policy); CloudFormation allows {MAX_TEMPLATE_RESOURCES}",
                "Attach guardrails to fewer, higher OUs (child OUs inherit them), or use fewer OUs.",
            )
        )
    return problems


MAX_TEMPLATE_RESOURCES = 500
"""CloudFormation's (and troposphere's) limit of resources in one template."""


def packing_hint(spec: LandingZoneSpec, policies: list[PackedPolicy]) -> str | None:
    """How to pack into fewer SCPs, when some target needs more than one at AWS's default size quota."""
    limits = spec.organization.policy_limits
    per_target: dict[str, int] = {}
    for policy in policies:
        if policy.policy_type == SCP:
            per_target[policy.ou_path] = per_target.get(policy.ou_path, 0) + 1
    busiest = max(per_target.items(), key=lambda item: (item[1], item[0]), default=("", 0))
    if busiest[1] < 2 or limits.scp_max_chars >= LARGE_SCP_QUOTA:
        return None
    free = limits.scps_per_target - limits.reserved_attachments
    return (
        f"{busiest[0]} needs {busiest[1]} of its {free} free SCP slots at {limits.scp_max_chars:,} characters "
        f"per SCP. Once your organization has the {LARGE_SCP_QUOTA:,}-character SCP quota, set "
        f"organization.policy_limits.scp_max_chars: {LARGE_SCP_QUOTA} to pack the guardrails into fewer SCPs "
        "and keep slots free."
    )


LARGE_SCP_QUOTA = 10240
"""The SCP size AWS raises the quota to on request (the default is 5,120 characters)."""


def repeated_guardrails(spec: LandingZoneSpec) -> list[str]:
    """Guardrails attached to an OU that already inherits them from the Root or a parent OU: SCPs are
    inherited, so the repeat protects nothing more and takes an attachment slot of that OU."""
    found: list[str] = []
    attached = {ROOT: set(spec.organization.root_guardrails)}
    for ou in spec.organizational_units:
        attached.setdefault(ou.path, set()).update(ou.guardrails)
    for i, ou in enumerate(spec.organizational_units):
        parts = ou.path.split("/")
        above = [ROOT] + ["/".join(parts[:depth]) for depth in range(1, len(parts))]
        for j, gid in enumerate(ou.guardrails):
            holder = next((path for path in above if gid in attached.get(path, ())), None)
            if holder is not None:
                where = "the Root" if holder == ROOT else f"OU {holder}"
                found.append(
                    f"organizational_units[{i}].guardrails[{j}]: {gid} is already attached to {where}, which "
                    f"{ou.path} inherits; repeating it wastes one of the OU's SCP attachment slots. Remove it "
                    f"from {ou.path}."
                )
    return found


def root_warnings(spec: LandingZoneSpec) -> list[str]:
    """What `validate` should point out about the Root's guardrails without refusing the spec."""
    repeated = repeated_guardrails(spec)
    if ROOT_ROLES_GUARDRAIL in spec.organization.root_guardrails:
        return repeated
    return [
        *repeated,
        f"organization.root_guardrails does not include {ROOT_ROLES_GUARDRAIL}: every guardrail exempts the "
        f"roles {spec.organization.bootstrap_role} and {spec.organization.break_glass_role} by name, and without "
        "it anyone allowed to create IAM roles in a member account could create or re-trust a role of that name "
        f"and escape every guardrail. Add {ROOT_ROLES_GUARDRAIL} back to organization.root_guardrails.",
    ]


def _name_clashes(spec: LandingZoneSpec) -> list[Problem]:
    """OU paths or account names that differ only in case or punctuation reduce to the same logical id
    (`Workloads/Prod`, `Workloads-Prod` -> OuWorkloadsProd) or SCP name: the desired state could not be
    built, so refuse the spec here with a clear message instead."""
    from bootstrap.names import logical_id

    problems: list[Problem] = []
    entry_of: dict[str, int] = {}
    for i, ou in enumerate(spec.organizational_units):
        parts = ou.path.split("/")
        for depth in range(1, len(parts) + 1):
            entry_of.setdefault("/".join(parts[:depth]), i)
    org = spec.organization.name
    seen: dict[str, str] = {policy_name(org, ROOT, 1, t): ROOT for t in (SCP, RCP)}
    for path in sorted(entry_of, key=lambda p: (entry_of[p], p.count("/"), p)):
        for key in (logical_id("Ou", path), policy_name(org, path, 1), policy_name(org, path, 1, RCP)):
            other = seen.setdefault(key, path)
            if other != path:
                problems.append(
                    Problem(
                        ("organizational_units", entry_of[path], "path"),
                        f"OU '{path}' and {'the Root' if other == ROOT else f'OU {other!r}'} differ only in "
                        f"case or punctuation, so their resources would share the name {key}",
                        "Rename one of them so that their names differ in letters or digits.",
                    )
                )
                break
    accounts: dict[str, str] = {}
    for i, account in enumerate(spec.accounts):
        key = logical_id("Account", account.name)
        other = accounts.setdefault(key, account.name)
        if other != account.name:
            problems.append(
                Problem(
                    ("accounts", i, "name"),
                    f"accounts '{account.name}' and '{other}' differ only in punctuation, so their resources "
                    f"would share the name {key}",
                    "Rename one of them so that their names differ in letters or digits.",
                )
            )
    return problems
