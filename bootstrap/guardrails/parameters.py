"""A guardrail rendered for one spec: its placeholders filled with values the spec derives, its exemptions.

`render_guardrail` is the one entry point the packer uses, so what a guardrail's placeholders mean (and
which roles its Deny statements exempt) is decided here, in one place, from the spec alone.
"""

from __future__ import annotations

from typing import Any

from bootstrap.guardrails.library import (
    ALLOWED_REGIONS,
    BOOTSTRAP,
    BREAK_GLASS,
    LANDING_ZONE_ROLE_ARNS,
    LOG_BUCKET_ARNS,
    ORGANIZATION_ID,
    RCP,
    Guardrail,
    Statement,
    render_statements,
)
from bootstrap.spec.log_archive import log_bucket_arns
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.spec.roles import protected_role_arns

ORGANIZATION_ID_REF = {"Fn::GetAtt": ["Organization", "Id"]}
"""What ORGANIZATION_ID becomes: the engine's reference to the live organization's id (resolved by the
planner, a `Fn::GetAtt` in the CloudFormation template). `blueprints.organization.ORG_ID` is its logical id."""
LONGEST_ORGANIZATION_ID = "o-" + "a" * 32
"""The longest id AWS can give an organization (`^o-[a-z0-9]{10,32}$`): policy sizes are measured with it."""


def guardrail_parameters(spec: LandingZoneSpec) -> dict[str, Any]:
    """Placeholder -> the value it stands for in this spec."""
    return {
        ALLOWED_REGIONS: sorted(spec.organization.allowed_regions),
        LOG_BUCKET_ARNS: log_bucket_arns(spec),
        LANDING_ZONE_ROLE_ARNS: protected_role_arns(spec),
        ORGANIZATION_ID: dict(ORGANIZATION_ID_REF),
    }


def render_guardrail(guardrail: Guardrail, spec: LandingZoneSpec) -> list[Statement]:
    """The guardrail's statements for `spec`: placeholders filled, the exemption added to every Deny of an SCP.

    An RCP's Deny gets none: RCPs judge principals of any account, inside the organization or not, so an
    exemption by role name (`arn:aws:iam::*:role/<name>`) would let anyone outside who names a role so step
    around the perimeter; the spec's roles are inside the organization, which the perimeter never denies."""
    org = spec.organization
    names = {BOOTSTRAP: org.bootstrap_role, BREAK_GLASS: org.break_glass_role}
    roles = () if guardrail.policy_type == RCP else guardrail.exempt
    exempt = [f"arn:aws:iam::*:role/{names[role]}" for role in roles]
    return render_statements(guardrail, exempt=exempt, parameters=guardrail_parameters(spec))
