"""What the spec's `network` section means: which account-regions each custom VPC lands in, and the CIDR blocks of
each VPC and its subnets.

Allocation is stable and deterministic. Each (VPC name, account, region) gets one block from `ip_pool`: an explicit
`cidr` as written; a VPC that exists keeps its live block (`live`); a new one gets the lowest free block of its size
that overlaps no block in use (`taken`: every live VPC seen in the organization, managed or not, so a later peering
or transit gateway cannot collide) and no block allocated before it. With no live state (`render`), this is the
allocation an empty organization would get. Subnets are laid out inside their VPC's block the same way: tiers in
the order written, each tier's subnets in zone order, each at the lowest free aligned block of its size.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec
from bootstrap.spec.network_model import VpcSpec

Network = ipaddress.IPv4Network
ZONE_LETTERS = "abc"


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
    """Every custom VPC instance of the spec with its blocks; `live` maps (VPC name, account, region) to the block
    of a managed VPC that exists, `taken` lists every other block in use in the organization."""
    live = live or {}
    pool = ipaddress.ip_network(spec.network.ip_pool)
    used: list[Network] = [_v4(c) for c in taken]
    chosen: dict[tuple[str, str, str], Network] = {}
    order = [(vpc, account, region) for vpc in spec.network.vpcs for account, region in vpc_targets(spec, vpc)]
    for vpc, account, region in order:  # fixed blocks first: explicit, then live
        key = (vpc.name, account, region)
        fixed = live.get(key) or vpc.cidr
        if fixed is not None:
            chosen[key] = _v4(fixed)
            used.append(chosen[key])
    for vpc, account, region in order:
        key = (vpc.name, account, region)
        if key in chosen:
            continue
        block = _lowest_free(_v4(str(pool)), vpc.size, used)
        if block is None:
            raise AllocationError(
                f"the pool {pool} has no free /{vpc.size} left for VPC {vpc.name} in {account} / {region}",
                "Use a larger network.ip_pool, or smaller VPC sizes.",
                ("network", "ip_pool"),
            )
        chosen[key] = block
        used.append(block)
    return [_instance(vpc, account, region, chosen[(vpc.name, account, region)]) for vpc, account, region in order]


def _instance(vpc: VpcSpec, account: str, region: str, block: Network) -> VpcInstance:
    zones = tuple(f"{region}{letter}" for letter in ZONE_LETTERS[: vpc.availability_zones])
    used: list[Network] = []
    subnets = []
    for tier in vpc.subnets:
        for zone in zones:
            sub = _lowest_free(block, tier.size, used)
            if sub is None:
                raise AllocationError(
                    f"VPC {vpc.name} ({block}) cannot hold its subnet tiers",
                    "Make the subnets smaller, or the VPC larger (a smaller `size` number).",
                    ("network", "vpcs"),
                )
            used.append(sub)
            subnets.append(SubnetBlock(tier.tier, zone, str(sub)))
    return VpcInstance(vpc, account, region, str(block), zones, tuple(subnets))


def _lowest_free(within: Network, prefix: int, used: list[Network]) -> Network | None:
    if prefix < within.prefixlen:
        return None
    for candidate in within.subnets(new_prefix=prefix):
        if not any(candidate.overlaps(u) for u in used):
            return candidate
    return None


def _v4(cidr: str) -> Network:
    network = ipaddress.ip_network(cidr, strict=False)
    if not isinstance(network, ipaddress.IPv4Network):
        raise ValueError(f"{cidr} is not an IPv4 block")
    return network
