"""How a VPC's block is divided into its subnets: one subnet per tier and availability zone.

In an empty VPC (`render`, and every VPC not created yet) tiers are laid out largest first (ties in the order
written), each tier's subnets in zone order, each at the lowest free aligned block of its size. That layout is the
same for every VPC of a spec and block size, so it is computed once per shape (`fresh_layout`).

A VPC that exists is laid out against its live subnets (`live_layout`), as VPC blocks are against live VPCs. A
subnet that exists at the spec's (tier, zone) keeps its live block while it still has the tier's size: adding,
removing or reordering tiers, or changing the number of zones, never renumbers a live subnet. (AWS cannot change a
subnet's block: renumbering means replacing the subnet, which AWS refuses while anything runs in it.) Every other
subnet gets, in the empty VPC's order, the lowest free block of its size that no live or planned subnet of the VPC
uses. Only when the VPC has no such room does a subnet take the range of a live subnet the plan removes, one the
toolkit made and nothing runs in (`LiveSubnet.freeable`): a subnet the spec dropped, or the old block of one whose
size changed (that one's range only for its own replacement, or for a subnet the spec adds). The plan then removes
that subnet before it creates the one taking its range (`bootstrap.types.ec2_subnets`: `TypeRule.frees_for`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bootstrap.spec.network_blocks import AllocationError, Network, SubnetBlock, Used, v4
from bootstrap.spec.network_model import VpcSpec


@dataclass(frozen=True)
class LiveSubnet:
    """A subnet that exists in a VPC the spec keeps, as the allocation sees it."""

    cidr: str
    tier: str | None = None
    zone: str | None = None
    """The tier and zone (`eu-west-1a`) of the spec's address it is at; None: at no address of this VPC."""
    freeable: bool = False
    """The toolkit made it and nothing else runs in it, so the plan may delete or replace it, freeing its range."""


def tier_need(vpc: VpcSpec) -> int:
    """Addresses the VPC's subnet tiers take: one subnet of each tier in each availability zone."""
    return sum(vpc.availability_zones * 2 ** (32 - tier.size) for tier in vpc.subnets)


def fresh_layout(vpc: VpcSpec, block: Network, zones: int) -> list[tuple[int, int, int, int]]:
    """(tier index, zone index, offset from the VPC's first address, prefix) of each subnet of an empty VPC, tiers
    as written. The same for every VPC of this spec and block size."""
    used = Used()
    placed: dict[tuple[int, int], tuple[int, int]] = {}
    start = Network((0, block.prefixlen))
    for index in _largest_first(vpc):
        tier = vpc.subnets[index]
        for zone in range(zones):
            sub = used.lowest_free(start, tier.size)
            if sub is None:
                raise _no_room(vpc, block)
            used.add(sub)
            placed[(index, zone)] = (int(sub.network_address), tier.size)
    return [(i, z, *placed[(i, z)]) for i in range(len(vpc.subnets)) for z in range(zones)]


def live_layout(
    vpc: VpcSpec, block: Network, zones: Sequence[str], live: Sequence[LiveSubnet]
) -> tuple[SubnetBlock, ...]:
    """The subnets of an existing VPC (`block`) whose live subnets are `live`: kept where they fit, the others
    placed around every live subnet (or, lacking room, in the ranges the plan frees), tiers as written."""
    at: dict[tuple[str | None, str | None], LiveSubnet] = {(s.tier, s.zone): s for s in live if s.tier is not None}
    kept: dict[tuple[str, str], Network] = {}
    for tier in vpc.subnets:
        for zone in zones:
            found = at.get((tier.tier, zone))
            if found is not None and v4(found.cidr).prefixlen == tier.size and v4(found.cidr).subnet_of(block):
                kept[(tier.tier, zone)] = v4(found.cidr)
    slots: list[tuple[str, int, str]] = [
        (vpc.subnets[i].tier, vpc.subnets[i].size, zone) for i in _largest_first(vpc) for zone in zones
    ]
    todo = [(tier, size, zone) for tier, size, zone in slots if (tier, zone) not in kept]
    others = [s for s in live if v4(s.cidr) not in kept.values()]
    placed = _around_every_live(block, todo, [*kept.values(), *map(_net, others)])
    if placed is None:
        placed = _reusing_freed(block, todo, list(kept.values()), others, at)
    if placed is None:
        raise _no_room(vpc, block)
    chosen = {**kept, **placed}
    return tuple(SubnetBlock(t.tier, zone, str(chosen[(t.tier, zone)])) for t in vpc.subnets for zone in zones)


def _around_every_live(
    block: Network, todo: list[tuple[str, int, str]], live: list[Network]
) -> dict[tuple[str, str], Network] | None:
    """Each subnet to place at the lowest free block no live or planned subnet uses; None if one does not fit."""
    used = Used()
    for network in live:
        used.add(network)
    placed = {}
    for tier, size, zone in todo:
        sub = used.lowest_free(block, size)
        if sub is None:
            return None
        used.add(sub)
        placed[(tier, zone)] = sub
    return placed


def _reusing_freed(
    block: Network,
    todo: list[tuple[str, int, str]],
    kept: list[Network],
    others: list[LiveSubnet],
    at: dict[tuple[str | None, str | None], LiveSubnet],
) -> dict[tuple[str, str], Network] | None:
    """As `_around_every_live`, but a subnet may take the range of a freeable live subnet the plan removes: any
    subnet a dropped one's, a new subnet a replaced one's, a replaced subnet its own old one. Never a replaced
    subnet another replaced one's range: each would then wait for the other."""
    slots = {(tier, zone) for tier, _, zone in todo}
    replaced = {(s.tier, s.zone) for s in others if s.freeable and (s.tier, s.zone) in slots}
    placed: dict[tuple[str, str], Network] = {}
    for tier, size, zone in todo:
        used = Used()
        for network in [*kept, *placed.values()]:
            used.add(network)
        for other in others:
            mine = (other.tier, other.zone) == (tier, zone)
            frees = other.freeable and (mine or (tier, zone) not in at or (other.tier, other.zone) not in replaced)
            if not frees:
                used.add(_net(other))
        sub = used.lowest_free(block, size)
        if sub is None:
            return None
        placed[(tier, zone)] = sub
    return placed


def _net(subnet: LiveSubnet) -> Network:
    return v4(subnet.cidr)


def _largest_first(vpc: VpcSpec) -> list[int]:
    """Tier indexes, largest subnets first (ties in the order written)."""
    return sorted(range(len(vpc.subnets)), key=lambda index: vpc.subnets[index].size)


def _no_room(vpc: VpcSpec, block: Network) -> AllocationError:
    return AllocationError(
        f"VPC {vpc.name} (a /{block.prefixlen}, {block.num_addresses:,} addresses) cannot hold its subnet "
        f"tiers ({tier_need(vpc):,} addresses)",
        "Make the subnets smaller (a larger `size`), or the VPC larger (a smaller `size`).",
        ("network", "vpcs"),
    )
