"""The billing layer on moto: built as the spec says, then drift (a threshold changed, an alarm deleted, a
subscriber removed, the budget deleted) named precisely by `plan`, repaired by `apply`, and gone afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from billing_lz import BillingOutsider, billing_spec

from blueprints.billing import alarm_name, budget_name, topic_name
from bootstrap.aws.session import Sessions
from bootstrap.changes import UNAVAILABLE, Action
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live

MANAGEMENT_ID = "123456789012"


def _plan(spec: LandingZoneSpec, sessions: Sessions) -> Any:
    return plan_live(spec, sessions)[0].plan


def test_builds_alarms_topic_budget_and_says_anomaly_detection_is_unavailable(
    spec: LandingZoneSpec, sessions: Sessions, apply: Any, billing_outsider: BillingOutsider
) -> None:
    first = _plan(spec, sessions)
    assert {c.address for c in first.changes if c.address.startswith("billing/")} == {
        "billing/key",
        "billing/alias",
        "billing/topic",
        "billing/topic-policy",
        "billing/subscription/finance@example.com",
        "billing/subscription/ops@example.com",
        "billing/alarm/expected",
        "billing/alarm/margin",
        "billing/budget/organization",
    }
    unavailable = {n.address for n in first.notes if n.severity == UNAVAILABLE}
    assert unavailable == {"billing/anomaly-monitor", "billing/anomaly-subscription"}
    result = apply(spec, sessions)
    assert not result.failed
    expected = billing_outsider.alarm(alarm_name(spec, "expected"))
    margin = billing_outsider.alarm(alarm_name(spec, "margin"))
    assert (expected["Threshold"], margin["Threshold"]) == (200.0, 230.0)
    for alarm in (expected, margin):
        assert alarm["Namespace"] == "AWS/Billing" and alarm["MetricName"] == "EstimatedCharges"
        assert alarm["Dimensions"] == [{"Name": "Currency", "Value": "USD"}]
        assert (alarm["Period"], alarm["Statistic"]) == (21600, "Maximum")
        assert alarm["AlarmActions"] == [billing_outsider.topic_arn(topic_name(spec))]
    budget = billing_outsider.budgets.describe_budget(AccountId=MANAGEMENT_ID, BudgetName=budget_name(spec))["Budget"]
    assert budget["BudgetLimit"]["Amount"] in ("200", "200.0") and budget["TimeUnit"] == "MONTHLY"
    notes = billing_outsider.budgets.describe_notifications_for_budget(
        AccountId=MANAGEMENT_ID, BudgetName=budget_name(spec)
    )["Notifications"]
    assert sorted((n["NotificationType"], n["Threshold"]) for n in notes) == [
        ("ACTUAL", 80),
        ("ACTUAL", 100),
        ("FORECASTED", 100),
    ]
    again = _plan(spec, sessions)
    assert again.empty, [c.address for c in again.changes]
    assert "2 setting(s) this endpoint cannot read or set" in again.summary()  # never "matches the spec"


Drift = tuple[str, Action, str | None]


def threshold_changed(spec: LandingZoneSpec, o: BillingOutsider) -> Drift:
    alarm = o.alarm(alarm_name(spec, "margin"))
    keep = ("AlarmName", "Namespace", "MetricName", "Dimensions", "Statistic", "Period", "EvaluationPeriods")
    o.cloudwatch.put_metric_alarm(
        **{k: alarm[k] for k in keep},
        Threshold=10_000.0,
        ComparisonOperator=alarm["ComparisonOperator"],
        AlarmActions=alarm["AlarmActions"],
        TreatMissingData=alarm["TreatMissingData"],
        AlarmDescription=alarm["AlarmDescription"],
    )
    return "billing/alarm/margin", Action.UPDATE, "Threshold"


def alarm_deleted(spec: LandingZoneSpec, o: BillingOutsider) -> Drift:
    o.cloudwatch.delete_alarms(AlarmNames=[alarm_name(spec, "expected")])
    return "billing/alarm/expected", Action.CREATE, None


def subscriber_removed(spec: LandingZoneSpec, o: BillingOutsider) -> Drift:
    arn = o.topic_arn(topic_name(spec))
    subscriptions = o.sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    o.sns.unsubscribe(
        SubscriptionArn=next(s for s in subscriptions if s["Endpoint"] == "ops@example.com")["SubscriptionArn"]
    )
    return "billing/subscription/ops@example.com", Action.CREATE, None


def budget_deleted(spec: LandingZoneSpec, o: BillingOutsider) -> Drift:
    o.budgets.delete_budget(AccountId=MANAGEMENT_ID, BudgetName=budget_name(spec))
    return "billing/budget/organization", Action.CREATE, None


DRIFTS = {
    "threshold-changed": threshold_changed,
    "alarm-deleted": alarm_deleted,
    "subscriber-removed": subscriber_removed,
    "budget-deleted": budget_deleted,
}


@pytest.mark.parametrize("tamper", DRIFTS.values(), ids=DRIFTS.keys())
def test_drift_is_named_repaired_and_gone(
    tamper: Callable[[LandingZoneSpec, BillingOutsider], Drift],
    spec: LandingZoneSpec,
    sessions: Sessions,
    apply: Any,
    billing_outsider: BillingOutsider,
) -> None:
    apply(spec, sessions)
    address, action, prop = tamper(spec, billing_outsider)
    plan = _plan(spec, sessions)
    assert [(c.address, c.action) for c in plan.changes] == [(address, action)]
    if prop is not None:
        assert [d.name for d in plan.changes[0].diffs] == [prop]
    assert not apply(spec, sessions).failed
    assert _plan(spec, sessions).empty


def test_a_budget_change_in_the_sandbox_recreates_it_and_says_so(
    spec: LandingZoneSpec, sessions: Sessions, apply: Any, billing_outsider: BillingOutsider
) -> None:
    apply(spec, sessions)
    raised = billing_spec(monthly_spend=300)
    plan = _plan(raised, sessions)
    budget = next(c for c in plan.changes if c.address == "billing/budget/organization")
    assert budget.action is Action.UPDATE
    assert any("deletes and re-creates" in n.message for n in plan.notes if n.address == budget.address)
    assert not apply(raised, sessions).failed
    described = billing_outsider.budgets.describe_budget(AccountId=MANAGEMENT_ID, BudgetName=budget_name(spec))
    assert float(described["Budget"]["BudgetLimit"]["Amount"]) == 300
    assert _plan(raised, sessions).empty


def test_per_account_alarms_and_budgets_use_the_linked_account(
    sessions: Sessions, apply: Any, billing_outsider: BillingOutsider
) -> None:
    spec = billing_spec(
        account_alarms=[{"account": "audit", "monthly_spend": 40, "margin_percent": 20}],
        budget={"enabled": True, "accounts": [{"account": "audit", "monthly_spend": 40}]},
    )
    assert not apply(spec, sessions).failed
    audit = next(a["Id"] for a in boto3.client("organizations").list_accounts()["Accounts"] if a["Name"] == "audit")
    alarm = billing_outsider.alarm(alarm_name(spec, "margin", "audit"))
    assert alarm["Threshold"] == 48.0
    assert {"Name": "LinkedAccount", "Value": audit} in alarm["Dimensions"]
    budget = billing_outsider.budgets.describe_budget(AccountId=MANAGEMENT_ID, BudgetName=budget_name(spec, "audit"))
    assert budget["Budget"]["CostFilters"] == {"LinkedAccount": [audit]}
    assert _plan(spec, sessions).empty
    dropped = _plan(billing_spec(), sessions)  # the spec no longer asks for the audit budget: reported, kept
    assert not any(c.address.startswith("billing/budget") for c in dropped.changes)
    assert any(n.address == "billing/budgets" and "acme-audit-monthly" in n.message for n in dropped.notes)
