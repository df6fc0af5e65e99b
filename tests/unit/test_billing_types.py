"""What the billing types do on AWS where the sandbox (moto) lacks the API: `UpdateBudget` and budget subscribers,
and every Cost Anomaly Detection call. Checked with `botocore.stub.Stubber` and AWS-shaped answers: a budget is
changed in place (never deleted and re-created, which would lose its history); anomaly monitors and subscriptions
are read, created and updated with the shapes AWS takes; on the sandbox nothing is called and the plan says so."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from variants import default_spec

from blueprints.billing import anomaly_threshold, build
from bootstrap.changes import UNAVAILABLE, Action, Change
from bootstrap.observed import Finding
from bootstrap.resources import Location, Resource
from bootstrap.types import budgets, ce

ACCOUNT = "123456789012"
WHERE = Location("management", "us-east-1")
EMAILS = ["finance@example.com", "ops@example.com"]


def _client(service: str) -> Any:
    return boto3.client(
        service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x", aws_session_token="x"
    )


@dataclass
class Target:
    simulated: bool = False


@dataclass
class Ctx:
    """What a handler uses of the apply context: clients (stubbed), whether the endpoint is the sandbox."""

    clients: dict[str, Any]
    simulated: bool = False
    sleep: Callable[[float], None] = lambda _: None

    @property
    def sessions(self) -> Any:
        return type("S", (), {"target": Target(self.simulated)})()

    def client(self, service: str, location: Location) -> Any:
        return self.clients[service]


@dataclass
class Scope:
    """What a reader uses of the observer's scope."""

    clients: dict[str, Any]
    simulated: bool = False
    account_id: str | None = None
    findings: list[Finding] = field(default_factory=list)

    def client(self, service: str) -> Any:
        return self.clients[service]

    def once(self, key: str, read: Callable[[], Any]) -> Any:
        return read()


@pytest.fixture
def stubbed() -> Iterator[Callable[[str], tuple[Any, Stubber]]]:
    stubbers: list[Stubber] = []

    def make(service: str) -> tuple[Any, Stubber]:
        client = _client(service)
        stubber = Stubber(client)
        stubber.activate()
        stubbers.append(stubber)
        return client, stubber

    yield make
    for stubber in stubbers:
        stubber.assert_no_pending_responses()
        stubber.deactivate()


def _resources() -> dict[str, Resource]:
    spec = default_spec(billing_emails=EMAILS)
    return {r.address: r for r in build(spec).resources}


def _caller(stubber: Stubber) -> None:
    stubber.add_response(
        "get_caller_identity", {"Account": ACCOUNT, "UserId": "AIDA", "Arn": f"arn:aws:iam::{ACCOUNT}:root"}
    )


def _notification(kind: str, threshold: float) -> dict[str, Any]:
    return {
        "NotificationType": kind,
        "ComparisonOperator": "GREATER_THAN",
        "Threshold": threshold,
        "ThresholdType": "PERCENTAGE",
    }


def _subscribers(*addresses: str) -> dict[str, Any]:
    return {"Subscribers": [{"SubscriptionType": "EMAIL", "Address": a} for a in addresses]}


def test_a_budget_is_changed_in_place_on_aws_never_deleted(stubbed: Any) -> None:
    budget = _resources()["billing/budget/organization"]
    props = dict(budget.properties)
    props["Budget"] = {**props["Budget"], "BudgetLimit": {"Amount": 300.0, "Unit": "USD"}}
    client, stub = stubbed("budgets")
    sts, sts_stub = stubbed("sts")
    _caller(sts_stub)
    name = props["Budget"]["BudgetName"]
    stub.add_response(
        "update_budget",
        {},
        {
            "AccountId": ACCOUNT,
            "NewBudget": {
                "BudgetName": name,
                "BudgetType": "COST",
                "TimeUnit": "MONTHLY",
                "BudgetLimit": {"Amount": "300", "Unit": "USD"},
            },
        },
    )
    live = [_notification("ACTUAL", 80.0), _notification("ACTUAL", 100.0), _notification("FORECASTED", 90.0)]
    stub.add_response("describe_notifications_for_budget", {"Notifications": live})
    # ACTUAL 80: finance only live -> ops subscribed; ACTUAL 100: an outsider too -> removed
    stub.add_response("describe_subscribers_for_notification", _subscribers("finance@example.com"))
    stub.add_response(
        "create_subscriber",
        {},
        {
            "AccountId": ACCOUNT,
            "BudgetName": name,
            "Notification": _notification("ACTUAL", 80),
            "Subscriber": {"SubscriptionType": "EMAIL", "Address": "ops@example.com"},
        },
    )
    stub.add_response(
        "describe_subscribers_for_notification",
        _subscribers("finance@example.com", "ops@example.com", "x@evil.example"),
    )
    stub.add_response(
        "delete_subscriber",
        {},
        {
            "AccountId": ACCOUNT,
            "BudgetName": name,
            "Notification": _notification("ACTUAL", 100),
            "Subscriber": {"SubscriptionType": "EMAIL", "Address": "x@evil.example"},
        },
    )
    stub.add_response(
        "create_notification",
        {},
        {
            "AccountId": ACCOUNT,
            "BudgetName": name,
            "Notification": _notification("FORECASTED", 100),
            "Subscribers": _subscribers(*EMAILS)["Subscribers"],
        },
    )
    stub.add_response(
        "delete_notification",
        {},
        {"AccountId": ACCOUNT, "BudgetName": name, "Notification": _notification("FORECASTED", 90.0)},
    )
    change = Change(budget.address, budget.type, WHERE, Action.UPDATE, name)
    out = budgets.BudgetHandler().update(Ctx({"budgets": client, "sts": sts}), budget, props, change)
    assert out.ref == name


