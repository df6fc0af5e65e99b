"""A guardrail rendered for one spec: its placeholders filled with values the spec derives, its exemptions.

`render_guardrail` is the one entry point the packer uses, so what a guardrail's placeholders mean (and
which roles its Deny statements exempt) is decided here, in one place, from the spec alone.
"""

from __future__ import annotations

from typing import Any

from bootstrap.guardrails.library import (
    ALLOWED_REGIONS,
    LOG_BUCKET_ARNS,
    Guardrail,
    Statement,
    exempt_principals,
    render_statements,
)
from bootstrap.spec.log_archive import log_bucket_arns
from bootstrap.spec.model import LandingZoneSpec


def guardrail_parameters(spec: LandingZoneSpec) -> dict[str, Any]:
    """Placeholder -> the value it stands for in this spec."""
    return {
        ALLOWED_REGIONS: sorted(spec.organization.allowed_regions),
        LOG_BUCKET_ARNS: log_bucket_arns(spec),
    }


def render_guardrail(guardrail: Guardrail, spec: LandingZoneSpec) -> list[Statement]:
    """The guardrail's statements for `spec`: placeholders filled, the exemption added to every Deny."""
    org = spec.organization
    return render_statements(
        guardrail,
        exempt=exempt_principals(org.bootstrap_role, org.break_glass_role),
        parameters=guardrail_parameters(spec),
    )
