"""Guardrail packing: deterministic, within the size limit, fewest policies, whole guardrails, stable names."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from bootstrap.guardrails.library import RCP, SCP, load_library
from bootstrap.guardrails.packing import PackedPolicy, PackingError, measure, minify, pack_all, pack_ou, policy_name
from bootstrap.guardrails.parameters import LONGEST_ORGANIZATION_ID, with_organization_id
from bootstrap.spec.model import LandingZoneSpec

ALL = sorted(gid for gid, g in load_library().items() if g.policy_type == SCP)
"""Every SCP guardrail: what `pack_ou` packs by default."""
RCPS = sorted(gid for gid, g in load_library().items() if g.policy_type == RCP)
SIZES = (2600, 3000, 5120, 10240)


def make_spec(
    ous: dict[str, list[str]],
    *,
    scp_max_chars: int = 5120,
    scps_per_target: int = 10,
    reserved: int = 0,
    regions: tuple[str, ...] = ("us-east-1", "eu-west-1"),
    name: str = "acme",
    root: list[str] | None = None,
) -> LandingZoneSpec:
    return LandingZoneSpec.model_validate(
        {
            "organization": {
                "name": name,
                "management_account_id": "123456789012",
                "home_region": regions[0],
                "allowed_regions": list(regions),
                "policy_limits": {
                    "scp_max_chars": scp_max_chars,
                    "scps_per_target": scps_per_target,
                    "reserved_attachments": reserved,
                },
                "root_guardrails": root or [],
            },
            "account_email_pattern": "aws+{name}@example.com",
            "organizational_units": [{"path": p, "guardrails": g} for p, g in ous.items()],
        }
    )


def fingerprint(policies: list[PackedPolicy]) -> list[tuple[str, str, tuple[str, ...], str]]:
    return [(p.name, p.ou_path, p.guardrail_ids, minify(p.document)) for p in policies]


def statements_of(gid: str, spec: LandingZoneSpec, ou: str) -> list[dict[str, Any]]:
    """The rendered statements of one guardrail, as packed alone (the reference for "never split")."""
    alone = make_spec({ou: [gid]}, regions=tuple(spec.organization.allowed_regions))
    (policy,) = pack_ou(alone, ou)
    return list(policy.document["Statement"])


@pytest.mark.parametrize("limit", SIZES)
def test_packing_is_deterministic(limit: int) -> None:
    first = pack_all(make_spec({"Workloads": ALL, "Sandbox": ALL[:4]}, scp_max_chars=limit))
    second = pack_all(make_spec({"Workloads": ALL, "Sandbox": ALL[:4]}, scp_max_chars=limit))
    assert fingerprint(first) == fingerprint(second)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("limit", SIZES)
def test_guardrail_order_in_the_spec_does_not_matter(seed: int, limit: int) -> None:
    shuffled = list(ALL)
    random.Random(seed).shuffle(shuffled)
    reference = pack_ou(make_spec({"Workloads": ALL}, scp_max_chars=limit), "Workloads")
    assert fingerprint(pack_ou(make_spec({"Workloads": shuffled}, scp_max_chars=limit), "Workloads")) == (
        fingerprint(reference)
    )


def test_a_guardrail_listed_twice_is_packed_once() -> None:
    policies = pack_ou(make_spec({"Workloads": ["deny-root-user", "deny-root-user"]}), "Workloads")
    assert [p.guardrail_ids for p in policies] == [("deny-root-user",)]


@pytest.mark.parametrize("limit", SIZES)
def test_every_policy_fits_the_limit_as_uploaded(limit: int) -> None:
    policies = pack_ou(make_spec({"Workloads": ALL}, scp_max_chars=limit), "Workloads")
    for policy in policies:
        uploaded = json.dumps(policy.document, separators=(",", ":"))
        assert policy.size == len(uploaded) <= limit


def test_everything_in_one_policy_when_it_fits() -> None:
    policies = pack_ou(make_spec({"Workloads": ALL}, scp_max_chars=10240), "Workloads")
    assert len(policies) == 1
    assert policies[0].guardrail_ids == tuple(ALL)


@pytest.mark.parametrize("limit", SIZES)
def test_no_two_policies_could_be_merged(limit: int) -> None:
    """Fewest policies, checked where it can be: merging any two would exceed the limit."""
    policies = pack_ou(make_spec({"Workloads": ALL}, scp_max_chars=limit), "Workloads")
    for i, a in enumerate(policies):
        for b in policies[i + 1 :]:
            merged = {"Version": "2012-10-17", "Statement": [*a.document["Statement"], *b.document["Statement"]]}
            assert len(minify(merged)) > limit, f"{a.name} and {b.name} fit together"


def test_lower_bound_on_policy_count() -> None:
    """At 2,048 characters the library cannot fit in fewer policies than its size divided by the limit."""
    policies = pack_ou(make_spec({"Workloads": ALL}, scp_max_chars=2600), "Workloads")
    one = pack_ou(make_spec({"Workloads": ALL}, scp_max_chars=10240), "Workloads")[0]
    assert len(policies) >= -(-one.size // 2600)
    assert len(policies) > 1


@pytest.mark.parametrize("limit", SIZES)
def test_a_guardrail_is_never_split_across_policies(limit: int) -> None:
    spec = make_spec({"Workloads": ALL}, scp_max_chars=limit)
    policies = pack_ou(spec, "Workloads")
    carried = [gid for p in policies for gid in p.guardrail_ids]
    assert sorted(carried) == ALL, "each guardrail in exactly one policy"
    for policy in policies:
        expected = [s for gid in policy.guardrail_ids for s in statements_of(gid, spec, "Workloads")]
        assert policy.document["Statement"] == expected


@pytest.mark.parametrize("limit", SIZES)
def test_statements_follow_guardrail_ids_and_policies_their_first_id(limit: int) -> None:
    policies = pack_ou(make_spec({"Workloads": ALL}, scp_max_chars=limit), "Workloads")
    for policy in policies:
        assert list(policy.guardrail_ids) == sorted(policy.guardrail_ids)
    firsts = [p.guardrail_ids[0] for p in policies]
    assert firsts == sorted(firsts)


@pytest.mark.parametrize(
    ("org", "path", "index", "expected"),
    [
        ("acme", "Security", 1, "acme-security-1"),
        ("acme", "Workloads/Prod", 2, "acme-workloads-prod-2"),
        ("lz", "Workloads/Non Prod", 1, "lz-workloads-non-prod-1"),
        ("lz", "Shared.Services_2", 3, "lz-shared-services-2-3"),
    ],
)
def test_policy_names(org: str, path: str, index: int, expected: str) -> None:
    assert policy_name(org, path, index) == expected


def test_packed_policies_are_named_per_ou_and_numbered_from_one() -> None:
    spec = make_spec({"Workloads/Prod": ALL, "Security": ["deny-root-user"]}, scp_max_chars=2600, name="corp")
    policies = pack_all(spec)
    prod = [p for p in policies if p.ou_path == "Workloads/Prod"]
    assert [p.name for p in prod] == [f"corp-workloads-prod-{n}" for n in range(1, len(prod) + 1)]
    assert [p.name for p in policies if p.ou_path == "Security"] == ["corp-security-1"]
    assert [p.ou_path for p in policies] == ["Security", *(["Workloads/Prod"] * len(prod))], "path order"


def test_ous_without_guardrails_get_no_policy() -> None:
    spec = make_spec({"Workloads/Prod": ["deny-root-user"], "Sandbox": []})
    assert [p.ou_path for p in pack_all(spec)] == ["Workloads/Prod"]


@pytest.mark.parametrize(
    "regions", [("us-east-1",), ("eu-west-1", "us-east-1"), ("us-west-2", "ap-southeast-2", "eu-central-1")]
)
def test_region_placeholder_becomes_the_allowed_regions(regions: tuple[str, ...]) -> None:
    (policy,) = pack_ou(make_spec({"Workloads": ["deny-regions-outside-allowed"]}, regions=regions), "Workloads")
    (statement,) = policy.document["Statement"]
    assert statement["Condition"]["StringNotEquals"]["aws:RequestedRegion"] == sorted(regions)
    assert "${" not in minify(policy.document)


def test_too_many_policies_for_the_free_slots() -> None:
    needed = len(pack_ou(make_spec({"Workloads": ALL}, scp_max_chars=2600), "Workloads"))
    spec = make_spec({"Workloads": ALL}, scp_max_chars=2600, scps_per_target=needed, reserved=1)
    with pytest.raises(PackingError) as caught:
        pack_ou(spec, "Workloads")
    assert caught.value.ou_path == "Workloads"
    assert f"needs {needed} SCPs" in str(caught.value)
    assert "1 too many" in str(caught.value)
    assert pack_ou(spec, "Workloads", free_slots=needed), "a live count of free slots overrides the assumption"


def test_live_free_slot_count_can_refuse_what_the_spec_allows() -> None:
    spec = make_spec({"Workloads": ALL}, scp_max_chars=2600)
    with pytest.raises(PackingError, match="too many"):
        pack_ou(spec, "Workloads", free_slots=1)


@pytest.mark.parametrize("ou", ["Workloads", "Root"])
def test_measure_counts_the_longest_organization_id_for_every_reference(ou: str) -> None:
    """`measure` counts without copying the document: the same figure as substituting the longest id."""
    spec = make_spec({"Workloads": ALL}, root=RCPS if ou == "Root" else None)
    documents = [p.document for p in pack_ou(spec, ou, policy_type=RCP if ou == "Root" else SCP)]
    reference = {"Fn::GetAtt": ["Organization", "Id"]}
    documents.append({"A": [reference, {"B": reference}], "C": json.dumps(reference), "D": "o-"})
    for document in documents:
        substituted = with_organization_id(document, LONGEST_ORGANIZATION_ID)
        assert measure(document) == len(minify(substituted))
