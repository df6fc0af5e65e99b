"""The baseline's settings moto lacks the API of, with botocore's Stubber and AWS-shaped answers: instance metadata
defaults (IMDSv2 required) in an account-region and centralized root access for the organization. Each drift
(IMDSv1 allowed again, the hop limit changed, root sessions disabled) is read precisely, planned as exactly that
change, and repaired by the calls that own it; a matching state plans nothing. Against the sandbox both say
plainly that they are unavailable, plan nothing and never fail the apply."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from rich.console import Console
from variants import default_spec

from bootstrap.changes import UNAVAILABLE, Action
from bootstrap.desired import desired_state
from bootstrap.names import ROOT_ACCESS_ADDRESS, instance_metadata_address
from bootstrap.observed import Finding, ObservedState
from bootstrap.plan.diff import make_plan
from bootstrap.plan.render import print_plan
from bootstrap.resources import GLOBAL, DesiredState, Location, Resource
from bootstrap.spec.model import MANAGEMENT
from bootstrap.types.ec2_metadata import INSTANCE_METADATA_DEFAULTS, read_instance_metadata_defaults
from bootstrap.types.iam_root_access import CENTRALIZED_ROOT_ACCESS, read_root_access
from bootstrap.types.registry import handler_for, type_for

DESIRED = desired_state(default_spec())
HERE = Location(MANAGEMENT, "us-east-1")


def _client(service: str) -> Any:
    return boto3.client(
        service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x", aws_session_token="x"
    )


@dataclass
class FakeScope:
    """What a reader may use of one account-region, with stubbed clients."""

    location: Location
    clients: dict[str, Any]
    account_id: str | None = None
    desired: DesiredState = DESIRED
    findings: list[Finding] = field(default_factory=list)
    _once: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        return self.clients[service]

    account_client = management_client = client

    def account_once(self, key: str, read: Callable[[], Any]) -> Any:
        if key not in self._once:
            self._once[key] = read()
        return self._once[key]

    once = account_once

    def gather(self, calls: Sequence[Callable[[], Any]]) -> list[Any]:
        return [call() for call in calls]


@dataclass
class FakeContext:
    """What a handler may use: the same stubbed clients whatever the location."""

    clients: dict[str, Any]
    sleep: Callable[[float], None] = lambda _: None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self, service: str, location: Location) -> Any:
        return self.clients[service]


@pytest.fixture
def stubbed() -> Iterator[dict[str, tuple[Any, Stubber]]]:
    made = {}
    for service in ("ec2", "iam", "organizations"):
        client = _client(service)
        made[service] = (client, Stubber(client))
    for _, stub in made.values():
        stub.activate()
    yield made
    for _, stub in made.values():
        stub.assert_no_pending_responses()
        stub.deactivate()


def _clients(stubbed: dict[str, tuple[Any, Stubber]]) -> dict[str, Any]:
    return {service: client for service, (client, _) in stubbed.items()}


def _regions(stub: Stubber) -> None:
    regions = [
        {"RegionName": r, "Endpoint": f"ec2.{r}.amazonaws.com", "OptInStatus": "opt-in-not-required"}
        for r in ("us-east-1", "us-west-2")
    ]
    stub.add_response("describe_regions", {"Regions": regions}, {"AllRegions": True})


def _imds(resources: list[Resource]) -> list[Resource]:
    return [r for r in resources if r.location == HERE]


def _plan_for(observed: ObservedState, types: tuple[str, ...]) -> Any:
    only = DesiredState(tuple(r for r in DESIRED.resources if r.type in types and r.location.account == MANAGEMENT))
    return make_plan(only, observed)


def test_imdsv1_allowed_again_is_one_precise_change_repaired_by_one_call(stubbed: dict[str, Any]) -> None:
    _, stub = stubbed["ec2"]
    _regions(stub)
    stub.add_response(
        "get_instance_metadata_defaults",
        {"AccountLevel": {"HttpTokens": "optional", "HttpPutResponseHopLimit": 2, "ManagedBy": "account"}},
        {},
    )
    resources = _imds(DESIRED.of_type(INSTANCE_METADATA_DEFAULTS))
    scope = FakeScope(HERE, _clients(stubbed))
    observed = ObservedState(resources=read_instance_metadata_defaults(scope, resources))  # type: ignore[arg-type]
    address = instance_metadata_address(MANAGEMENT, "us-east-1")
    plan = make_plan(DesiredState(tuple(resources)), observed)
    (change,) = plan.changes
    assert (change.address, change.action) == (address, Action.UPDATE)
    assert [(d.name, d.before, d.after) for d in change.diffs] == [("HttpTokens", "optional", "required")]
    assert change.weakens == ()
    stub.add_response(
        "modify_instance_metadata_defaults", {"Return": True}, {"HttpTokens": "required", "HttpPutResponseHopLimit": 2}
    )
    handler_for(INSTANCE_METADATA_DEFAULTS).update(
        FakeContext(_clients(stubbed)), resources[0], dict(resources[0].properties), change
    )  # type: ignore[arg-type]


def test_no_defaults_yet_is_a_create_and_matching_defaults_plan_nothing(stubbed: dict[str, Any]) -> None:
    _, stub = stubbed["ec2"]
    _regions(stub)
    stub.add_response("get_instance_metadata_defaults", {"AccountLevel": {}}, {})
    resources = _imds(DESIRED.of_type(INSTANCE_METADATA_DEFAULTS))
    scope = FakeScope(HERE, _clients(stubbed))
    assert read_instance_metadata_defaults(scope, resources) == {}  # type: ignore[arg-type]
    plan = make_plan(DesiredState(tuple(resources)), ObservedState())
    assert [(c.action, {d.name: d.after for d in c.diffs}) for c in plan.changes] == [
        (Action.CREATE, {"HttpTokens": "required", "HttpPutResponseHopLimit": 2})
    ]
    stub.add_response(
        "get_instance_metadata_defaults",
        {"AccountLevel": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2, "ManagedBy": "account"}},
        {},
    )
    again = FakeScope(HERE, _clients(stubbed), _once=scope._once)  # the enabled regions are read once per account
    observed = ObservedState(resources=read_instance_metadata_defaults(again, resources))  # type: ignore[arg-type]
    assert make_plan(DesiredState(tuple(resources)), observed).empty


def test_defaults_held_by_a_declarative_policy_are_reported_never_changed(stubbed: dict[str, Any]) -> None:
    _, stub = stubbed["ec2"]
    _regions(stub)
    answer = {"HttpTokens": "optional", "HttpPutResponseHopLimit": 1, "ManagedBy": "declarative-policy"}
    stub.add_response(
        "get_instance_metadata_defaults",
        {"AccountLevel": {**answer, "ManagedExceptionMessage": "ask the platform team"}},
        {},
    )
    resources = _imds(DESIRED.of_type(INSTANCE_METADATA_DEFAULTS))
    scope = FakeScope(HERE, _clients(stubbed))
    found = read_instance_metadata_defaults(scope, resources)  # type: ignore[arg-type]
    plan = make_plan(DesiredState(tuple(resources)), ObservedState(resources=found, findings=scope.findings))
    assert plan.empty
    assert [(n.severity, "ask the platform team" in n.message) for n in plan.notes] == [(UNAVAILABLE, True)]


def test_root_sessions_turned_off_is_one_precise_change_and_the_plan_says_what_it_does(stubbed: dict[str, Any]) -> None:
    _, orgs = stubbed["organizations"]
    _, iam = stubbed["iam"]
    orgs.add_response(
        "list_aws_service_access_for_organization",
        {"EnabledServicePrincipals": [{"ServicePrincipal": "iam.amazonaws.com"}]},
        {},
    )
    iam.add_response(
        "list_organizations_features",
        {"OrganizationId": "o-abcdefghij", "EnabledFeatures": ["RootCredentialsManagement"]},
        {},
    )
    resources = DESIRED.of_type(CENTRALIZED_ROOT_ACCESS)
    scope = FakeScope(Location(MANAGEMENT, GLOBAL), _clients(stubbed))
    observed = ObservedState(resources=read_root_access(scope, resources))  # type: ignore[arg-type]
    (change,) = _plan_for(observed, (CENTRALIZED_ROOT_ACCESS,)).changes
    assert (change.address, change.action) == (ROOT_ACCESS_ADDRESS, Action.UPDATE)
    assert [(d.name, d.before, d.after) for d in change.diffs] == [("RootSessions", False, True)]
    assert "new accounts are created without root credentials" in change.reason
    iam.add_response(
        "enable_organizations_root_sessions",
        {"OrganizationId": "o-abcdefghij", "EnabledFeatures": ["RootCredentialsManagement", "RootSessions"]},
        {},
    )
    handler_for(CENTRALIZED_ROOT_ACCESS).update(
        FakeContext(_clients(stubbed)), resources[0], dict(resources[0].properties), change
    )  # type: ignore[arg-type]


def test_nothing_enabled_yet_enables_trusted_access_first_then_both_features(stubbed: dict[str, Any]) -> None:
    _, orgs = stubbed["organizations"]
    _, iam = stubbed["iam"]
    orgs.add_response("list_aws_service_access_for_organization", {"EnabledServicePrincipals": []}, {})
    iam.add_client_error("list_organizations_features", "ServiceAccessNotEnabledException", http_status_code=400)
    resources = DESIRED.of_type(CENTRALIZED_ROOT_ACCESS)
    scope = FakeScope(Location(MANAGEMENT, GLOBAL), _clients(stubbed))
    observed = ObservedState(resources=read_root_access(scope, resources))  # type: ignore[arg-type]
    (change,) = _plan_for(observed, (CENTRALIZED_ROOT_ACCESS,)).changes
    assert [(d.name, d.before, d.after) for d in change.diffs] == [
        ("TrustedAccess", None, "iam.amazonaws.com"),
        ("RootCredentialsManagement", False, True),
        ("RootSessions", False, True),
    ]
    orgs.add_response("enable_aws_service_access", {}, {"ServicePrincipal": "iam.amazonaws.com"})
    features = {"OrganizationId": "o-abcdefghij", "EnabledFeatures": ["RootCredentialsManagement"]}
    iam.add_client_error("enable_organizations_root_credentials_management", "ServiceAccessNotEnabledException")
    iam.add_response("enable_organizations_root_credentials_management", features, {})  # IAM caught up: retried
    iam.add_response(
        "enable_organizations_root_sessions",
        {**features, "EnabledFeatures": ["RootCredentialsManagement", "RootSessions"]},
        {},
    )
    handler_for(CENTRALIZED_ROOT_ACCESS).update(
        FakeContext(_clients(stubbed)), resources[0], dict(resources[0].properties), change
    )  # type: ignore[arg-type]


def test_both_types_say_why_the_sandbox_cannot_read_them() -> None:
    for name in (INSTANCE_METADATA_DEFAULTS, CENTRALIZED_ROOT_ACCESS):
        assert "not available in the sandbox" in type_for(name).not_in_sandbox
    plan = make_plan(
        DesiredState(tuple(DESIRED.of_type(CENTRALIZED_ROOT_ACCESS))),
        ObservedState(
            findings=[Finding(ROOT_ACCESS_ADDRESS, type_for(CENTRALIZED_ROOT_ACCESS).not_in_sandbox, UNAVAILABLE)]
        ),
    )
    assert plan.empty and [n.severity for n in plan.notes] == [UNAVAILABLE]
    assert "No changes to what this endpoint can read. 1 setting(s) this endpoint cannot read" in plan.summary()
    out = io.StringIO()
    print_plan(plan, Console(file=out, width=300, no_color=True))
    assert f"unavailable {ROOT_ACCESS_ADDRESS}: centralized root access" in out.getvalue()
