"""What the Identity Center types share: the organization's instance, its permission sets and where each is
provisioned, its groups (each read once per observation, whichever account-region asks first), and the bounded
wait for Identity Center's asynchronous requests.

Identity Center is administered from the management account in the home region, whatever account an assignment
gives access to: readers call it through `ReadScope.management_client`, handlers at the management account's
location.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from blueprints.identity import owner_of
from bootstrap.errors import AwsError
from bootstrap.resources import Location
from bootstrap.spec.model import MANAGEMENT
from bootstrap.types.base import HandlerContext, ReadScope
from bootstrap.types.pages import pages

IN_PROGRESS = "IN_PROGRESS"
SUCCEEDED = "SUCCEEDED"
POLL_SECONDS = 2.0


def instance(scope: ReadScope) -> dict[str, Any] | None:
    """The organization's Identity Center instance in the scope's region, or None (not enabled yet)."""

    def read() -> dict[str, Any] | None:
        found = pages(scope.management_client("sso-admin"), "list_instances", "Instances")
        active = [i for i in found if i.get("Status", "ACTIVE") == "ACTIVE"]
        chosen: dict[str, Any] | None = (active or found or [None])[0]
        return chosen

    result: dict[str, Any] | None = scope.organization_once("sso.instance", read)
    return result


def permission_sets(scope: ReadScope) -> dict[str, dict[str, Any]]:
    """Every permission set of the instance by ARN, as `describe_permission_set` answers, plus `Owner`: the
    address its description marks it as the toolkit's, or None."""

    def read() -> dict[str, dict[str, Any]]:
        found = instance(scope)
        if found is None:
            return {}
        sso = scope.management_client("sso-admin")
        arns = pages(sso, "list_permission_sets", "PermissionSets", InstanceArn=found["InstanceArn"])
        described = scope.gather(
            [partial(sso.describe_permission_set, InstanceArn=found["InstanceArn"], PermissionSetArn=a) for a in arns]
        )
        sets = {}
        for answer in described:
            ps = dict(answer["PermissionSet"])
            ps["Owner"] = owner_of(ps.get("Description"))
            sets[ps["PermissionSetArn"]] = ps
        return sets

    result: dict[str, dict[str, Any]] = scope.organization_once("sso.permission-sets", read)
    return result


def set_by_name(scope: ReadScope, name: str) -> dict[str, Any] | None:
    return next((ps for ps in permission_sets(scope).values() if ps["Name"] == name), None)


def provisioned(scope: ReadScope) -> dict[str, set[str]]:
    """Account id -> the toolkit's permission sets provisioned there: one paginated
    `list_accounts_for_provisioned_permission_set` per permission set the toolkit owns, for every account at once.
    AWS provisions a set to every account it is assigned in, so an account where none of the toolkit's sets is
    provisioned holds none of its assignments."""

    def read() -> dict[str, set[str]]:
        found = instance(scope)
        owned = [arn for arn, ps in permission_sets(scope).items() if ps["Owner"]]
        if found is None or not owned:
            return {}
        sso = scope.management_client("sso-admin")
        listings = scope.gather(
            [
                partial(
                    pages, sso, "list_accounts_for_provisioned_permission_set", "AccountIds",
                    InstanceArn=found["InstanceArn"], PermissionSetArn=arn,
                )
                for arn in owned
            ]
        )  # fmt: skip
        by_account: dict[str, set[str]] = {}
        for arn, accounts in zip(owned, listings, strict=True):
            for account in accounts:
                by_account.setdefault(str(account), set()).add(arn)
        return by_account

    result: dict[str, set[str]] = scope.organization_once("sso.provisioned", read)
    return result


def groups(scope: ReadScope) -> list[dict[str, Any]]:
    """Every group of the instance's identity store (one paginated `list_groups`)."""

    def read() -> list[dict[str, Any]]:
        found = instance(scope)
        if found is None:
            return []
        store = scope.management_client("identitystore")
        return list(pages(store, "list_groups", "Groups", IdentityStoreId=found["IdentityStoreId"]))

    result: list[dict[str, Any]] = scope.organization_once("identitystore.groups", read)
    return result


def admin_location(location: Location) -> Location:
    """Where Identity Center is called for a resource at `location`: the management account, same region."""
    return Location(MANAGEMENT, location.region)


def wait_for(
    ctx: HandlerContext,
    describe: Callable[[], dict[str, Any]],
    *,
    what: str,
    request_id: str,
    status: dict[str, Any],
) -> dict[str, Any]:
    """Poll an asynchronous Identity Center request until it succeeds, for at most `ctx.wait_timeout` seconds.
    A failure raises with AWS's reason; a timeout raises naming the request, which may still finish."""
    deadline = time.monotonic() + ctx.wait_timeout
    waited = 0.0
    while status.get("Status") == IN_PROGRESS:
        if time.monotonic() > deadline or waited > ctx.wait_timeout:
            raise AwsError(
                f"{what}: Identity Center request {request_id} is still in progress after {ctx.wait_timeout:.0f} s",
                "It may still finish: run `bootstrap plan` in a few minutes to see whether it did, then "
                "`bootstrap apply` again if it did not.",
            )
        ctx.sleep(POLL_SECONDS)
        waited += POLL_SECONDS
        status = describe()
    if status.get("Status") != SUCCEEDED:
        raise AwsError(
            f"{what}: Identity Center request {request_id} failed: {status.get('FailureReason') or status}",
            "Fix what AWS names (a customer managed policy missing in an account, a quota), then run "
            "`bootstrap apply` again.",
        )
    return status
