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
    KEY_ALIAS_ARNS,
    LANDING_ZONE_ROLE_ARNS,
    LOG_BUCKET_ARNS,
    MONITORING_ARNS,
    ORGANIZATION_ID,
    RCP,
    TRAIL_ARNS,
    Guardrail,
    Statement,
    render_statements,
)
from bootstrap.spec.log_archive import log_bucket_arns, log_group_name, trail_name
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.spec.roles import protected_role_arns

ORGANIZATION_ID_REF = {"Fn::GetAtt": ["Organization", "Id"]}
"""What ORGANIZATION_ID becomes: the engine's reference to the live organization's id (resolved by the
planner, a `Fn::GetAtt` in the CloudFormation template). `blueprints.organization.ORG_ID` is its logical id."""
LONGEST_ORGANIZATION_ID = "o-" + "a" * 32
"""The longest id AWS can give an organization (`^o-[a-z0-9]{10,32}$`): policy sizes are measured with it."""


def with_organization_id(value: Any, organization_id: str) -> Any:
    """`value` with every reference to the organization id replaced by `organization_id`."""
    if value == ORGANIZATION_ID_REF:
        return organization_id
    if isinstance(value, dict):
        return {k: with_organization_id(v, organization_id) for k, v in value.items()}
    if isinstance(value, list):
        return [with_organization_id(v, organization_id) for v in value]
    return value


def guardrail_parameters(spec: LandingZoneSpec) -> dict[str, Any]:
    """Placeholder -> the value it stands for in this spec."""
    return {
        ALLOWED_REGIONS: sorted(spec.organization.allowed_regions),
        LOG_BUCKET_ARNS: log_bucket_arns(spec),
        LANDING_ZONE_ROLE_ARNS: protected_role_arns(spec),
        ORGANIZATION_ID: dict(ORGANIZATION_ID_REF),
        TRAIL_ARNS: [f"arn:aws:cloudtrail:*:*:trail/{trail_name(spec)}"],
        KEY_ALIAS_ARNS: [f"arn:aws:kms:*:*:alias/{spec.organization.name}/*"],
        MONITORING_ARNS: monitoring_arns(spec),
    }


def monitoring_arns(spec: LandingZoneSpec) -> list[str]:
    """The trail's log group (and its streams), the landing zone's alarms and its topics, in any account."""
    org = spec.organization.name
    group = f"arn:aws:logs:*:*:log-group:{log_group_name(spec)}"
    return [
        group,
        f"{group}:*",
        f"arn:aws:cloudwatch:*:*:alarm:{org}-cis-*",
        f"arn:aws:cloudwatch:*:*:alarm:{org}-break-glass-*",
        f"arn:aws:sns:*:*:{org}-security-alarms",
        f"arn:aws:sns:*:*:{org}-trail-deliveries",
    ]


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
