"""What moto's Identity Center does not implement, against botocore's Stubber with answers shaped as AWS's:
re-provisioning that is still in progress (bounded polling, a timeout that names the request), a provisioning
failure with AWS's reason, permissions boundaries and tags (read for every set, repaired; a change of tags alone
re-provisions nothing), what the sandbox does instead, a group's description updated in place (`UpdateGroup`),
and an organization with no Identity Center instance yet."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from bootstrap.changes import UNAVAILABLE, WAITING, Action, Change, PropertyDiff
from bootstrap.errors import AwsError
from bootstrap.observe.isolation import OnceCache
from bootstrap.observed import ObservedState
from bootstrap.plan.diff import make_plan
from bootstrap.resources import DesiredState, Location, Resource
from bootstrap.types.identitystore_group import GroupHandler, read_groups
from bootstrap.types.sso_instance import read_instance
from bootstrap.types.sso_permission_set import SANDBOX_NOTE, PermissionSetHandler, read_permission_sets

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
    simulated: bool = False

    def client(self, service: str, location: Location) -> Any:
        return self.sso

    @property
    def sleep(self) -> Callable[[float], None]:
        return self.slept.append

    @property
    def sessions(self) -> Any:
        return SimpleNamespace(target=SimpleNamespace(simulated=self.simulated))


def _change(
    diff: PropertyDiff = PropertyDiff("SessionDuration", "PT12H", "PT2H"), **after: Any
) -> tuple[Resource, Change]:
    """The data-analyst set with `after` in its properties, and an update of it by `diff`."""
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
        diffs=(diff,),
        before={diff.name: diff.before},
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
    simulated: bool = False

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


def _stub_listing(stubber: Stubber) -> None:
    """The instance and its one permission set, as AWS lists and describes them."""
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


def _stub_boundary_and_tags(
    stubber: Stubber, boundary: dict[str, Any] | None, *tag_pages: list[dict[str, str]]
) -> None:
    at = {"InstanceArn": INSTANCE, "PermissionSetArn": SET}
    if boundary is None:
        stubber.add_client_error(
            "get_permissions_boundary_for_permission_set",
            service_error_code="ResourceNotFoundException",
            service_message="The permissions boundary does not exist.",
            http_status_code=404,
            expected_params=at,
        )
    else:
        stubber.add_response("get_permissions_boundary_for_permission_set", {"PermissionsBoundary": boundary}, at)
    answers = tag_pages or ([],)
    for number, tags in enumerate(answers):
        asked = {"InstanceArn": INSTANCE, "ResourceArn": SET, **({"NextToken": f"t{number}"} if number else {})}
        more = {"NextToken": f"t{number + 1}"} if number < len(answers) - 1 else {}
        stubber.add_response("list_tags_for_resource", {"Tags": tags, **more}, asked)


SPEC_TAGS = [{"Key": "team", "Value": "data"}, {"Key": "bootstrap:managed", "Value": "true"}]
PARTS = {"ManagedPolicies": [], "CustomerManagedPolicyReferences": [], "Tags": SPEC_TAGS}


def _read(client: Any, resource: Resource, simulated: bool = False) -> tuple[dict[str, Any], list[Any]]:
    scope = Scope(client, simulated=simulated)
    found = read_permission_sets(scope, [resource])  # type: ignore[arg-type]
    return found, scope.findings


def test_a_permissions_boundary_is_read_where_the_spec_sets_one(sso: tuple[Any, Stubber]) -> None:
    client, stubber = sso
    boundary = {"ManagedPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess"}
    _stub_listing(stubber)
    _stub_boundary_and_tags(stubber, boundary, SPEC_TAGS)
    resource, _ = _change(PermissionsBoundary=boundary, **PARTS)
    found, _ = _read(client, resource)
    live = found["identity/permission-set/data-analyst"]
    assert live.owned and live.properties["PermissionsBoundary"] == boundary
    assert make_plan(DesiredState((resource,)), ObservedState(resources=found)).empty


def test_a_boundary_attached_by_hand_is_found_and_removed_then_re_provisioned(sso: tuple[Any, Stubber]) -> None:
    client, stubber = sso
    by_hand = {"CustomerManagedPolicyReference": {"Name": "anything-goes", "Path": "/"}}
    _stub_listing(stubber)
    _stub_boundary_and_tags(stubber, by_hand, SPEC_TAGS)
    resource, _ = _change(**PARTS)  # the spec gives this set no boundary
    found, _ = _read(client, resource)
    (change,) = make_plan(DesiredState((resource,)), ObservedState(resources=found)).changes
    assert [(d.name, d.before, d.after) for d in change.diffs] == [("PermissionsBoundary", by_hand, None)]
    at = {"InstanceArn": INSTANCE, "PermissionSetArn": SET}
    stubber.add_response("delete_permissions_boundary_from_permission_set", {}, at)
    stubber.add_response(
        "provision_permission_set", _status("SUCCEEDED"), {**at, "TargetType": "ALL_PROVISIONED_ACCOUNTS"}
    )
    PermissionSetHandler().update(Ctx(client), resource, dict(resource.properties), change)  # type: ignore[arg-type]


def test_no_boundary_on_aws_is_none(sso: tuple[Any, Stubber]) -> None:
    client, stubber = sso
    _stub_listing(stubber)
    _stub_boundary_and_tags(stubber, None, SPEC_TAGS)
    resource, _ = _change(**PARTS)
    found, _ = _read(client, resource)
    assert found[resource.address].properties["PermissionsBoundary"] is None
    assert make_plan(DesiredState((resource,)), ObservedState(resources=found)).empty


def test_tags_are_read_across_pages_and_only_the_spec_keys_compared(sso: tuple[Any, Stubber]) -> None:
    client, stubber = sso
    _stub_listing(stubber)
    others = [{"Key": "cost-center", "Value": "4711"}]  # someone else's: never compared, never removed
    _stub_boundary_and_tags(stubber, None, [{"Key": "team", "Value": "finance"}], others)  # `bootstrap:managed` gone
    resource, _ = _change(**PARTS)
    found, _ = _read(client, resource)
    assert found[resource.address].properties["Tags"] == [{"Key": "team", "Value": "finance"}]
    (change,) = make_plan(DesiredState((resource,)), ObservedState(resources=found)).changes
    assert [(d.name, d.after) for d in change.diffs] == [("Tags", SPEC_TAGS)]


def test_a_change_of_tags_alone_re_tags_the_spec_keys_and_re_provisions_nothing(sso: tuple[Any, Stubber]) -> None:
    client, stubber = sso
    resource, change = _change(PropertyDiff("Tags", [{"Key": "team", "Value": "finance"}], SPEC_TAGS), **PARTS)
    stubber.add_response("tag_resource", {}, {"InstanceArn": INSTANCE, "ResourceArn": SET, "Tags": SPEC_TAGS})
    outputs = PermissionSetHandler().update(Ctx(client), resource, dict(resource.properties), change)  # type: ignore[arg-type]
    assert outputs.ref == SET  # and no provision_permission_set: the Stubber refuses any call not queued


def test_the_sandbox_reads_neither_tags_nor_boundary_and_says_so(sso: tuple[Any, Stubber]) -> None:
    client, stubber = sso
    _stub_listing(stubber)  # and nothing else: a boundary or tags call would fail the test
    boundary = {"ManagedPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess"}
    resource, _ = _change(PermissionsBoundary=boundary, **PARTS)
    found, findings = _read(client, resource, simulated=True)
    live = found[resource.address].properties
    assert live["PermissionsBoundary"] == boundary and live["Tags"] == SPEC_TAGS
    (note,) = findings
    assert (note.address, note.severity, note.message) == ("identity/permission-sets", UNAVAILABLE, SANDBOX_NOTE)
    plan = make_plan(DesiredState((resource,)), ObservedState(resources=found, findings=findings))
    assert plan.empty and len(plan.unavailable) == 1
    assert "cannot read a permission set's tags or permissions boundary" in note.message


def test_the_sandbox_creates_a_set_with_its_tags_but_sets_no_boundary(sso: tuple[Any, Stubber]) -> None:
    client, stubber = sso
    boundary = {"ManagedPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess"}
    resource, _ = _change(PermissionsBoundary=boundary, **PARTS)
    created = {"PermissionSet": {"Name": "data-analyst", "PermissionSetArn": SET}}
    stubber.add_response(
        "create_permission_set",
        created,
        {"InstanceArn": INSTANCE, "Name": "data-analyst", "Description": MARK, "SessionDuration": "PT2H",
         "Tags": SPEC_TAGS},
    )  # fmt: skip
    change = Change(resource.address, resource.type, HOME, Action.CREATE)
    ctx = Ctx(client, simulated=True)
    outputs = PermissionSetHandler().create(ctx, resource, dict(resource.properties), change)  # type: ignore[arg-type]
    assert outputs.ref == SET  # no put_permissions_boundary_to_permission_set: not queued, so never called


STORE = "d-1234567890"
GROUP_ID = "906722b2-d0a1-70e4-1234-56789abcdef0"
GROUP_MARK = "[managed by the landing zone toolkit: identity/group/auditors]"


@dataclass
class StoreScope(Scope):
    """A reader's view with Identity Center and its identity store stubbed apart."""

    store: Any = None

    def client(self, service: str) -> Any:
        return self.store if service == "identitystore" else self.sso

    management_client = client


