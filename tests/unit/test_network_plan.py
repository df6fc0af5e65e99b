"""The CIDR allocator: stable when accounts come and go, deterministic, never overlapping what is taken, exact at
the edge of the pool, and fast at the scale of a large organization."""

from __future__ import annotations

import ipaddress
import itertools
import random
from typing import Any

import pytest

from bootstrap.spec.model import LandingZoneSpec
from bootstrap.spec.network_blocks import AllocationError, Used
from bootstrap.spec.network_plan import allocate, vpc_targets

BASE: dict[str, Any] = {
    "organization": {
        "name": "acme",
        "management_account_id": "123456789012",
        "home_region": "us-east-1",
        "allowed_regions": ["us-east-1", "eu-west-1"],
    },
    "account_email_pattern": "aws+{name}@example.com",
    "organizational_units": [{"path": "Workloads/Prod"}, {"path": "Workloads/Dev"}],
}


def make(accounts: list[str], vpcs: list[dict[str, Any]], pool: str = "10.0.0.0/8") -> LandingZoneSpec:
    data = {
        **BASE,
        "accounts": [{"name": name, "ou": "Workloads/Prod"} for name in accounts],
        "network": {"ip_pool": pool, "vpcs": vpcs},
    }
    return LandingZoneSpec.model_validate(data)


def blocks(spec: LandingZoneSpec, **kwargs: Any) -> dict[tuple[str, str, str], str]:
    return {i.key: i.cidr for i in allocate(spec, **kwargs)}


WORKLOADS = {"name": "work", "ous": ["Workloads"]}


def key(account: str, vpc: str = "work", region: str = "us-east-1") -> tuple[str, str, str]:
    return (vpc, account, region)


def test_an_account_added_in_the_middle_moves_no_existing_vpc() -> None:
    before = blocks(make(["aa", "bb", "cc"], [WORKLOADS]))
    assert list(before.values()) == ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"]
    after = blocks(make(["aa", "xx", "bb", "cc"], [WORKLOADS]), live=before)
    assert {k: after[k] for k in before} == before
    assert after[key("xx")] == "10.0.48.0/20"


def test_removing_an_account_moves_no_other_and_its_block_is_reused_once_free() -> None:
    before = blocks(make(["aa", "bb", "cc"], [WORKLOADS]))
    live = {k: v for k, v in before.items() if k != key("bb")}
    after = blocks(make(["aa", "cc"], [WORKLOADS]), live=live)
    assert after == live
    again = blocks(make(["aa", "cc", "dd"], [WORKLOADS]), live=live)
    assert again[key("dd")] == before[key("bb")], "the lowest free block: b's, deleted with b"
    held = blocks(make(["aa", "cc", "dd"], [WORKLOADS]), live=live, taken=[before[key("bb")]])
    assert held[key("dd")] == "10.0.48.0/20", "b's VPC still exists (taken): never reused"


def test_live_blocks_are_kept_even_when_the_size_changed_or_outside_the_pool() -> None:
    live = {key("aa"): "172.16.0.0/16", key("bb"): "10.0.0.0/22"}
    after = blocks(make(["aa", "bb", "cc"], [{**WORKLOADS, "size": 20}]), live=live)
    assert after == {**live, key("cc"): "10.0.16.0/20"}


@pytest.mark.parametrize(
    ("taken", "expected"),
    [
        ([], "10.0.0.0/20"),
        (["10.0.0.0/20"], "10.0.16.0/20"),
        (["10.0.0.5/32"], "10.0.16.0/20"),
        (["10.0.0.0/16"], "10.1.0.0/20"),
        (["10.0.0.0/9"], "10.128.0.0/20"),
        (["10.0.16.0/20", "10.0.0.0/24"], "10.0.32.0/20"),
        (["192.168.0.0/16", "10.0.0.0/20"], "10.0.16.0/20"),
    ],
)
def test_taken_blocks_are_avoided(taken: list[str], expected: str) -> None:
    assert blocks(make(["aa"], [WORKLOADS]), taken=taken)[key("aa")] == expected


