"""The landing zone's own IAM roles, by name: the ones its guardrails and policies exempt or trust.

Every Deny of every guardrail exempts the bootstrap and break-glass roles; the log bucket's and keys'
policies name the key administrators and readers roles. Whoever could create or re-trust a role of one of
these names would step outside the guardrails, so the toolkit creates them in every account where they
matter and a guardrail at the root protects exactly these names (`protect-landing-zone-roles`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bootstrap.spec.identity_checks import sso_key_reader_patterns, sso_operator_patterns

if TYPE_CHECKING:
    from bootstrap.spec.model import LandingZoneSpec


def protected_role_names(spec: LandingZoneSpec) -> list[str]:
    """Names of the roles no one but the bootstrap role may create, change or delete, in spec order."""
    org, logging = spec.organization, spec.logging
    names = [org.bootstrap_role, org.break_glass_role, logging.key_administrators_role, logging.key_readers_role]
    return list(dict.fromkeys(names))


def protected_role_arns(spec: LandingZoneSpec) -> list[str]:
    """The protected roles in every account and under every path, as guardrails name them.

    Role names are unique in an account whatever the path, so a role `/team/<name>` would take the name
    from the landing zone (the toolkit could not create its role, and would adopt the look-alike). Its ARN
    `role/team/<name>` matches no exemption, but the name must still be reserved: `role/*/<name>` does it."""
    names = protected_role_names(spec)
    return [f"arn:aws:iam::*:role/{name}" for name in names] + [f"arn:aws:iam::*:role/*/{name}" for name in names]


def operator_patterns(spec: LandingZoneSpec) -> list[str]:
    """Who may assume the bootstrap role anywhere: the spec's operators and the management account's own
    bootstrap role (so a person who runs the toolkit as that role reaches every account)."""
    org = spec.organization
    own = f"arn:aws:iam::{org.management_account_id}:role/{org.bootstrap_role}"
    return list(dict.fromkeys([*org.operators, own, *sso_operator_patterns(spec)]))


def break_glass_principal(spec: LandingZoneSpec) -> str:
    """The management account principal that may assume the break-glass role (with MFA)."""
    org = spec.organization
    return org.break_glass_principal or f"arn:aws:iam::{org.management_account_id}:user/break-glass"


def key_administrator_principals(spec: LandingZoneSpec) -> list[str]:
    return list(spec.logging.key_administrators) or operator_patterns(spec)


def key_reader_principals(spec: LandingZoneSpec) -> list[str]:
    """The key readers role's callers: the spec's, or the operators; and the security-audit permission set's
    sessions in the management account when the identity layer has that set."""
    return list(dict.fromkeys([*(spec.logging.key_readers or operator_patterns(spec)), *sso_key_reader_patterns(spec)]))


def principal_pattern(caller_arn: str) -> str | None:
    """The `aws:PrincipalArn` a caller's ARN (from sts:GetCallerIdentity) is seen as in a trust policy.

    An assumed-role session is seen as its role (`arn:aws:iam::A:role/NAME`; the role's path is not in
    the session ARN, so a role with a path needs its full ARN in `operators`). The root user gets None:
    nobody should run the landing zone as root."""
    parts = caller_arn.split(":", 5)
    if len(parts) != 6 or parts[5] == "root":
        return None
    account, resource = parts[4], parts[5]
    if resource.startswith("assumed-role/"):
        return f"arn:aws:iam::{account}:role/{resource.split('/')[1]}"
    if resource.startswith(("user/", "role/")):
        return f"arn:aws:iam::{account}:{resource}"
    return None
