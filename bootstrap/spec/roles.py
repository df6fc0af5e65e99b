"""The landing zone's own IAM roles, by name: the ones its guardrails and policies exempt or trust.

Every Deny of every guardrail exempts the bootstrap and break-glass roles; the log bucket's and keys'
policies name the key administrators and readers roles. Whoever could create or re-trust a role of one of
these names would step outside the guardrails, so the toolkit creates them in every account where they
matter and a guardrail at the root protects exactly these names (`protect-landing-zone-roles`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bootstrap.spec.model import LandingZoneSpec


def protected_role_names(spec: LandingZoneSpec) -> list[str]:
    """Names of the roles no one but the bootstrap role may create, change or delete, in spec order."""
    org, logging = spec.organization, spec.logging
    names = [org.bootstrap_role, org.break_glass_role, logging.key_administrators_role, logging.key_readers_role]
    return list(dict.fromkeys(names))


def protected_role_arns(spec: LandingZoneSpec) -> list[str]:
    """The protected roles in every account (`arn:aws:iam::*:role/<name>`), as guardrails name them."""
    return [f"arn:aws:iam::*:role/{name}" for name in protected_role_names(spec)]
