"""What the spec's `network` section means: which account-regions each custom VPC lands in, and the CIDR blocks of
each VPC and its subnets.

Allocation is stable and deterministic. Each (VPC name, account, region) gets one block from `ip_pool`: an explicit
`cidr` as written; a VPC that exists keeps its live block (`live`); a new one gets the lowest free block of its size
that overlaps no block in use (`taken`: every live VPC seen in the organization, managed or not, so a later peering
or transit gateway cannot collide) and no block allocated before it. New blocks are placed largest first (ties in
the spec's order: VPCs as written, then their targets), so an empty pool is packed without gaps: a pool whose size
covers the sum of the blocks always holds them. With no live state (`render`), this is the allocation an empty
organization would get. Subnets are laid out inside their VPC's block the same way: largest tier first (ties in the
order written), each tier's subnets in zone order, each at the lowest free aligned block of its size.

The search skips whole runs of used addresses (`_Used`, a sorted list of merged intervals, and per block size the
lowest position still worth trying), so a /8 pool with thousands of VPCs allocates in milliseconds.
"""

from __future__ import annotations

import ipaddress
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec
from bootstrap.spec.network_model import VpcSpec
from bootstrap.spec.network_zones import zone_names

Network = ipaddress.IPv4Network


@dataclass(frozen=True)
class SubnetBlock:
    tier: str
    zone: str
    """The availability zone's name (`eu-west-1a`)."""
    cidr: str


@dataclass(frozen=True)
class VpcInstance:
    """One custom VPC in one account-region, with its blocks."""

    spec: VpcSpec
    account: str
    region: str
    cidr: str
    zones: tuple[str, ...]
    subnets: tuple[SubnetBlock, ...]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.spec.name, self.account, self.region)


