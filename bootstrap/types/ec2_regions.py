"""Which regions an account has enabled, read once per account for every EC2 reader of the network layer.

One `DescribeRegions(AllRegions=True)` per account, in the run's default region (the home region, always enabled),
shared by the scopes of that account (`ReadScope.account_once`): a region whose `OptInStatus` is `not-opted-in`,
or that the account does not list at all, is not enabled there. Nothing can exist in a region that is not
enabled, and calls to it fail, so the network readers skip such regions and say so in the plan.
"""

from __future__ import annotations

from bootstrap.types.base import ReadScope

NOT_ENABLED = "not-opted-in"


def enabled_regions(scope: ReadScope) -> frozenset[str]:
    """The regions enabled in the scope's account."""

    def read() -> frozenset[str]:
        answer = scope.account_client("ec2").describe_regions(AllRegions=True)
        return frozenset(str(r["RegionName"]) for r in answer.get("Regions", []) if r.get("OptInStatus") != NOT_ENABLED)

    found: frozenset[str] = scope.account_once("ec2.enabled-regions", read)
    return found


def skipped_regions(scope: ReadScope, resource_type: str) -> list[str]:
    """The regions of the scope's account where resources of `resource_type` are desired but that the account has
    not enabled, sorted."""
    enabled = enabled_regions(scope)
    account = scope.location.account
    wanted = {r.location.region for r in scope.desired.of_type(resource_type) if r.location.account == account}
    return sorted(wanted - enabled)