def test_explicit_cidrs_are_kept_and_avoided() -> None:
    vpcs = [{"name": "fixed", "accounts": ["bb"], "cidr": "10.0.16.0/20"}, WORKLOADS]
    result = blocks(make(["aa", "bb", "cc"], vpcs))
    assert result[key("bb", "fixed")] == "10.0.16.0/20"
    assert [result[key(n)] for n in ("aa", "bb", "cc")] == ["10.0.0.0/20", "10.0.32.0/20", "10.0.48.0/20"]


@pytest.mark.parametrize(
    ("pool", "sizes"),
    [
        ("10.0.0.0/18", [20, 20, 20, 20]),
        ("10.0.0.0/16", [18, 17, 18]),
        ("10.0.0.0/16", [27] * 8 + [17, 18, 19, 20, 21, 22, 23, 24]),
        ("192.168.0.0/24", [27] * 8),
    ],
)
def test_an_exactly_fitting_pool_holds_every_block(pool: str, sizes: list[int]) -> None:
    vpcs = [
        {"name": f"v{n}", "accounts": ["aa"], "size": size, "subnets": [{"tier": "private", "size": 28}]}
        for n, size in enumerate(sizes)
    ]
    result = allocate(make(["aa"], vpcs, pool))
    total = sum(ipaddress.ip_network(i.cidr).num_addresses for i in result)
    assert total == ipaddress.ip_network(pool).num_addresses
    _assert_disjoint([i.cidr for i in result])


@pytest.mark.parametrize(
    ("pool", "sizes", "says", "fix"),
    [
        ("10.0.0.0/18", [20] * 5, "the VPCs need 5 /20 blocks and the pool 10.0.0.0/18 holds 4: short by 1", "/17"),
        ("10.0.0.0/16", [20] * 40, "need 40 /20 blocks and the pool 10.0.0.0/16 holds 16: short by 24", "/14"),
        (
            "10.0.0.0/16",
            [16, 24],
            "need 1 /16 and 1 /24 blocks and the pool 10.0.0.0/16 has 65,536 free addresses: short by 256 addresses",
            "/15",
        ),
    ],
)
def test_a_pool_too_small_says_by_how_much(pool: str, sizes: list[int], says: str, fix: str) -> None:
    vpcs = [
        {"name": f"v{n}", "accounts": ["aa"], "size": size, "subnets": [{"tier": "private", "size": 28}]}
        for n, size in enumerate(sizes)
    ]
    with pytest.raises(AllocationError) as caught:
        allocate(make(["aa"], vpcs, pool))
    assert says in str(caught.value)
    assert f"a {fix} at least" in caught.value.fix
    assert caught.value.loc == ("network", "ip_pool")


def test_a_pool_with_room_broken_into_pieces_says_so() -> None:
    vpcs = [{"name": "big", "accounts": ["aa"], "size": 17}]
    with pytest.raises(AllocationError) as caught:
        allocate(make(["aa"], vpcs, "10.0.0.0/16"), taken=["10.0.64.0/24", "10.0.192.0/24"])
    assert "(512 of its addresses are used by explicit, live or other VPCs)" in str(caught.value)
    assert "break its free space into pieces too small" in str(caught.value)


def test_the_same_spec_and_live_state_give_the_same_plan() -> None:
    spec = make(
        [f"a{n}" for n in range(30)],
        [WORKLOADS, {"name": "edge", "ous": ["Workloads"], "size": 24, "subnets": [{"tier": "private", "size": 26}]}],
    )
    live = {key("a3"): "10.9.0.0/20"}
    assert allocate(spec, live=live, taken=["10.0.0.0/22"]) == allocate(spec, live=live, taken=["10.0.0.0/22"])


