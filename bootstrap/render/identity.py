"""What the identity runbooks (`identity-center.md`, `access.md`) show, from the spec alone: the identity source,
each permission set with its policies and session, and who may sign in where (group -> permission set ->
accounts), OU targets expanded to the spec's accounts in them."""

from __future__ import annotations

from typing import Any

from blueprints.identity import assignments
from bootstrap.spec.identity_checks import identity_applies, session_seconds, sso_role_pattern
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec
from bootstrap.spec.permission_set_library import spec_permission_sets


def identity_facts(spec: LandingZoneSpec) -> dict[str, Any]:
    identity = spec.identity
    sets = spec_permission_sets(spec) if identity_applies(spec) else []
    by_pair: dict[tuple[str, str], list[str]] = {}
    for account, permission_set, group in assignments(spec) if identity_applies(spec) else []:
        by_pair.setdefault((group, permission_set), []).append(account)
    rows = [
        {
            "group": group,
            "permission_set": permission_set,
            "accounts": accounts,
            "targets": next(
                (
                    [*a.ous, *a.accounts]
                    for a in identity.assignments
                    if a.group == group and a.permission_set == permission_set
                ),
                [],
            ),
            "management": MANAGEMENT in accounts,
        }
        for (group, permission_set), accounts in by_pair.items()
    ]
    operator = identity.operator_permission_set
    return {
        "applies": identity_applies(spec),
        "source": identity.source,
        "external": identity.source == "external",
        "sets": [
            {
                "name": d.name,
                "title": d.title or d.name,
                "purpose": d.description,
                "job_function": d.job_function,
                "hours": (session_seconds(d.session_duration) or 0) / 3600,
                "session": d.session_duration,
                "managed": list(d.managed_policies),
                "customer": [f"{path}{name}" for name, path in d.customer_managed_policies],
                "inline": d.inline_policy is not None,
                "boundary": d.boundary_managed_arn or ("/".join(d.boundary_customer) if d.boundary_customer else ""),
                "library": d.library,
            }
            for d in sets
        ],
        "groups": [{"name": g.name, "description": g.description} for g in identity.groups],
        "rows": rows,
        "operator_set": operator if operator in {d.name for d in sets} else None,
        "operator_pattern": sso_role_pattern(spec, operator) if operator else "",
    }