def test_a_group_whose_description_drifted_is_updated_in_place(sso: tuple[Any, Stubber]) -> None:
    client, stubber = sso
    store = boto3.client("identitystore", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber.add_response(
        "list_instances", {"Instances": [{"InstanceArn": INSTANCE, "IdentityStoreId": STORE, "Status": "ACTIVE"}]}
    )
    wanted = f"Review security configuration {GROUP_MARK}"
    props = {"DisplayName": "auditors", "Description": wanted, "IdentityStoreId": STORE}
    resource = Resource("identity/group/auditors", "GroupAuditors", "AWS::IdentityStore::Group", HOME, props)
    with Stubber(store) as directory:
        directory.add_response(
            "list_groups",
            {
                "Groups": [
                    {"GroupId": GROUP_ID, "DisplayName": "auditors", "Description": f"Anyone {GROUP_MARK}",
                     "IdentityStoreId": STORE}
                ]
            },
            {"IdentityStoreId": STORE},
        )  # fmt: skip
        found = read_groups(StoreScope(client, store=store), [resource])  # type: ignore[arg-type]
        (change,) = make_plan(DesiredState((resource,)), ObservedState(resources=found)).changes
        assert (change.action, [(d.name, d.after) for d in change.diffs]) == (
            Action.UPDATE,
            [("Description", wanted)],
        )
        directory.add_response(
            "update_group",
            {},
            {
                "IdentityStoreId": STORE,
                "GroupId": GROUP_ID,
                "Operations": [
                    {"AttributePath": "description", "AttributeValue": wanted},
                    {"AttributePath": "displayName", "AttributeValue": "auditors"},
                ],
            },
        )
        ctx = Ctx(store)
        assert GroupHandler().update(ctx, resource, props, change).ref == GROUP_ID  # type: ignore[arg-type]
        directory.assert_no_pending_responses()
