"""What the spec's `network` section means: which account-regions each custom VPC lands in, and the CIDR blocks of
each VPC and its subnets.

Allocation is stable and deterministic. Each (VPC name, account, region) gets one block from `ip_pool`: an explicit
`cidr` as written; a VPC that exists keeps its live block (`live`); a new one gets the lowest free block of its size
that overlaps no block in use (`taken`: every live VPC seen in the organization, managed or not, so a later peering
or transit gateway cannot collide) and no block allocated before it. New blocks are placed largest first (ties in
the spec's order: VPCs as written, then their targets), so an empty pool is packed without gaps: a pool whose size
covers the sum of the blocks always holds them. With no live state (`render`), this is the allocation an empty
organization would get. Subnets are laid out inside their VPC's block the same way, and a live subnet keeps its
block as a live VPC does (`bootstrap.spec.network_subnets`); the search for free blocks is
`bootstrap.spec.network_blocks.Used`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec
from bootstrap.spec.network_blocks import AllocationError, Network, SubnetBlock, Used, cidr_of, v4
from bootstrap.spec.network_model import VpcSpec
from bootstrap.spec.network_subnets import LiveSubnet, fresh_layout, live_layout
from bootstrap.spec.network_zones import zone_names


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
    subnets: Mapping[tuple[str, str, str], Sequence[LiveSubnet]] | None = None,
) -> list[VpcInstance]:
    """Every custom VPC instance of the spec with its blocks, in the spec's order; `live` maps (VPC name, account,
    region) to the block of a managed VPC that exists, `taken` lists every other block in use in the organization,
    and `subnets` the live subnets of each VPC that exists (`bootstrap.spec.network_subnets.live_layout`)."""
    live = live or {}
    subnets = subnets or {}
    pool = v4(spec.network.ip_pool)
    used = Used()
    for cidr in taken:
        used.add(v4(cidr))
    chosen: dict[tuple[str, str, str], Network] = {}
    order = [(vpc, account, region) for vpc in spec.network.vpcs for account, region in vpc_targets(spec, vpc)]
    for vpc, account, region in order:  # fixed blocks first: live, then explicit
        key = (vpc.name, account, region)
        fixed = live.get(key) or vpc.cidr
        if fixed is not None:
            chosen[key] = v4(fixed)
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
        key = (vpc.name, account, region)
        block = chosen[key]
        zones = zone_names(region, vpc.availability_zones)
        if subnets.get(key):
            laid = live_layout(vpc, block, zones, subnets[key])
        else:
            shape = (vpc.name, block.prefixlen)
            if shape not in layouts:
                layouts[shape] = fresh_layout(vpc, block, len(zones))
            base = int(block.network_address)
            laid = tuple(
                SubnetBlock(vpc.subnets[tier].tier, zones[zone], cidr_of(base + offset, prefix))
                for tier, zone, offset, prefix in layouts[shape]
            )
        result.append(VpcInstance(vpc, account, region, str(block), zones, laid))
    return result


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
