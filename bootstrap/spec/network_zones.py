"""The availability zones of each region, as a static table, so `validate` can refuse a VPC spread over more
zones than its region has without an AWS call, and the CIDR plan can name the zones its subnets go to.

Zone names are the letters AWS gives most accounts (`ap-northeast-1` has a, c and d; `ca-central-1` a, b and d).
`tests/unit/test_network_zones.py` compares the table with moto's zone data, which mirrors AWS's.
"""

from __future__ import annotations

ZONE_LETTERS: dict[str, str] = {
    "af-south-1": "abc",
    "ap-east-1": "abc",
    "ap-northeast-1": "acd",
    "ap-northeast-2": "abcd",
    "ap-northeast-3": "abc",
    "ap-south-1": "abc",
    "ap-south-2": "abc",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "ap-southeast-3": "abc",
    "ap-southeast-4": "abc",
    "ap-southeast-5": "abc",
    "ap-southeast-7": "abc",
    "ca-central-1": "abd",
    "ca-west-1": "abc",
    "cn-north-1": "ab",
    "cn-northwest-1": "abc",
    "eu-central-1": "abc",
    "eu-central-2": "abc",
    "eu-north-1": "abc",
    "eu-south-1": "abc",
    "eu-south-2": "abc",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-west-3": "abc",
    "il-central-1": "abc",
    "me-central-1": "abc",
    "me-south-1": "abc",
    "mx-central-1": "abc",
    "sa-east-1": "abc",
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-gov-east-1": "abc",
    "us-gov-west-1": "abc",
    "us-west-1": "ab",
    "us-west-2": "abcd",
}
"""Region -> the letters of its availability zones, in order."""

UNLISTED = "abc"
"""A region the table does not know yet (newer than this toolkit): every region AWS opens has at least three."""


def zone_names(region: str, count: int | None = None) -> tuple[str, ...]:
    """The first `count` availability zones of `region` (all of them when None)."""
    letters = ZONE_LETTERS.get(region, UNLISTED)
    return tuple(f"{region}{letter}" for letter in letters[:count])


def zone_count(region: str) -> int:
    return len(ZONE_LETTERS.get(region, UNLISTED))