def test_a_budget_change_in_the_sandbox_deletes_and_recreates_it(stubbed: Any) -> None:
    budget = _resources()["billing/budget/organization"]
    client, stub = stubbed("budgets")
    sts, sts_stub = stubbed("sts")
    _caller(sts_stub)
    name = budget.properties["Budget"]["BudgetName"]
    stub.add_response("delete_budget", {}, {"AccountId": ACCOUNT, "BudgetName": name})
    stub.add_response("create_budget", {})
    change = Change(budget.address, budget.type, WHERE, Action.UPDATE, name)
    budgets.BudgetHandler().update(
        Ctx({"budgets": client, "sts": sts}, simulated=True), budget, dict(budget.properties), change
    )


def test_a_budget_is_read_with_its_subscribers_on_aws(stubbed: Any) -> None:
    budget = _resources()["billing/budget/organization"]
    client, stub = stubbed("budgets")
    sts, sts_stub = stubbed("sts")
    _caller(sts_stub)
    name = budget.properties["Budget"]["BudgetName"]
    stub.add_response(
        "describe_budgets",
        {
            "Budgets": [
                {
                    "BudgetName": name,
                    "BudgetLimit": {"Amount": "100.0", "Unit": "USD"},
                    "TimeUnit": "MONTHLY",
                    "BudgetType": "COST",
                    "CostFilters": {},
                    "CalculatedSpend": {"ActualSpend": {"Amount": "12.3", "Unit": "USD"}},
                    "LastUpdatedTime": datetime(2026, 12, 1),
                }
            ]
        },
    )
    stub.add_response(
        "describe_notifications_for_budget",
        {"Notifications": [_notification("FORECASTED", 100.0), _notification("ACTUAL", 80.0)]},
    )
    stub.add_response("describe_subscribers_for_notification", _subscribers("ops@example.com"))
    stub.add_response("describe_subscribers_for_notification", _subscribers(*EMAILS))
    scope = Scope({"budgets": client, "sts": sts})
    found = budgets.read_budgets(scope, [budget])
    live = found[budget.address].properties
    assert live["Budget"] == {
        "BudgetName": name,
        "BudgetType": "COST",
        "TimeUnit": "MONTHLY",
        "BudgetLimit": {"Amount": 100, "Unit": "USD"},
    }
    assert [n["Notification"]["NotificationType"] for n in live["NotificationsWithSubscribers"]] == [
        "ACTUAL",
        "FORECASTED",
    ]
    assert live["NotificationsWithSubscribers"][1]["Subscribers"] == [
        {"Address": "ops@example.com", "SubscriptionType": "EMAIL"}
    ]
    assert not scope.findings


