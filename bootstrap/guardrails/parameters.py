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
    Guardrail,
    Statement,
    render_statements,
)
from bootstrap.spec.log_archive import log_bucket_arns
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.spec.roles import protected_role_arns


def guardrail_parameters(spec: LandingZoneSpec) -> dict[str, Any]:
    """Placeholder -> the value it stands for in this spec."""
    return {
        ALLOWED_REGIONS: sorted(spec.organization.allowed_regions),
        LOG_BUCKET_ARNS: log_bucket_arns(spec),
        LANDING_ZONE_ROLE_ARNS: protected_role_arns(spec),
    }


def render_guardrail(guardrail: Guardrail, spec: LandingZoneSpec) -> list[Statement]:
    """The guardrail's statements for `spec`: placeholders filled, the exemption added to every Deny."""
    org = spec.organization
    names = {BOOTSTRAP: org.bootstrap_role, BREAK_GLASS: org.break_glass_role}
    exempt = [f"arn:aws:iam::*:role/{names[role]}" for role in guardrail.exempt]
    return render_statements(guardrail, exempt=exempt, parameters=guardrail_parameters(spec))
