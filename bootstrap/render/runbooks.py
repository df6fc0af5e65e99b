"""Render the Markdown runbooks from the jinja2 templates shipped in the `runbooks` package.

Templates are read through `importlib.resources`, so rendering works from an installed wheel as well as
from a checkout. Every `<name>.md.j2` becomes `<name>.md`; all of them get the same context, built from
the spec alone (no AWS call, no secret: the spec holds none).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import jinja2

from blueprints.billing import runbook_facts as billing_facts
from blueprints.respond import responses_for
from blueprints.roles import audit_sessions, key_accounts
from bootstrap.guardrails.library import load_library
from bootstrap.guardrails.packing import pack_all
from bootstrap.render.identity import identity_facts
from bootstrap.render.mermaid import org_chart
from bootstrap.render.network import network_facts
from bootstrap.render.steps import PHASES, alarm_topics, manual_steps
from bootstrap.spec.log_archive import runbook_facts
from bootstrap.spec.model import MANAGEMENT, ROOT, LandingZoneSpec
from bootstrap.spec.roles import break_glass_principal, operator_patterns

PACKAGE = "runbooks"
SUFFIX = ".md.j2"
ROOT_GUARDRAIL = "deny-root-user"


def template_names() -> list[str]:
    """The runbook templates in the installed `runbooks` package, sorted."""
    return sorted(
        entry.name for entry in resources.files(PACKAGE).iterdir() if entry.name.endswith(SUFFIX) and entry.is_file()
    )


def _load(name: str) -> str | None:
    entry = resources.files(PACKAGE).joinpath(name)
    return entry.read_text(encoding="utf-8") if entry.is_file() else None


def environment() -> jinja2.Environment:
    """Markdown, not HTML: no autoescape; a missing variable is an error, never an empty string."""
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def runbook_context(spec: LandingZoneSpec) -> dict[str, Any]:
    """What every runbook template can use."""
    policies = pack_all(spec)
    library = load_library()
    steps = manual_steps(spec)
    return {
        "spec": spec,
        "org": spec.organization,
        "steps": steps,
        "phases": [(phase, heading, [s for s in steps if s.phase == phase]) for phase, heading in PHASES.items()],
        "responses": responses_for(spec),
        "alarm_topics": alarm_topics(spec),
        "topic_accounts": _account_ids(spec),
        "policies": policies,
        "guardrails": {gid: library[gid] for gid in sorted({g for p in policies for g in p.guardrail_ids})},
        "diagram": org_chart(spec, policies),
        "root_guardrail": ROOT_GUARDRAIL,
        "root_guardrail_ous": [ROOT] * (ROOT_GUARDRAIL in spec.organization.root_guardrails)
        + [ou.path for ou in spec.organizational_units if ROOT_GUARDRAIL in ou.guardrails],
        "member_accounts": [a.name for a in spec.accounts],
        "log_archive": runbook_facts(spec),
        "network": network_facts(spec),
        "billing": billing_facts(spec),
        "identity": identity_facts(spec),
        **_break_glass_facts(spec),
    }


def _account_ids(spec: LandingZoneSpec) -> dict[str, str]:
    """Account name -> its id where the spec knows it (the management account, adopted accounts), else a
    placeholder the reader replaces."""
    ids = {a.name: a.id or "ACCOUNT_ID" for a in spec.accounts}
    return {MANAGEMENT: spec.organization.management_account_id, **ids}


def _break_glass_facts(spec: LandingZoneSpec) -> dict[str, Any]:
    principal = break_glass_principal(spec)
    resource = principal.split(":", 5)[5]
    return {
        "operators": operator_patterns(spec),
        "break_glass_principal": principal,
        "break_glass_is_user": resource.startswith("user/"),
        "break_glass_user": resource.rsplit("/", 1)[-1],
        "key_role_accounts": key_accounts(spec),
        "audit_sessions": audit_sessions(spec),
    }


def render_runbooks(spec: LandingZoneSpec) -> dict[str, str]:
    """Runbook file name (`index.md`, ...) -> Markdown text."""
    env = environment()
    context = runbook_context(spec)
    return {name.removesuffix(".j2"): env.get_template(name).render(context) for name in template_names()}
