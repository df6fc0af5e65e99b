"""The rules of the spec's `identity` section, all checked by `validate` without an AWS call, and what the section
means for the rest of the toolkit: which accounts an assignment lands in, the IAM role names Identity Center makes.

Refused: permission sets, groups, OUs and accounts the spec does not have (with "did you mean"), assignments to the
management account without `identity.allow_management_account`, session durations that are not ISO 8601 or outside
1-12 hours, inline policies that are not IAM policy JSON or exceed 32,768 characters, more policies than a
permission set takes, and names AWS refuses.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec
from bootstrap.spec.permission_set_library import load_permission_sets, permission_set_name, spec_permission_sets

Problem = tuple[tuple[str | int, ...], str, str]
"""(field path, message, fix), turned into `checks.Problem` by `check_spec`."""

NAME = re.compile(r"^[\w+=,.@-]{1,32}$", re.ASCII)
"""AWS's pattern for a permission set name (CreatePermissionSet), and its length limit."""
DURATION = re.compile(r"^PT(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$")
MIN_SESSION_SECONDS = 3600
MAX_SESSION_SECONDS = 12 * 3600
INLINE_POLICY_MAX_CHARS = 32768
"""PutInlinePolicyToPermissionSet's limit on the document."""
MAX_MANAGED_POLICIES = 20
MAX_CUSTOMER_MANAGED_POLICIES = 20
"""IAM Identity Center's default quotas: AWS managed and customer managed policies per permission set."""
MANAGED_ARN = re.compile(r"^arn:aws:iam::aws:policy/[\w+=,.@/-]+$", re.ASCII)
POLICY_VERSIONS = ("2012-10-17", "2008-10-17")


def identity_applies(spec: LandingZoneSpec) -> bool:
    """The layer builds something: it is enabled and names permission sets."""
    return spec.identity.enabled and bool(spec.identity.permission_sets)


def session_seconds(duration: str) -> int | None:
    """The seconds of an ISO 8601 duration of hours, minutes and seconds (`PT4H`), or None if it is not one."""
    match = DURATION.match(duration)
    if match is None:
        return None
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def accounts_below(spec: LandingZoneSpec, ou: str) -> list[str]:
    """Every account of the spec in the OU or below it, in spec order."""
    return [a.name for a in spec.accounts if a.ou == ou or a.ou.startswith(ou + "/")]


def assignment_accounts(spec: LandingZoneSpec, index: int) -> list[str]:
    """The accounts assignment `index` lands in: its accounts, then every account in its OUs and below (accounts
    added to an OU later get it on the next run), each once."""
    assignment = spec.identity.assignments[index]
    names = [*assignment.accounts, *(name for ou in assignment.ous for name in accounts_below(spec, ou))]
    return list(dict.fromkeys(names))


def sso_role_resource(permission_set: str) -> str:
    """The resource part of the IAM roles Identity Center makes for a permission set's sessions in an account
    (`role/aws-reserved/sso.amazonaws.com/<region or nothing>/AWSReservedSSO_<set>_<suffix of AWS's own>`)."""
    return f"role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_{permission_set}_*"


def sso_role_pattern(spec: LandingZoneSpec, permission_set: str) -> str:
    """The IAM roles Identity Center makes for a permission set's sessions in the management account, as an
    `aws:PrincipalArn` pattern."""
    return f"arn:aws:iam::{spec.organization.management_account_id}:{sso_role_resource(permission_set)}"


def sso_operator_patterns(spec: LandingZoneSpec) -> list[str]:
    """The operator permission set's roles, when the spec assigns that set (`identity.operator_permission_set`)."""
    wanted = spec.identity.operator_permission_set
    if not identity_applies(spec) or wanted is None:
        return []
    names = [permission_set_name(entry) for entry in spec.identity.permission_sets]
    return [sso_role_pattern(spec, wanted)] if wanted in names else []


SECURITY_AUDIT = "security-audit"


def sso_key_reader_patterns(spec: LandingZoneSpec) -> list[str]:
    """The security-audit permission set's roles, which may assume the key readers role (when the spec has it)."""
    if not identity_applies(spec) or SECURITY_AUDIT not in spec.identity.permission_sets:
        return []
    return [sso_role_pattern(spec, SECURITY_AUDIT)]


