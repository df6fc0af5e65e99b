"""The accounts blueprints: any number of accounts builds and renders, within CloudFormation's quotas.

Accounts fill templates of at most 400 (`accounts`, `accounts-2`, ...), each standing alone with its
parents as Parameters, while the engine's copy of every account still refers to the organization
blueprint's OUs, as it did when accounts were in the organization template.
"""

from __future__ import annotations

import json
from typing import Any

import troposphere

from blueprints.accounts import ACCOUNTS_PER_TEMPLATE, MAX_PARAMETERS
from bootstrap.desired import build_blueprints, desired_state
from bootstrap.render.artifacts import artifact_files
from bootstrap.spec.answers import DEFAULT_OUS, AccountAnswer, Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import LandingZoneSpec

ACCOUNT = "AWS::Organizations::Account"


def spec_with(n: int) -> LandingZoneSpec:
    """The default landing zone with `n` accounts (instead of its own) spread over its OUs and the root."""
    parents = [*DEFAULT_OUS, "Root"]
    accounts = [AccountAnswer(name=f"acct-{i:04d}", ou=parents[i % len(parents)]) for i in range(1, n + 1)]
    return parse_spec(render_spec_yaml(Answers(management_account_id="123456789012", accounts=accounts)))


def templates(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {
        name.removeprefix("blueprints/").removesuffix(".template.json"): json.loads(text)
        for name, text in files.items()
        if name.startswith("blueprints/")
    }


def test_a_thousand_and_one_accounts_build_and_render_within_the_template_quota() -> None:
    spec = spec_with(1001)
    desired = desired_state(spec)
    assert len(desired.of_type(ACCOUNT)) == 1001

    rendered = templates(artifact_files(spec))
    sizes = {name: len(t["Resources"]) for name, t in rendered.items()}
    assert max(sizes.values()) <= troposphere.MAX_RESOURCES == 500, sizes
    assert {name: size for name, size in sizes.items() if name.startswith("accounts")} == {
        "accounts": ACCOUNTS_PER_TEMPLATE,
        "accounts-2": ACCOUNTS_PER_TEMPLATE,
        "accounts-3": 1001 - 2 * ACCOUNTS_PER_TEMPLATE,
    }
    assert all(r["Type"] != ACCOUNT for r in rendered["organization"]["Resources"].values())
    in_templates = {lid for name, t in rendered.items() if name.startswith("accounts") for lid in t["Resources"]}
    assert in_templates == {r.logical_id for r in desired.of_type(ACCOUNT)}, "each account in exactly one template"


def test_each_template_stands_alone_and_the_engine_refers_to_the_organization() -> None:
    spec = spec_with(7)
    blueprints = {bp.name: bp for bp in build_blueprints(spec)}
    template = json.loads(blueprints["accounts"].template.to_json())
    assert set(template["Parameters"]) == {
        "RootId",
        "ParentIdSecurity",
        "ParentIdInfrastructure",
        "ParentIdWorkloadsProd",
        "ParentIdWorkloadsNonProd",
        "ParentIdSandbox",
        "ParentIdSuspended",
    }
    refs = {ref["Ref"] for r in template["Resources"].values() for ref in r["Properties"]["ParentIds"] if "Ref" in ref}
    assert refs == set(template["Parameters"]), "every parent is a Parameter, and every Parameter is used"

    engine = {r.properties["AccountName"]: r for r in blueprints["accounts"].resources}
    assert engine["acct-0001"].properties["ParentIds"] == [{"Ref": "OuInfrastructure"}]
    assert engine["acct-0006"].properties["ParentIds"] == [{"Fn::GetAtt": ["Organization", "RootId"]}]
    assert engine["acct-0007"].properties["ParentIds"] == [{"Ref": "OuSecurity"}]
    assert all(r.protected for r in engine.values())
    organization = {r.logical_id for r in blueprints["organization"].resources}
    assert {"OuInfrastructure", "OuSecurity", "Organization"} <= organization


def test_accounts_in_more_ous_than_a_template_has_parameters_fill_another_template() -> None:
    n = MAX_PARAMETERS + 1
    spec = parse_spec(
        render_spec_yaml(
            Answers(
                management_account_id="123456789012",
                organizational_units=[f"Team{i:03d}" for i in range(n)],
                accounts=[AccountAnswer(name=f"acct-{i:03d}", ou=f"Team{i:03d}") for i in range(n)],
                guardrails=["deny-leave-organization"],  # one SCP per OU: the organization template fits
            )
        )
    )
    rendered = templates(artifact_files(spec))
    assert [len(rendered[name]["Parameters"]) for name in ("accounts", "accounts-2")] == [MAX_PARAMETERS, 1]
    assert "accounts-3" not in rendered


def test_no_accounts_no_accounts_template() -> None:
    spec = parse_spec(render_spec_yaml(Answers(management_account_id="123456789012", accounts=[], identity=False)))
    assert [bp.name for bp in build_blueprints(spec)] == [
        "organization",
        "landing-zone-roles",
        "account-baseline",
        "network-baseline",
        "billing",
    ]
    assert not build_blueprints(spec)[-2].template.resources, "the baseline is of the toolkit's own types only"