def test_subnets_lie_inside_their_vpc_largest_first_in_zone_order() -> None:
    vpc = {
        **WORKLOADS,
        "availability_zones": 3,
        "subnets": [{"tier": "public", "size": 24}, {"tier": "private", "size": 23}, {"tier": "isolated", "size": 24}],
    }
    (instance,) = allocate(make(["aa"], [vpc]))
    assert instance.zones == ("us-east-1a", "us-east-1b", "us-east-1c")
    laid = [(s.tier, s.zone[-1], s.cidr) for s in instance.subnets]
    assert laid == [
        ("public", "a", "10.0.6.0/24"),
        ("public", "b", "10.0.7.0/24"),
        ("public", "c", "10.0.8.0/24"),
        ("private", "a", "10.0.0.0/23"),
        ("private", "b", "10.0.2.0/23"),
        ("private", "c", "10.0.4.0/23"),
        ("isolated", "a", "10.0.9.0/24"),
        ("isolated", "b", "10.0.10.0/24"),
        ("isolated", "c", "10.0.11.0/24"),
    ]
    _assert_disjoint([s.cidr for s in instance.subnets])


def test_zones_are_the_regions_own_letters() -> None:
    data = make(["aa"], []).model_dump(mode="json")
    data["organization"]["allowed_regions"] = ["us-east-1", "ap-northeast-1"]
    data["network"]["vpcs"] = [{**WORKLOADS, "regions": ["ap-northeast-1"], "availability_zones": 3}]
    (instance,) = allocate(LandingZoneSpec.model_validate(data))
    assert instance.zones == ("ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d")
    assert {s.zone for s in instance.subnets} == set(instance.zones)


def test_targets_are_accounts_named_then_the_ous_accounts_in_spec_order() -> None:
    spec = make(
        ["aa", "bb"],
        [
            {
                "name": "work",
                "ous": ["Workloads/Prod"],
                "accounts": ["management", "bb"],
                "regions": ["us-east-1", "eu-west-1"],
            }
        ],
    )
    assert vpc_targets(spec, spec.network.vpcs[0]) == [
        ("management", "us-east-1"),
        ("management", "eu-west-1"),
        ("aa", "us-east-1"),
        ("aa", "eu-west-1"),
        ("bb", "us-east-1"),
        ("bb", "eu-west-1"),
    ]


def test_a_thousand_mixed_vpcs_in_a_slash_8_allocate_disjoint_around_taken_blocks() -> None:
    """Correctness at scale; its speed is `benchmarks/network_scale.py`'s to measure (a timed test fails under load)."""
    names = [f"acct-{n:04d}" for n in range(1000)]
    big = [{"name": "big", "accounts": names[:200], "size": 16}]
    small = [
        {
            "name": "small",
            "accounts": names[200:],
            "size": 27,
            "subnets": [{"tier": "private", "size": 28}],
            "availability_zones": 2,
        }
    ]
    spec = make(names, [*small, *big])
    taken = [f"10.255.{n}.0/24" for n in range(0, 256, 3)]
    result = allocate(spec, taken=taken)
    assert len(result) == 1000
    _assert_disjoint([i.cidr for i in result] + taken)


def test_the_interval_search_finds_what_testing_every_candidate_finds() -> None:
    rng = random.Random(7)
    pool = ipaddress.IPv4Network("10.0.0.0/20")
    for _ in range(200):
        used = Used()
        naive: list[ipaddress.IPv4Network] = []
        for _ in range(rng.randrange(1, 12)):
            prefix = rng.randrange(21, 29)
            if rng.random() < 0.4:
                block = ipaddress.IPv4Network((int(pool.network_address) + rng.randrange(0, 4096, 16), 28))
                block = block.supernet(new_prefix=rng.randrange(22, 29))
            else:
                found = used.lowest_free(pool, prefix)
                expected = next(
                    (c for c in pool.subnets(new_prefix=prefix) if not any(c.overlaps(u) for u in naive)), None
                )
                assert found == expected
                if found is None:
                    continue
                block = found
            used.add(block)
            naive.append(block)


def _assert_disjoint(cidrs: list[str]) -> None:
    networks = sorted(ipaddress.ip_network(c) for c in cidrs)
    for first, second in itertools.pairwise(networks):
        assert not first.overlaps(second), (first, second)
