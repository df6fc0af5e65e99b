"""The subnet layout against live state (`bootstrap.spec.network_subnets`): a live subnet keeps its block while its
tier keeps its size, whatever happens to the other tiers and zones; a new subnet takes the lowest free block no live
subnet uses; only a full VPC reuses the ranges the plan frees, never one held by a subnet in use; and the same spec
and live state always give the same layout."""

from __future__ import annotations

import ipaddress
import itertools
import random
from typing import Any

import pytest
from variants import default_spec, network_spec

from bootstrap.spec.model import LandingZoneSpec
from bootstrap.spec.network_blocks import AllocationError, v4
from bootstrap.spec.network_model import VpcSpec
from bootstrap.spec.network_plan import allocate
from bootstrap.spec.network_subnets import LiveSubnet, live_layout

PUBLIC_PRIVATE = [{"tier": "public", "size": 24}, {"tier": "private", "size": 24}]


def vpc(tiers: list[dict[str, Any]], zones: int = 2) -> VpcSpec:
    return VpcSpec.model_validate({"name": "main", "accounts": ["aa"], "subnets": tiers, "availability_zones": zones})


def ours(tier: str, zone: str, cidr: str) -> LiveSubnet:
    """A subnet the toolkit made at the spec's (tier, zone), nothing running in it."""
    return LiveSubnet(cidr, tier, f"us-east-1{zone}", freeable=True)


def layout(tiers: list[dict[str, Any]], live: list[LiveSubnet], block: str = "10.0.0.0/20", zones: int = 2) -> Any:
    spec = vpc(tiers, zones)
    names = ("us-east-1a", "us-east-1b", "us-east-1c")[:zones]
    return [(s.tier, s.zone[-1], s.cidr) for s in live_layout(spec, v4(block), names, live)]


BEFORE = [  # [public /24, private /24] in two zones, as an empty VPC lays them out
    ours("public", "a", "10.0.0.0/24"),
    ours("public", "b", "10.0.1.0/24"),
    ours("private", "a", "10.0.2.0/24"),
    ours("private", "b", "10.0.3.0/24"),
]

