"""Packing per target and per policy type: the Root's policies, RCPs, each type's quota and reserved slots."""

from __future__ import annotations

import pytest

from bootstrap.guardrails import packing
from bootstrap.guardrails.library import RCP, SCP, load_library
from bootstrap.guardrails.packing import PackingError, minify, pack_all, pack_ou, policy_name
from bootstrap.guardrails.parameters import LONGEST_ORGANIZATION_ID, ORGANIZATION_ID_REF
from bootstrap.spec.model import ROOT, LandingZoneSpec

ROLES = "protect-landing-zone-roles"
ALL = sorted(gid for gid, g in load_library().items() if g.policy_type == SCP)
RCPS = sorted(gid for gid, g in load_library().items() if g.policy_type == RCP)


def make_spec(
    ous: dict[str, list[str]],
    *,
    root: list[str],
    scp_max_chars: int = 5120,
    scps_per_target: int = 10,
    reserved: int = 0,
) -> LandingZoneSpec:
    return LandingZoneSpec.model_validate(
        {
            "organization": {
                "name": "acme",
                "management_account_id": "123456789012",
                "home_region": "us-east-1",
                "allowed_regions": ["us-east-1"],
                "policy_limits": {
                    "scp_max_chars": scp_max_chars,
                    "scps_per_target": scps_per_target,
                    "reserved_attachments": reserved,
                },
                "root_guardrails": root,
            },
            "account_email_pattern": "aws+{name}@example.com",
            "organizational_units": [{"path": p, "guardrails": g} for p, g in ous.items()],
        }
    )


@pytest.mark.parametrize(
    ("target", "policy_type", "index", "expected"),
    [
        (ROOT, SCP, 1, "acme-root-1"),
        (ROOT, RCP, 1, "acme-root-rcp-1"),
        ("Workloads/Prod", RCP, 2, "acme-workloads-prod-rcp-2"),
        ("Security", SCP, 1, "acme-security-1"),
    ],
)
def test_policy_names_per_target_and_type(target: str, policy_type: str, index: int, expected: str) -> None:
    assert policy_name("acme", target, index, policy_type) == expected


def test_root_guardrails_are_packed_at_the_root_by_type() -> None:
    spec = make_spec({"Workloads": ["deny-root-user"]}, root=[ROLES, *RCPS])
    policies = pack_all(spec)
    assert [(p.name, p.ou_path, p.policy_type, p.guardrail_ids) for p in policies] == [
        ("acme-root-1", ROOT, SCP, (ROLES,)),
        ("acme-root-rcp-1", ROOT, RCP, tuple(RCPS)),
        ("acme-workloads-1", "Workloads", SCP, ("deny-root-user",)),
    ]
    assert all(p.at_root for p in policies[:2])
    rcp = policies[1]
    assert rcp.max_chars == 5120
    assert all(s["Principal"] == "*" for s in rcp.document["Statement"])


def test_an_ou_can_carry_rcps_of_its_own() -> None:
    spec = make_spec({"Sandbox": ["deny-root-user", "rcp-deny-insecure-transport"]}, root=[])
    assert [(p.name, p.policy_type) for p in pack_all(spec)] == [("acme-sandbox-1", SCP), ("acme-sandbox-rcp-1", RCP)]


def test_rcp_size_counts_the_longest_organization_id() -> None:
    (policy,) = pack_ou(make_spec({}, root=["rcp-deny-external-principals"]), ROOT, policy_type=RCP)
    text = minify(policy.document)
    assert minify(ORGANIZATION_ID_REF) in text, "the id is a reference until apply"
    as_uploaded = text.replace(minify(ORGANIZATION_ID_REF), f'"{LONGEST_ORGANIZATION_ID}"')
    assert policy.size == len(as_uploaded)
    assert LONGEST_ORGANIZATION_ID == "o-" + "a" * 32


def test_rcps_do_not_take_scp_slots() -> None:
    """Two SCP slots, one reserved for FullAWSAccess: one SCP and one RCP at the Root still fit."""
    spec = make_spec({}, scps_per_target=2, reserved=1, root=[ROLES, *RCPS])
    assert [p.policy_type for p in pack_all(spec)] == [SCP, RCP]


def test_root_scps_count_the_reserved_full_aws_access_slot() -> None:
    needed = len(pack_ou(make_spec({}, scp_max_chars=2600, root=ALL), ROOT))
    assert needed > 1
    spec = make_spec({}, scp_max_chars=2600, scps_per_target=needed, reserved=1, root=ALL)
    with pytest.raises(PackingError) as caught:
        pack_ou(spec, ROOT)
    assert caught.value.ou_path == ROOT
    message = str(caught.value)
    assert f"the Root needs {needed} SCPs" in message
    assert f"only {needed - 1} of {needed} attachment slots are free (1 taken by policies such as FullAWSAccess)" in (
        message
    )
    assert "Attach fewer guardrails to the Root" in caught.value.fix


@pytest.fixture
def small_rcps(monkeypatch: pytest.MonkeyPatch) -> int:
    """An RCP limit each data-perimeter guardrail fits alone but no two together: one RCP per guardrail."""
    sizes = [pack_ou(make_spec({}, root=[g]), ROOT, policy_type=RCP)[0].size for g in RCPS]
    limit = max(sizes)
    assert all(a + b - 40 > limit for i, a in enumerate(sizes) for b in sizes[i + 1 :]), "grow the case"
    monkeypatch.setattr(packing, "RCP_MAX_CHARS", limit)
    return limit


@pytest.mark.parametrize(
    ("per_target", "fits"),
    [
        (4, True),  # 3 RCPs + RCPFullAWSAccess = 4
        (3, False),  # RCPFullAWSAccess leaves 2 slots for 3 RCPs
    ],
)
def test_rcp_quota_counts_rcp_full_aws_access(
    small_rcps: int, monkeypatch: pytest.MonkeyPatch, per_target: int, fits: bool
) -> None:
    monkeypatch.setattr(packing, "RCPS_PER_TARGET", per_target)
    spec = make_spec({}, root=RCPS)
    if fits:
        policies = pack_ou(spec, ROOT, policy_type=RCP)
        assert [p.name for p in policies] == ["acme-root-rcp-1", "acme-root-rcp-2", "acme-root-rcp-3"]
        assert all(p.size <= small_rcps for p in policies)
        return
    with pytest.raises(PackingError) as caught:
        pack_ou(spec, ROOT, policy_type=RCP)
    assert str(caught.value) == (
        f"the Root needs 3 RCPs for its guardrails but only 2 of {per_target} attachment slots are free "
        "(1 taken by policies such as RCPFullAWSAccess): 1 too many"
    )


def test_live_free_rcp_slots_override_the_assumption() -> None:
    spec = make_spec({}, root=RCPS)
    with pytest.raises(PackingError, match=r"needs 1 RCPs .* only 0 of 5"):
        pack_ou(spec, ROOT, policy_type=RCP, free_slots=0)


def test_a_guardrail_too_big_for_the_rcp_limit_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packing, "RCP_MAX_CHARS", 300)
    with pytest.raises(PackingError, match=r"rcp-deny-external-principals alone is .* over the 300-character RCP"):
        pack_ou(make_spec({}, root=["rcp-deny-external-principals"]), ROOT, policy_type=RCP)
