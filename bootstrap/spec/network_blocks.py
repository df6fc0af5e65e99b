"""Address blocks as the CIDR plan handles them: a set of used addresses searched for the lowest free aligned
block (`Used`), the subnet blocks a VPC is laid out in, and the error a block too small for what it must hold
raises. Shared by the VPC allocation (`bootstrap.spec.network_plan`) and the subnet layout
(`bootstrap.spec.network_subnets`).

`Used` skips whole runs of used addresses (a sorted list of merged intervals, and per block size the lowest
position still worth trying), so a /8 pool with thousands of VPCs allocates in milliseconds.
"""

from __future__ import annotations

import ipaddress
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

Network = ipaddress.IPv4Network


@dataclass(frozen=True)
class SubnetBlock:
    tier: str
    zone: str
    """The availability zone's name (`eu-west-1a`)."""
    cidr: str


class AllocationError(ValueError):
    """The pool or a VPC's block cannot hold what the spec asks for (`validate` reports it with the field)."""

    def __init__(self, message: str, fix: str, loc: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.fix = fix
        self.loc = loc


def cidr_of(address: int, prefix: int) -> str:
    return f"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}/{prefix}"


def v4(cidr: str) -> Network:
    network = ipaddress.ip_network(cidr, strict=False)
    if not isinstance(network, ipaddress.IPv4Network):
        raise ValueError(f"{cidr} is not an IPv4 block")
    return network


class Used:
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