CASES: dict[str, tuple[list[dict[str, Any]], list[LiveSubnet], int, list[tuple[str, str, str]]]] = {
    "a tier removed: the others keep their blocks": (
        [{"tier": "private", "size": 24}],
        BEFORE,
        2,
        [("private", "a", "10.0.2.0/24"), ("private", "b", "10.0.3.0/24")],
    ),
    "a tier added before the existing one: it goes around them": (
        PUBLIC_PRIVATE,
        [ours("private", "a", "10.0.0.0/24"), ours("private", "b", "10.0.1.0/24")],
        2,
        [
            ("public", "a", "10.0.2.0/24"),
            ("public", "b", "10.0.3.0/24"),
            ("private", "a", "10.0.0.0/24"),
            ("private", "b", "10.0.1.0/24"),
        ],
    ),
    "tiers reordered: nothing moves": (
        [PUBLIC_PRIVATE[1], PUBLIC_PRIVATE[0]],
        BEFORE,
        2,
        [
            ("private", "a", "10.0.2.0/24"),
            ("private", "b", "10.0.3.0/24"),
            ("public", "a", "10.0.0.0/24"),
            ("public", "b", "10.0.1.0/24"),
        ],
    ),
    "three zones become two: a and b keep theirs": (
        [{"tier": "private", "size": 24}],
        [*BEFORE[2:], ours("private", "c", "10.0.4.0/24")],
        2,
        [("private", "a", "10.0.2.0/24"), ("private", "b", "10.0.3.0/24")],
    ),
    "two zones become three: the new zone takes the lowest free block": (
        PUBLIC_PRIVATE,
        BEFORE,
        3,
        [
            ("public", "a", "10.0.0.0/24"),
            ("public", "b", "10.0.1.0/24"),
            ("public", "c", "10.0.4.0/24"),
            ("private", "a", "10.0.2.0/24"),
            ("private", "b", "10.0.3.0/24"),
            ("private", "c", "10.0.5.0/24"),
        ],
    ),
    "a tier's size changed: its subnets move around every live one, the rest stay": (
        [{"tier": "public", "size": 24}, {"tier": "private", "size": 23}],
        BEFORE,
        2,
        [
            ("public", "a", "10.0.0.0/24"),
            ("public", "b", "10.0.1.0/24"),
            ("private", "a", "10.0.4.0/23"),
            ("private", "b", "10.0.6.0/23"),
        ],
    ),
    "a subnet someone else made in the VPC is avoided": (
        [{"tier": "private", "size": 24}],
        [ours("private", "a", "10.0.0.0/24"), LiveSubnet("10.0.1.0/24")],
        2,
        [("private", "a", "10.0.0.0/24"), ("private", "b", "10.0.2.0/24")],
    ),
    "a subnet kept outside the order an empty VPC would use is not moved back": (
        [{"tier": "private", "size": 24}],
        [ours("private", "a", "10.0.9.0/24"), ours("private", "b", "10.0.4.0/24")],
        2,
        [("private", "a", "10.0.9.0/24"), ("private", "b", "10.0.4.0/24")],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_live_subnets_keep_their_blocks(case: str) -> None:
    tiers, live, zones, expected = CASES[case]
    assert layout(tiers, live, zones=zones) == expected


FULL = [  # [public /26, private /26] in two zones fill a /24
    ours("public", "a", "10.0.0.0/26"),
    ours("public", "b", "10.0.0.64/26"),
    ours("private", "a", "10.0.0.128/26"),
    ours("private", "b", "10.0.0.192/26"),
]

FULL_CASES: dict[str, tuple[list[dict[str, Any]], list[LiveSubnet], list[tuple[str, str, str]]]] = {
    "a tier replacing a dropped one takes its freed range": (
        [{"tier": "isolated", "size": 26}, {"tier": "private", "size": 26}],
        FULL,
        [
            ("isolated", "a", "10.0.0.0/26"),
            ("isolated", "b", "10.0.0.64/26"),
            ("private", "a", "10.0.0.128/26"),
            ("private", "b", "10.0.0.192/26"),
        ],
    ),
    "a resized tier takes its own old range, never another replaced subnet's": (
        [{"tier": "private", "size": 26}],
        [ours("private", "a", "10.0.0.0/25"), ours("private", "b", "10.0.0.128/25")],
        [("private", "a", "10.0.0.0/26"), ("private", "b", "10.0.0.128/26")],
    ),
}


@pytest.mark.parametrize("case", sorted(FULL_CASES))
def test_a_full_vpc_reuses_only_what_the_plan_frees(case: str) -> None:
    tiers, live, expected = FULL_CASES[case]
    assert layout(tiers, live, block="10.0.0.0/24") == expected


def test_a_range_held_by_a_subnet_in_use_is_never_reused() -> None:
    held = [LiveSubnet("10.0.0.0/26", "public", "us-east-1a", freeable=False), *FULL[1:]]
    with pytest.raises(AllocationError, match="cannot hold its subnet tiers"):
        layout([{"tier": "isolated", "size": 26}, {"tier": "private", "size": 26}], held, block="10.0.0.0/24")


def test_the_same_live_state_in_any_order_gives_the_same_layout() -> None:
    tiers = [{"tier": "public", "size": 25}, {"tier": "private", "size": 23}, {"tier": "isolated", "size": 26}]
    live = [*BEFORE, LiveSubnet("10.0.7.0/24"), ours("isolated", "c", "10.0.8.0/26")]
    first = layout(tiers, live, zones=3)
    rng = random.Random(3)
    for _ in range(20):
        shuffled = list(live)
        rng.shuffle(shuffled)
        assert layout(tiers, shuffled, zones=3) == first
    cidrs = [ipaddress.ip_network(cidr) for _, _, cidr in first]
    live_cidrs = [ipaddress.ip_network(s.cidr) for s in live if s.cidr not in {c for _, _, c in first}]
    for one, other in itertools.combinations(cidrs + live_cidrs, 2):
        assert not one.overlaps(other), (one, other)


def _spec(tiers: list[dict[str, Any]]) -> LandingZoneSpec:
    return network_spec(default_spec(), [{"name": "main", "ous": ["Workloads"], "subnets": tiers}])


def test_allocate_lays_out_only_the_vpcs_with_live_subnets_against_them() -> None:
    """`render` (no live state) is the empty organization's layout; with live state, a VPC that has live subnets
    keeps them and the others are laid out as in an empty VPC."""
    before = _spec(PUBLIC_PRIVATE)
    rendered = {i.account: i for i in allocate(before)}
    prod = rendered["app-prod"]
    assert [s.cidr for s in prod.subnets] == ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
    live = {prod.key: prod.cidr}
    subnets = {prod.key: [ours(s.tier, s.zone[-1], s.cidr) for s in prod.subnets]}
    after = {i.account: i for i in allocate(_spec([PUBLIC_PRIVATE[1]]), live=live, subnets=subnets)}
    assert [s.cidr for s in after["app-prod"].subnets] == ["10.0.2.0/24", "10.0.3.0/24"]  # kept
    assert [s.cidr for s in after["app-dev"].subnets] == ["10.0.16.0/24", "10.0.17.0/24"]  # new VPC: empty layout
    again = allocate(_spec([PUBLIC_PRIVATE[1]]), live=live, subnets=subnets)
    assert again == list(after.values())
