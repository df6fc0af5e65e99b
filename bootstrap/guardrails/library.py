"""Load the guardrail library shipped in the `scps` package and render its statements for a spec.

Every Deny statement gets the exemption for the bootstrap and break-glass roles injected here, in one
place, so no guardrail can forget it; `tests/unit/test_guardrail_library.py` proves it for the library.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from bootstrap.errors import BootstrapError

ALLOWED_REGIONS = "${AllowedRegions}"
LOG_BUCKET_ARNS = "${LogBucketArns}"
LANDING_ZONE_ROLE_ARNS = "${LandingZoneRoleArns}"
ORGANIZATION_ID = "${OrganizationId}"
TRAIL_ARNS = "${TrailArns}"
KEY_ALIAS_ARNS = "${KeyAliasArns}"
MONITORING_ARNS = "${MonitoringArns}"
PLACEHOLDERS = frozenset(
    {
        ALLOWED_REGIONS,
        LOG_BUCKET_ARNS,
        LANDING_ZONE_ROLE_ARNS,
        ORGANIZATION_ID,
        TRAIL_ARNS,
        KEY_ALIAS_ARNS,
        MONITORING_ARNS,
    }
)
"""Every placeholder a policy may use; each is replaced by a list derived from the spec, except
ORGANIZATION_ID: the organization's id is live, so it becomes a reference the planner resolves."""
EXEMPT_KEY = "aws:PrincipalARN"
BOOTSTRAP = "bootstrap"
BREAK_GLASS = "break-glass"
EXEMPT_ROLES = (BOOTSTRAP, BREAK_GLASS)
"""Which of the spec's roles a guardrail's Deny statements exempt: both, unless its metadata says
`exempt: [bootstrap]` (a guardrail that protects the exempt roles themselves must not exempt break-glass)."""
SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
POLICY_TYPES = (SCP, RCP)

Statement = dict[str, Any]


@dataclass(frozen=True)
class Guardrail:
    """One guardrail: its metadata and its raw policy statements (placeholders not yet filled)."""

    id: str
    title: str
    rationale: str
    cis: tuple[str, ...]
    control_tower: tuple[str, ...]
    parameters: tuple[str, ...]
    recommended_for: tuple[str, ...]
    statements: tuple[Statement, ...]
    exempt: tuple[str, ...] = EXEMPT_ROLES
    """The spec roles (`bootstrap`, `break-glass`) every Deny statement exempts; always the bootstrap role."""
    policy_type: str = SCP
    """The Organizations policy type the guardrail is packed into: SCP, or RCP (resource control policy)."""
    opt_in: bool = False
    """Not chosen by default (`init`'s defaults): it can break workloads that predate it."""


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML has it: `validate` reads every guardrail's metadata at start-up."""


@lru_cache(maxsize=1)
def load_library() -> dict[str, Guardrail]:
    """Every guardrail in the installed `scps` package, by id."""
    root = resources.files("scps")
    library: dict[str, Guardrail] = {}
    for folder in sorted(root.iterdir(), key=lambda p: p.name):
        if not folder.is_dir() or folder.name.startswith(("_", ".")):
            continue
        try:
            meta = yaml.load(folder.joinpath("metadata.yaml").read_text(encoding="utf-8"), Loader=_SafeLoader)
            doc = json.loads(folder.joinpath("policy.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, yaml.YAMLError) as err:
            raise BootstrapError(
                f"guardrail library: {folder.name} is broken: {err}",
                "Reinstall the toolkit; the scps/ folder of this installation is damaged.",
            ) from None
        controls = meta.get("controls") or {}
        exempt = tuple(meta.get("exempt") or EXEMPT_ROLES)
        policy_type = str(meta.get("policy_type") or SCP)
        if BOOTSTRAP not in exempt or not set(exempt) <= set(EXEMPT_ROLES) or policy_type not in POLICY_TYPES:
            raise BootstrapError(
                f"guardrail library: {folder.name} has exempt {list(exempt)} and policy_type {policy_type}; "
                f"exempt must include {BOOTSTRAP} (only {', '.join(EXEMPT_ROLES)} are known), policy_type must "
                f"be one of {', '.join(POLICY_TYPES)}",
                "Reinstall the toolkit; the scps/ folder of this installation is damaged.",
            )
        library[folder.name] = Guardrail(
            id=folder.name,
            title=str(meta["title"]),
            rationale=str(meta["rationale"]).strip(),
            cis=tuple(str(c) for c in controls.get("cis") or ()),
            control_tower=tuple(str(c) for c in controls.get("control_tower") or ()),
            parameters=tuple(meta.get("parameters") or ()),
            recommended_for=tuple(meta.get("recommended_for") or ()),
            statements=tuple(doc["Statement"]),
            exempt=exempt,
            policy_type=policy_type,
            opt_in=bool(meta.get("opt_in", False)),
        )
    return library


def render_statements(
    guardrail: Guardrail,
    *,
    exempt: list[str],
    parameters: Mapping[str, Any],
) -> list[Statement]:
    """The guardrail's statements with parameters filled and the exemption added to every Deny
    (none when `exempt` is empty: resource control policies exempt no role by name).

    `parameters` maps each placeholder to its value (`bootstrap.guardrails.parameters` derives them)."""
    rendered = []
    for raw in guardrail.statements:
        statement = _fill(copy.deepcopy(raw), parameters)
        if statement.get("Effect") == "Deny" and exempt:
            condition = statement.setdefault("Condition", {})
            arn_not_like = condition.setdefault("ArnNotLike", {})
            existing = arn_not_like.get(EXEMPT_KEY, [])
            existing = [existing] if isinstance(existing, str) else list(existing)
            arn_not_like[EXEMPT_KEY] = existing + [p for p in exempt if p not in existing]
        rendered.append(statement)
    return rendered


def _fill(value: Any, params: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        return params.get(value, value)
    if isinstance(value, list):
        return [_fill(v, params) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, params) for k, v in value.items()}
    return value
