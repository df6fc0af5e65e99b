"""The whole guardrail library: never lock the operator out, well-formed files, metadata, placeholders.

Every test here iterates over the library as shipped, so a guardrail added later is covered without
editing this file.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from importlib.abc import Traversable
from typing import Any

import pytest
import yaml

from blueprints.organization import ORG_ID
from bootstrap.guardrails.library import PLACEHOLDERS, RCP, SCP, load_library
from bootstrap.guardrails.packing import PackedPolicy, minify, pack_all
from bootstrap.guardrails.parameters import ORGANIZATION_ID_REF
from bootstrap.spec.model import LandingZoneSpec

BOOTSTRAP_ROLE = "AcmeAutomation-Bootstrap"
BREAK_GLASS_ROLE = "acme.break.glass"
BOOTSTRAP_ARN = f"arn:aws:iam::*:role/{BOOTSTRAP_ROLE}"
EXEMPT = {BOOTSTRAP_ARN, f"arn:aws:iam::*:role/{BREAK_GLASS_ROLE}"}
PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
META_FIELDS = {"id", "title", "rationale", "controls", "parameters", "recommended_for"}


def folders() -> list[Traversable]:
    root = resources.files("scps")
    return sorted((f for f in root.iterdir() if f.is_dir() and not f.name.startswith(("_", "."))), key=lambda f: f.name)


FOLDERS = folders()
IDS = [f.name for f in FOLDERS]


def spec_with_every_guardrail(**limits: int) -> LandingZoneSpec:
    """One OU per guardrail (so the library can grow past one policy) and one OU with all of them."""
    ous = [{"path": f"Each/{gid}", "guardrails": [gid]} for gid in IDS]
    ous.append({"path": "Everything", "guardrails": IDS})
    return LandingZoneSpec.model_validate(
        {
            "organization": {
                "name": "acme",
                "management_account_id": "123456789012",
                "home_region": "eu-west-1",
                "allowed_regions": ["eu-west-1", "eu-central-1"],
                "bootstrap_role": BOOTSTRAP_ROLE,
                "break_glass_role": BREAK_GLASS_ROLE,
                "policy_limits": {"scp_max_chars": 10240, "scps_per_target": 10, "reserved_attachments": 0, **limits},
            },
            "account_email_pattern": "aws+{name}@example.com",
            "organizational_units": ous,
        }
    )


POLICIES = pack_all(spec_with_every_guardrail())


BOOTSTRAP_ONLY_SIDS = {
    str(s["Sid"]) for g in load_library().values() if "break-glass" not in g.exempt for s in g.statements
}
"""Statements of guardrails that protect the exempt roles themselves: only the bootstrap role is exempt."""


def test_only_the_role_guardrail_withholds_the_break_glass_exemption() -> None:
    assert {g.id for g in load_library().values() if g.exempt != ("bootstrap", "break-glass")} == {
        "protect-landing-zone-roles"
    }


def deny_statements(policy: PackedPolicy) -> list[dict[str, Any]]:
    return [s for s in policy.document["Statement"] if s.get("Effect") == "Deny"]


def test_library_is_not_empty_and_every_guardrail_is_packed() -> None:
    assert len(IDS) >= 9
    assert set(IDS) == set(load_library())
    assert {gid for p in POLICIES for gid in p.guardrail_ids} == set(IDS)


SCPS = [p for p in POLICIES if p.policy_type == SCP]
RCPS = [p for p in POLICIES if p.policy_type == RCP]


@pytest.mark.parametrize("policy", SCPS, ids=[p.name for p in SCPS])
def test_every_deny_exempts_the_spec_roles(policy: PackedPolicy) -> None:
    denies = deny_statements(policy)
    assert denies, "every guardrail denies something"
    for statement in denies:
        assert "Principal" not in statement, "an SCP statement names no principal"
        not_like = statement["Condition"]["ArnNotLike"]
        principal_keys = [k for k in not_like if k.lower() == "aws:principalarn"]
        assert principal_keys == ["aws:PrincipalARN"], "exactly one principal-ARN exemption per statement"
        exempt = not_like["aws:PrincipalARN"]
        assert isinstance(exempt, list)
        expected = EXEMPT if statement["Sid"] not in BOOTSTRAP_ONLY_SIDS else {BOOTSTRAP_ARN}
        assert set(exempt) == expected, f"{statement.get('Sid')} exempts {exempt}, not {sorted(expected)}"
    assert "LandingZoneBootstrap" not in minify(policy.document), "role names come from the spec"
    assert "LandingZoneBreakGlass" not in minify(policy.document)


def test_the_library_ships_resource_control_policies() -> None:
    assert RCPS, "the data perimeter RCPs are packed"
    assert {g.id for g in load_library().values() if g.policy_type == RCP} >= {
        "rcp-deny-external-principals",
        "rcp-deny-confused-deputy",
        "rcp-deny-insecure-transport",
    }


@pytest.mark.parametrize("policy", RCPS, ids=[p.name for p in RCPS])
def test_every_rcp_deny_names_every_principal_and_exempts_no_role_by_name(policy: PackedPolicy) -> None:
    """RCPs judge principals of every account, inside the organization or not: an exemption by role name
    (`arn:aws:iam::*:role/...`) would let a role of that name in any outside account through the perimeter.
    Each Deny is narrowed by a condition instead (organization membership, or plain HTTP)."""
    denies = deny_statements(policy)
    assert denies and len(denies) == len(policy.document["Statement"]), "RCPs only deny"
    for statement in denies:
        assert statement["Principal"] == "*", "RCPs require Principal '*'"
        condition = statement["Condition"]
        assert not any(key.lower() == "aws:principalarn" for c in condition.values() for key in c)
        assert BOOTSTRAP_ROLE not in minify(statement) and BREAK_GLASS_ROLE not in minify(statement)
        keys = {key for c in condition.values() for key in c}
        assert keys & {"aws:PrincipalOrgID", "aws:SourceOrgID", "aws:SecureTransport"}, statement["Sid"]
        for operator in ("StringNotEqualsIfExists",):
            for key, value in condition.get(operator, {}).items():
                if key in ("aws:PrincipalOrgID", "aws:SourceOrgID"):
                    assert value == ORGANIZATION_ID_REF, "the live organization id, resolved at plan time"


def test_the_organization_id_reference_names_the_organization_resource() -> None:
    assert ORGANIZATION_ID_REF == {"Fn::GetAtt": [ORG_ID, "Id"]}


def test_exemption_survives_packing_at_the_smallest_limit() -> None:
    for policy in pack_all(spec_with_every_guardrail(scp_max_chars=2600)):
        if policy.policy_type != SCP:
            continue
        for statement in deny_statements(policy):
            assert BOOTSTRAP_ARN in statement["Condition"]["ArnNotLike"]["aws:PrincipalARN"]


def test_sids_are_unique_across_the_library() -> None:
    sids = [str(s.get("Sid", "")) for g in load_library().values() for s in g.statements]
    assert all(re.fullmatch(r"[A-Za-z0-9]+", sid) for sid in sids), f"every statement needs an alphanumeric Sid: {sids}"
    assert len(sids) == len(set(sids)), sorted(sid for sid in sids if sids.count(sid) > 1)


@pytest.mark.parametrize("folder", FOLDERS, ids=IDS)
def test_folder_has_policy_and_complete_metadata(folder: Traversable) -> None:
    names = {f.name for f in folder.iterdir()}
    assert {"policy.json", "metadata.yaml"} <= names
    meta = yaml.safe_load(folder.joinpath("metadata.yaml").read_text(encoding="utf-8"))
    assert isinstance(meta, dict)
    assert set(meta) >= META_FIELDS, f"missing {sorted(META_FIELDS - set(meta))}"
    assert meta["id"] == folder.name
    assert isinstance(meta["title"], str) and meta["title"].strip()
    assert isinstance(meta["rationale"], str) and len(meta["rationale"].split()) >= 10, "say why, not just what"
    assert isinstance(meta["controls"], dict)
    assert isinstance(meta["controls"].get("cis"), list)
    assert isinstance(meta["controls"].get("control_tower"), list)
    assert all(isinstance(c, str) for c in [*meta["controls"]["cis"], *meta["controls"]["control_tower"]])
    assert isinstance(meta["parameters"], list)
    assert isinstance(meta["recommended_for"], list) and meta["recommended_for"]


@pytest.mark.parametrize("folder", FOLDERS, ids=IDS)
def test_policy_document_is_valid_json_with_current_version(folder: Traversable) -> None:
    doc = json.loads(folder.joinpath("policy.json").read_text(encoding="utf-8"))
    assert doc["Version"] == "2012-10-17"
    assert isinstance(doc["Statement"], list) and doc["Statement"]
    for statement in doc["Statement"]:
        assert statement["Effect"] in ("Allow", "Deny")
        assert ("Action" in statement) != ("NotAction" in statement)
        resource = statement.get("Resource")
        assert resource == "*" or resource in PLACEHOLDERS or str(resource).startswith("arn:aws:"), resource


@pytest.mark.parametrize("folder", FOLDERS, ids=IDS)
def test_only_known_placeholders_exist_and_are_declared(folder: Traversable) -> None:
    text = folder.joinpath("policy.json").read_text(encoding="utf-8")
    used = set(PLACEHOLDER.findall(text))
    assert used <= PLACEHOLDERS
    meta = yaml.safe_load(folder.joinpath("metadata.yaml").read_text(encoding="utf-8"))
    assert {f"${{{p}}}" for p in meta["parameters"]} == used, "metadata.parameters lists the placeholders used"


@pytest.mark.parametrize("policy", POLICIES, ids=[p.name for p in POLICIES])
def test_rendered_documents_have_no_placeholder_and_are_valid(policy: PackedPolicy) -> None:
    text = minify(policy.document)
    assert not PLACEHOLDER.search(text)
    assert "${" not in text
    reparsed = json.loads(text)
    assert reparsed["Version"] == "2012-10-17"
    assert policy.size <= 10240