class AllocationError(ValueError):
    """The pool or a VPC's block cannot hold what the spec asks for (`validate` reports it with the field)."""

    def __init__(self, message: str, fix: str, loc: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.fix = fix
        self.loc = loc


def vpc_targets(spec: LandingZoneSpec, vpc: VpcSpec) -> list[tuple[str, str]]:
    """(account, region) pairs the VPC lands in: accounts named, then every account in a named OU or below it, in
    the spec's account order; regions as written, or the home region."""
    names: list[str] = []
    if MANAGEMENT in vpc.accounts:
        names.append(MANAGEMENT)
    for account in spec.accounts:
        in_ou = any(account.ou == ou or account.ou.startswith(ou + "/") for ou in vpc.ous)
        if account.name in vpc.accounts or in_ou:
            names.append(account.name)
    regions = vpc.regions or [spec.organization.home_region]
    return [(account, region) for account in names for region in regions]


def allocate(
    spec: LandingZoneSpec,
    live: Mapping[tuple[str, str, str], str] | None = None,
    taken: Iterable[str] = (),
) -> list[VpcInstance]:
    """Every custom VPC instance of the spec with its blocks, in the spec's order; `live` maps (VPC name, account,
    region) to the block of a managed VPC that exists, `taken` lists every other block in use in the organization."""
    live = live or {}
    pool = _v4(spec.network.ip_pool)
    used = _Used()
    for cidr in taken:
        used.add(_v4(cidr))
    chosen: dict[tuple[str, str, str], Network] = {}
    order = [(vpc, account, region) for vpc in spec.network.vpcs for account, region in vpc_targets(spec, vpc)]
    for vpc, account, region in order:  # fixed blocks first: live, then explicit
        key = (vpc.name, account, region)
        fixed = live.get(key) or vpc.cidr
        if fixed is not None:
            chosen[key] = _v4(fixed)
            used.add(chosen[key])
    new = sorted(
        ((vpc, account, region) for vpc, account, region in order if (vpc.name, account, region) not in chosen),
        key=lambda item: item[0].size,  # stable: ties keep the spec's order
    )
    in_use = used.inside(pool)
    for vpc, account, region in new:
        block = used.lowest_free(pool, vpc.size)
        if block is None:
            raise _pool_error(pool, [v.size for v, _, _ in new], in_use)
        chosen[(vpc.name, account, region)] = block
        used.add(block)
    layouts: dict[tuple[str, int], list[tuple[int, int, int, int]]] = {}
    result = []
    for vpc, account, region in order:
        block = chosen[(vpc.name, account, region)]
        zones = zone_names(region, vpc.availability_zones)
        shape = (vpc.name, block.prefixlen)
        if shape not in layouts:
            layouts[shape] = _layout(vpc, block, len(zones))
        base = int(block.network_address)
        subnets = tuple(
            SubnetBlock(vpc.subnets[tier].tier, zones[zone], _cidr(base + offset, prefix))
            for tier, zone, offset, prefix in layouts[shape]
        )
        result.append(VpcInstance(vpc, account, region, str(block), zones, subnets))
    return result


def tier_need(vpc: VpcSpec) -> int:
    """Addresses the VPC's subnet tiers take: one subnet of each tier in each availability zone."""
    return sum(vpc.availability_zones * 2 ** (32 - tier.size) for tier in vpc.subnets)


def describe_need(sizes: Iterable[int]) -> str:
    """`40 /20 blocks`, or `3 /16 and 40 /20 blocks`."""
    counts: dict[int, int] = {}
    for size in sizes:
        counts[size] = counts.get(size, 0) + 1
    parts = [f"{counts[size]:,} /{size}" for size in sorted(counts)]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{joined} block{'s' if sum(counts.values()) > 1 else ''}"


def _pool_error(pool: Network, sizes: list[int], in_use: int) -> AllocationError:
    """What the new blocks need against what the pool has free once explicit, live and other blocks are out."""
    need = sum(2 ** (32 - size) for size in sizes)
    free = pool.num_addresses - in_use
    if len(set(sizes)) == 1:
        size = sizes[0]
        holds = f"the pool {pool} {'has room for' if in_use else 'holds'} {free // 2 ** (32 - size):,}"
        short = f"short by {len(sizes) - free // 2 ** (32 - size):,}"
    else:
        holds = f"the pool {pool} has {free:,} free addresses"
        short = f"short by {max(need - free, 0):,} addresses"
    taken_note = f" ({in_use:,} of its addresses are used by explicit, live or other VPCs)" if in_use else ""
    if need <= free:
        message = (
            f"the VPCs need {describe_need(sizes)} ({need:,} addresses) and {holds}{taken_note}, but the blocks in "
            "use break its free space into pieces too small for them"
        )
    else:
        message = f"the VPCs need {describe_need(sizes)} and {holds}{taken_note}: {short}"
    fitting = 32 - max((need + in_use - 1).bit_length(), 0)
    return AllocationError(
        message,
        f"Use a larger network.ip_pool (a /{max(fitting, 0)} at least), or smaller VPC sizes (a larger `size`).",
        ("network", "ip_pool"),
    )


def _layout(vpc: VpcSpec, block: Network, zones: int) -> list[tuple[int, int, int, int]]:
    """(tier index, zone index, offset from the VPC's first address, prefix) of each subnet, tiers as written.
    The same for every VPC of this spec and block size, so it is computed once per shape."""
    used = _Used()
    placed: dict[tuple[int, int], tuple[int, int]] = {}
    by_size = sorted(range(len(vpc.subnets)), key=lambda index: vpc.subnets[index].size)
    start = Network((0, block.prefixlen))
    for index in by_size:
        tier = vpc.subnets[index]
        for zone in range(zones):
            sub = used.lowest_free(start, tier.size)
            if sub is None:
                raise AllocationError(
                    f"VPC {vpc.name} (a /{block.prefixlen}, {block.num_addresses:,} addresses) cannot hold its subnet "
                    f"tiers ({tier_need(vpc):,} addresses)",
                    "Make the subnets smaller (a larger `size`), or the VPC larger (a smaller `size`).",
                    ("network", "vpcs"),
                )
            used.add(sub)
            placed[(index, zone)] = (int(sub.network_address), tier.size)
    return [(i, z, *placed[(i, z)]) for i in range(len(vpc.subnets)) for z in range(zones)]


def _cidr(address: int, prefix: int) -> str:
    return f"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}/{prefix}"


class _Used:
    """Addresses in use, as sorted, merged, non-adjacent [start, end] intervals of integers."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.hint: dict[tuple[int, int, int], int] = {}
        """(within, size) -> the lowest position a free block of that size can still start at (it only grows)."""

    def add(self, block: Network) -> None:
        start, end = int(block.network_address), int(block.broadcast_address)
        i = bisect_right(self.ends, start - 2)  # the first interval touching or after [start, end]
        j = bisect_left(self.starts, end + 2)  # the first interval past it
        if i < j:
            start, end = min(start, self.starts[i]), max(end, self.ends[j - 1])
        self.starts[i:j] = [start]
        self.ends[i:j] = [end]

    def inside(self, within: Network) -> int:
        """Addresses of `within` in use."""
        low, high = int(within.network_address), int(within.broadcast_address)
        return sum(
            max(0, min(e, high) - max(s, low) + 1)
            for s, e in zip(self.starts, self.ends, strict=True)
            if e >= low and s <= high
        )

    def lowest_free(self, within: Network, prefix: int) -> Network | None:
        """The lowest aligned /prefix block of `within` that touches no used address."""
        if prefix < within.prefixlen:
            return None
        size = 2 ** (32 - prefix)
        low, high = int(within.network_address), int(within.broadcast_address)
        key = (low, high, prefix)
        candidate = max(low, self.hint.get(key, low))
        while candidate + size - 1 <= high:
            i = bisect_right(self.ends, candidate - 1)  # the first interval ending at or after the candidate
            if i == len(self.starts) or self.starts[i] > candidate + size - 1:
                self.hint[key] = candidate
                return Network((candidate, prefix))
            candidate = -(-(self.ends[i] + 1) // size) * size  # past the interval, aligned up
        self.hint[key] = candidate
        return None


def _v4(cidr: str) -> Network:
    network = ipaddress.ip_network(cidr, strict=False)
    if not isinstance(network, ipaddress.IPv4Network):
        raise ValueError(f"{cidr} is not an IPv4 block")
    return network