def test_anomaly_detection_is_read_and_compared_in_the_blueprints_shape_on_aws(stubbed: Any) -> None:
    resources = _resources()
    monitor, subscription = resources["billing/anomaly-monitor"], resources["billing/anomaly-subscription"]
    client, stub = stubbed("ce")
    arn = f"arn:aws:ce::{ACCOUNT}:anomalymonitor/0a1b"
    stub.add_response(
        "get_anomaly_monitors",
        {
            "AnomalyMonitors": [
                {
                    "MonitorArn": arn,
                    "MonitorName": monitor.properties["MonitorName"],
                    "MonitorType": "DIMENSIONAL",
                    "MonitorDimension": "SERVICE",
                    "CreationDate": "2026-12-01",
                }
            ]
        },
    )
    scope = Scope({"ce": client})
    (live_monitor,) = ce.read_monitors(scope, [monitor]).values()
    assert live_monitor.properties == {k: monitor.properties[k] for k in ce.MONITOR_FIELDS.cfn_names}
    stub.add_response(
        "get_anomaly_subscriptions",
        {
            "AnomalySubscriptions": [
                {
                    "SubscriptionArn": f"arn:aws:ce::{ACCOUNT}:anomalysubscription/9f",
                    "AccountId": ACCOUNT,
                    "MonitorArnList": [arn],
                    "Subscribers": [
                        {"Address": "ops@example.com", "Type": "EMAIL", "Status": "CONFIRMED"},
                        {"Address": "finance@example.com", "Type": "EMAIL", "Status": "CONFIRMED"},
                    ],
                    "Frequency": "DAILY",
                    "SubscriptionName": subscription.properties["SubscriptionName"],
                    "ThresholdExpression": {
                        "Dimensions": {
                            "Key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
                            "Values": ["100"],
                            "MatchOptions": ["GREATER_THAN_OR_EQUAL"],
                        }
                    },
                }
            ]
        },
    )
    (live_subscription,) = ce.read_subscriptions(scope, [subscription]).values()
    wanted = {**subscription.properties, "MonitorArnList": [arn]}
    assert live_subscription.properties == {k: wanted[k] for k in ce.SUBSCRIPTION_FIELDS.cfn_names}


def test_anomaly_detection_is_created_and_updated_with_the_shapes_aws_takes(stubbed: Any) -> None:
    spec = default_spec(billing_emails=EMAILS)
    resources = _resources()
    monitor, subscription = resources["billing/anomaly-monitor"], resources["billing/anomaly-subscription"]
    client, stub = stubbed("ce")
    arn = f"arn:aws:ce::{ACCOUNT}:anomalymonitor/0a1b"
    stub.add_response(
        "create_anomaly_monitor",
        {"MonitorArn": arn},
        {
            "AnomalyMonitor": {
                "MonitorName": "acme-services",
                "MonitorType": "DIMENSIONAL",
                "MonitorDimension": "SERVICE",
            },
            "ResourceTags": [
                {"Key": "bootstrap:managed", "Value": "true"},
                {"Key": "bootstrap:address", "Value": "billing/anomaly-monitor"},
            ],
        },
    )
    ctx = Ctx({"ce": client})
    created = ce.MonitorHandler().create(
        ctx, monitor, dict(monitor.properties), Change(monitor.address, monitor.type, WHERE, Action.CREATE)
    )
    assert created.attributes == {"MonitorArn": arn}
    props = {**subscription.properties, "MonitorArnList": [arn]}
    threshold = {
        "Dimensions": {
            "Key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
            "MatchOptions": ["GREATER_THAN_OR_EQUAL"],
            "Values": ["100"],
        }
    }
    assert anomaly_threshold(spec) == ce.threshold_text(threshold)
    stub.add_response(
        "update_anomaly_subscription",
        {"SubscriptionArn": "arn:aws:ce::1:anomalysubscription/9f"},
        {
            "SubscriptionArn": "arn:aws:ce::1:anomalysubscription/9f",
            "MonitorArnList": [arn],
            "Subscribers": [{"Address": e, "Type": "EMAIL"} for e in EMAILS],
            "Frequency": "DAILY",
            "ThresholdExpression": threshold,
        },
    )
    change = Change(
        subscription.address, subscription.type, WHERE, Action.UPDATE, "arn:aws:ce::1:anomalysubscription/9f"
    )
    ce.SubscriptionHandler().update(ctx, subscription, props, change)


def test_on_the_sandbox_anomaly_detection_calls_nothing_and_says_it_is_unavailable(stubbed: Any) -> None:
    resources = _resources()
    client, _ = stubbed("ce")  # no response queued: any call would fail the test
    scope = Scope({"ce": client}, simulated=True)
    assert ce.read_monitors(scope, [resources["billing/anomaly-monitor"]]) == {}
    assert ce.read_subscriptions(scope, [resources["billing/anomaly-subscription"]]) == {}
    assert [(f.address, f.severity) for f in scope.findings] == [
        ("billing/anomaly-monitor", UNAVAILABLE),
        ("billing/anomaly-subscription", UNAVAILABLE),
    ]
    assert all("not available" in f.message for f in scope.findings)