def sso_key_reader_accounts(spec: LandingZoneSpec) -> list[str]:
    """The member accounts the security-audit permission set is assigned in (by name or OU), in spec order: its
    sessions there may assume the key readers role as well (`blueprints.roles`). Its sessions in the management
    account are among `sso_key_reader_patterns`."""
    if not sso_key_reader_patterns(spec):
        return []
    found = [
        name
        for index, assignment in enumerate(spec.identity.assignments)
        if assignment.permission_set == SECURITY_AUDIT
        for name in assignment_accounts(spec, index)
    ]
    return [name for name in dict.fromkeys(found) if name != MANAGEMENT]


def _did_you_mean(value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1)
    return f"Did you mean '{close[0]}'? " if close else ""


def policy_problem(document: Any) -> str | None:
    """Why `document` (a mapping, or JSON text) is not an IAM policy document, or None."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError as err:
            return f"the inline policy is not valid JSON ({err})"
    if not isinstance(document, dict):
        return "the inline policy is not a JSON object"
    unknown = sorted(set(document) - {"Version", "Id", "Statement"})
    if unknown:
        return f"the inline policy has the key {unknown[0]}, which IAM policies do not have"
    if document.get("Version", POLICY_VERSIONS[0]) not in POLICY_VERSIONS:
        return f"the inline policy's Version {document.get('Version')!r} is not 2012-10-17"
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        return "the inline policy has no Statement list"
    for n, statement in enumerate(statements):
        if not isinstance(statement, dict):
            return f"Statement[{n}] of the inline policy is not an object"
        if statement.get("Effect") not in ("Allow", "Deny"):
            return f"Statement[{n}] of the inline policy has Effect {statement.get('Effect')!r}, not Allow or Deny"
        if ("Action" in statement) == ("NotAction" in statement):
            return f"Statement[{n}] of the inline policy needs exactly one of Action and NotAction"
        if ("Resource" in statement) == ("NotResource" in statement):
            return f"Statement[{n}] of the inline policy needs exactly one of Resource and NotResource"
    return None


def compact_policy(document: Any) -> str:
    """The inline policy as the toolkit sends it (compact JSON): what AWS's size limit counts."""
    parsed = json.loads(document) if isinstance(document, str) else document
    return json.dumps(parsed, separators=(",", ":"), sort_keys=True)


def identity_problems(spec: LandingZoneSpec) -> list[Problem]:
    identity = spec.identity
    if not identity.enabled:
        return []
    problems: list[Problem] = []
    library = load_permission_sets()
    names: list[str] = []
    for i, entry in enumerate(identity.permission_sets):
        at: tuple[str | int, ...] = ("identity", "permission_sets", i)
        name = permission_set_name(entry)
        if isinstance(entry, str) and entry not in library:
            problems.append(
                (
                    at,
                    f"'{entry}' is not a permission set of the library",
                    f"{_did_you_mean(entry, sorted(library))}Library permission sets: {', '.join(sorted(library))}; "
                    "or define your own with `name:` and its policies.",
                )
            )
        elif name in names:
            problems.append((at, f"permission_sets lists {name} twice", "Keep one entry per permission set."))
        elif not NAME.match(name):
            problems.append(
                (
                    (*at, "name"),
                    f"'{name}' is not a permission set name AWS accepts: 1-32 of letters, digits and +=,.@_-",
                    "Rename it, for example data-analyst.",
                )
            )
        names.append(name)
    for i, definition in _own_sets(spec):
        problems.extend(_set_problems(("identity", "permission_sets", i), definition))
    groups = [g.name for g in identity.groups]
    for i, group in enumerate(identity.groups):
        if group.name in groups[:i]:
            problems.append(
                (("identity", "groups", i, "name"), f"groups lists {group.name} twice", "Keep one entry per group.")
            )
    for i in range(len(identity.assignments)):
        problems.extend(_assignment_problems(spec, i, names, groups))
    return problems


def _own_sets(spec: LandingZoneSpec) -> list[tuple[int, Any]]:
    own = [(i, e) for i, e in enumerate(spec.identity.permission_sets) if not isinstance(e, str)]
    definitions = {d.name: d for d in spec_permission_sets(spec) if not d.library}
    return [(i, definitions[e.name]) for i, e in own if e.name in definitions]


