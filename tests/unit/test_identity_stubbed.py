"""What moto's Identity Center does not implement, against botocore's Stubber with answers shaped as AWS's:
re-provisioning that is still in progress (bounded polling, a timeout that names the request), a provisioning
failure with AWS's reason, permissions boundaries, and an organization with no Identity Center instance yet."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from bootstrap.changes import WAITING, Action, Change, PropertyDiff
from bootstrap.errors import AwsError
from bootstrap.observe.isolation import OnceCache
from bootstrap.resources import Location, Resource
from bootstrap.types.sso_instance import read_instance
from bootstrap.types.sso_permission_set import PermissionSetHandler, read_permission_sets

INSTANCE = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
SET = f"{INSTANCE}/ps-1234567890abcdef"
HOME = Location("management", "us-east-1")
REQUEST = "1b2c3d4e-0000-4000-8000-00000000abcd"
MARK = "[managed by the landing zone toolkit: identity/permission-set/data-analyst]"


@pytest.fixture
def sso() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("sso-admin", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@dataclass
class Ctx:
    sso: Any
    wait_timeout: float = 10.0
    slept: list[float] = field(default_factory=list)

    def client(self, service: str, location: Location) -> Any:
        return self.sso

    @property
    def sleep(self) -> Callable[[float], None]:
        return self.slept.append


def _change(**after: Any) -> tuple[Resource, Change]:
    props = {"InstanceArn": INSTANCE, "Name": "data-analyst", "Description": MARK, "SessionDuration": "PT2H", **after}
    resource = Resource(
        "identity/permission-set/data-analyst", "PermissionSetDataAnalyst", "AWS::SSO::PermissionSet", HOME, props
    )
    change = Change(
        resource.address,
        resource.type,
        HOME,
        Action.UPDATE,
        SET,
        diffs=(PropertyDiff("SessionDuration", "PT12H", "PT2H"),),
        before={"SessionDuration": "PT12H"},
    )
    return resource, change


def _status(state: str, **extra: Any) -> dict[str, Any]:
    return {
        "PermissionSetProvisioningStatus": {"Status": state, "RequestId": REQUEST, "PermissionSetArn": SET, **extra}
    }


def _update_and_provision(stubber: Stubber) -> None:
    stubber.add_response(
        "update_permission_set",
        {},
        {"InstanceArn": INSTANCE, "PermissionSetArn": SET, "Description": MARK, "SessionDuration": "PT2H"},
    )
    stubber.add_response(
        "provision_permission_set",
        _status("IN_PROGRESS"),
        {"InstanceArn": INSTANCE, "PermissionSetArn": SET, "TargetType": "ALL_PROVISIONED_ACCOUNTS"},
    )


def test_re_provisioning_is_awaited_until_it_succeeds(sso: tuple[Any, Stubber]) -> None:
    client, stubber = sso
    _update_and_provision(stubber)
    asked = {"InstanceArn": INSTANCE, "ProvisionPermissionSetRequestId": REQUEST}
    stubber.add_response("describe_permission_set_provisioning_status", _status("IN_PROGRESS"), asked)
    stubber.add_response("describe_permission_set_provisioning_status", _status("SUCCEEDED"), asked)
    ctx = Ctx(client)
    resource, change = _change()
    outputs = PermissionSetHandler().update(ctx, resource, dict(resource.properties), change)  # type: ignore[arg-type]
    assert outputs.ref == SET and len(ctx.slept) == 2


def test_re_provisioning_that_never_ends_times_out_naming_the_request(sso: tuple[Any, Stubber]) -> None:
    client, stubber = sso
    _update_and_provision(stubber)
    for _ in range(3):
        stubber.add_response("describe_permission_set_provisioning_status", _status("IN_PROGRESS"))
    resource, change = _change()
    with pytest.raises(AwsError, match=f"request {REQUEST} is still in progress after 5 s") as caught:
        PermissionSetHandler().update(Ctx(client, wait_timeout=5.0), resource, dict(resource.properties), change)  # type: ignore[arg-type]
    assert "run `bootstrap plan` in a few minutes" in caught.value.remediation


def test_a_failed_provisioning_says_why(sso: tuple[Any, Stubber]) -> None:
    client, stubber = sso
    _update_and_provision(stubber)
    reason = "Received a 404 status error: Not supported policy arn:aws:iam::111122223333:policy/DataLakeRead."
    stubber.add_response("describe_permission_set_provisioning_status", _status("FAILED", FailureReason=reason))
    resource, change = _change()
    with pytest.raises(AwsError, match=f"request {REQUEST} failed: Received a 404"):
        PermissionSetHandler().update(Ctx(client), resource, dict(resource.properties), change)  # type: ignore[arg-type]


@dataclass
class Scope:
    """A reader's view of the management account's home region, every client stubbed."""

    sso: Any
    desired: Any = None
    findings: list[Any] = field(default_factory=list)
    location: Location = HOME
    account_id: str | None = None
    cache: OnceCache = field(default_factory=OnceCache)

    def client(self, service: str) -> Any:
        return self.sso

    management_client = client

    def organization_once(self, key: str, read: Callable[[], Any]) -> Any:
        return self.cache.once(key, read)

    def gather(self, calls: list[Callable[[], Any]]) -> list[Any]:
        return [call() for call in calls]


def test_no_instance_is_a_waiting_finding_pointing_to_the_runbook(sso: tuple[Any, Stubber]) -> None:
    client, stubber = sso
    stubber.add_response("list_instances", {"Instances": []})
    scope = Scope(client)
    instance = Resource("identity/instance", "IdentityCenterInstance", "Bootstrap::SSO::Instance", HOME, {})
    assert read_instance(scope, [instance]) == {}  # type: ignore[arg-type]
    (finding,) = scope.findings
    assert finding.severity == WAITING and "runbooks/identity-center.md" in finding.message


def test_a_permissions_boundary_is_read_where_the_spec_sets_one(sso: tuple[Any, Stubber]) -> None:
    client, stubber = sso
    boundary = {"ManagedPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess"}
    stubber.add_response(
        "list_instances",
        {"Instances": [{"InstanceArn": INSTANCE, "IdentityStoreId": "d-1234567890", "Status": "ACTIVE"}]},
    )
    stubber.add_response("list_permission_sets", {"PermissionSets": [SET]})
    stubber.add_response(
        "describe_permission_set",
        {
            "PermissionSet": {
                "Name": "data-analyst",
                "PermissionSetArn": SET,
                "Description": MARK,
                "SessionDuration": "PT2H",
            }
        },
    )
    stubber.add_response("list_managed_policies_in_permission_set", {"AttachedManagedPolicies": []})
    stubber.add_response(
        "list_customer_managed_policy_references_in_permission_set", {"CustomerManagedPolicyReferences": []}
    )
    stubber.add_response("get_inline_policy_for_permission_set", {})  # AWS leaves it out when there is none
    stubber.add_response("get_permissions_boundary_for_permission_set", {"PermissionsBoundary": boundary})
    resource, _ = _change(PermissionsBoundary=boundary)
    found = read_permission_sets(Scope(client), [resource])  # type: ignore[arg-type]
    live = found["identity/permission-set/data-analyst"]
    assert live.owned and live.properties["PermissionsBoundary"] == boundary