def _set_problems(at: tuple[str | int, ...], definition: Any) -> list[Problem]:
    problems: list[Problem] = []
    seconds = session_seconds(definition.session_duration)
    if seconds is None:
        problems.append(
            (
                (*at, "session_duration"),
                f"'{definition.session_duration}' is not an ISO 8601 duration of hours and minutes",
                "Write it as PT<hours>H or PT<hours>H<minutes>M, for example PT1H or PT4H30M.",
            )
        )
    elif not MIN_SESSION_SECONDS <= seconds <= MAX_SESSION_SECONDS:
        problems.append(
            (
                (*at, "session_duration"),
                f"{definition.session_duration} is {seconds / 3600:g} hours; AWS allows sessions of 1 to 12 hours",
                "Use PT1H to PT12H; shorter sessions are safer for powerful permission sets.",
            )
        )
    bad_arns = [arn for arn in definition.managed_policies if not MANAGED_ARN.match(arn)]
    if bad_arns:
        problems.append(
            (
                (*at, "managed_policies"),
                f"'{bad_arns[0]}' is not an AWS managed policy ARN",
                "Write arn:aws:iam::aws:policy/NAME (or .../job-function/NAME); name your own policies under "
                "customer_managed_policies.",
            )
        )
    for field_name, count, limit in (
        ("managed_policies", len(definition.managed_policies), MAX_MANAGED_POLICIES),
        ("customer_managed_policies", len(definition.customer_managed_policies), MAX_CUSTOMER_MANAGED_POLICIES),
    ):
        if count > limit:
            problems.append(
                (
                    (*at, field_name),
                    f"{count} {field_name.replace('_', ' ')}; a permission set takes at most {limit}",
                    f"Remove {count - limit}, or merge several into one customer managed policy.",
                )
            )
    if definition.inline_policy is not None:
        why = policy_problem(definition.inline_policy)
        if why is not None:
            problems.append(
                (
                    (*at, "inline_policy"),
                    why,
                    'Write an IAM policy: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": '
                    '[...], "Resource": [...]}]}.',
                )
            )
        elif len(compact_policy(definition.inline_policy)) > INLINE_POLICY_MAX_CHARS:
            size = len(compact_policy(definition.inline_policy))
            problems.append(
                (
                    (*at, "inline_policy"),
                    f"the inline policy is {size:,} characters without white space; AWS allows "
                    f"{INLINE_POLICY_MAX_CHARS:,}",
                    "Move statements into customer managed policies (customer_managed_policies), or use wildcards.",
                )
            )
    return problems


def _assignment_problems(spec: LandingZoneSpec, i: int, sets: list[str], groups: list[str]) -> list[Problem]:
    assignment = spec.identity.assignments[i]
    at: tuple[str | int, ...] = ("identity", "assignments", i)
    problems: list[Problem] = []
    if assignment.group not in groups:
        problems.append(
            (
                (*at, "group"),
                f"group '{assignment.group}' is not in identity.groups",
                f"{_did_you_mean(assignment.group, groups)}Add it to identity.groups, or use one of: "
                f"{', '.join(groups) or '(no groups yet)'}.",
            )
        )
    if assignment.permission_set not in sets:
        problems.append(
            (
                (*at, "permission_set"),
                f"permission set '{assignment.permission_set}' is not in identity.permission_sets",
                f"{_did_you_mean(assignment.permission_set, sets)}Add it to identity.permission_sets, or use one "
                f"of: {', '.join(sets) or '(none yet)'}.",
            )
        )
    known_ous = spec.all_ou_paths()
    for j, ou in enumerate(assignment.ous):
        if ou not in known_ous:
            problems.append(
                (
                    (*at, "ous", j),
                    f"OU '{ou}' is not listed in organizational_units",
                    f"{_did_you_mean(ou, known_ous)}Use one of: {', '.join(known_ous)}.",
                )
            )
    names = [MANAGEMENT, *(a.name for a in spec.accounts)]
    for j, name in enumerate(assignment.accounts):
        if name not in names:
            problems.append(
                (
                    (*at, "accounts", j),
                    f"account '{name}' is not in accounts",
                    f"{_did_you_mean(name, names)}Name an account listed under `accounts`, or 'management'.",
                )
            )
        elif name == MANAGEMENT and not spec.identity.allow_management_account:
            problems.append(
                (
                    (*at, "accounts", j),
                    "an assignment to the management account: AWS advises against giving people access there",
                    "Remove it, or set identity.allow_management_account: true to allow it deliberately.",
                )
            )
    if not assignment.ous and not assignment.accounts:
        problems.append(
            (at, "the assignment names no OU and no account", "Add `ous:` or `accounts:` (or remove the assignment).")
        )
    return problems
