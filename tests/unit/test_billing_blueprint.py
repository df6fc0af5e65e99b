"""The billing blueprint: the two EstimatedCharges alarms at the expected bill and the margin above it, per-account
alarms on `LinkedAccount`, the topic's key that lets CloudWatch publish only these alarms, the budget's
notifications, and one response section per alarm it creates."""

from __future__ import annotations

from variants import spec_variants

from blueprints.billing import alarm_responses, build
from bootstrap.desired import desired_state
from bootstrap.plan.refs import Registry
from bootstrap.spec.log_archive import log_group_name


def test_two_alarms_at_the_expected_bill_and_the_margin_in_us_east_1() -> None:
    spec = spec_variants()["default"]
    alarms = {r.address: r for r in build(spec).resources if r.type == "AWS::CloudWatch::Alarm"}
    assert set(alarms) == {"billing/alarm/expected", "billing/alarm/margin"}
    expected, margin = alarms["billing/alarm/expected"], alarms["billing/alarm/margin"]
    assert (expected.properties["Threshold"], margin.properties["Threshold"]) == (100.0, 115.0)
    for alarm in alarms.values():
        assert alarm.location.region == "us-east-1" and alarm.location.account == "management"
        props = alarm.properties
        assert (props["Namespace"], props["MetricName"]) == ("AWS/Billing", "EstimatedCharges")
        assert props["Dimensions"] == [{"Name": "Currency", "Value": "USD"}]
        assert (props["Period"], props["Statistic"]) == (21600, "Maximum")
        assert props["AlarmActions"] == [{"Ref": "BillingAlarmTopic"}]


def test_per_account_alarms_carry_the_linked_account_and_their_own_margin() -> None:
    spec = spec_variants()["billing-accounts"]
    resources = {r.address: r for r in build(spec).resources}
    audit = resources["billing/alarm/audit/margin"].properties
    assert audit["Threshold"] == 48.0
    assert audit["Dimensions"][1] == {"Name": "LinkedAccount", "Value": {"Fn::GetAtt": ["AccountAudit", "AccountId"]}}
    management = resources["billing/alarm/management/margin"].properties
    assert management["Threshold"] == 28.75  # the section's 15 %
    assert management["Dimensions"][1] == {"Name": "LinkedAccount", "Value": "123456789012"}
    budget = resources["billing/budget/log-archive"].properties["Budget"]
    assert budget["CostFilters"] == {"LinkedAccount": [{"Fn::GetAtt": ["AccountLogArchive", "AccountId"]}]}


def test_the_key_lets_cloudwatch_publish_only_this_landing_zones_billing_alarms() -> None:
    spec = spec_variants()["default"]
    desired = desired_state(spec)
    policy = Registry().resolve(desired.by_address["billing/key"].properties["KeyPolicy"])
    (publish,) = [s for s in policy["Statement"] if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert sorted(publish["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert publish["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert publish["Condition"]["ArnLike"] == {
        "aws:SourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:acme-billing-*"
    }
    assert not any(s.get("Sid") == "DecryptForReaders" for s in policy["Statement"])


def test_the_budget_notifies_at_80_and_100_percent_actual_and_100_forecast() -> None:
    spec = spec_variants()["default"]
    (budget,) = [r for r in build(spec).resources if r.type == "AWS::Budgets::Budget"]
    notes = [n["Notification"] for n in budget.properties["NotificationsWithSubscribers"]]
    assert [(n["NotificationType"], n["Threshold"]) for n in notes] == [
        ("ACTUAL", 80),
        ("ACTUAL", 100),
        ("FORECASTED", 100),
    ]
    assert budget.properties["Budget"]["BudgetLimit"] == {"Amount": 100.0, "Unit": "USD"}


def test_every_billing_alarm_has_a_response_with_commands_filled_in() -> None:
    for name in ("default", "billing-accounts", "billing-alarms-only", "no-logging"):
        spec = spec_variants()[name]
        created = sorted(r.properties["AlarmName"] for r in build(spec).resources if r.type == "AWS::CloudWatch::Alarm")
        responses = alarm_responses(spec)
        assert sorted(r.alarm_name for r in responses) == created, name
        for response in responses:
            assert response.checks[0].startswith("aws ce get-cost-and-usage")
            assert any("aws cloudtrail lookup-events" in c for c in response.checks)
            assert response.contain and response.tell and response.meaning
    default = spec_variants()["default"]
    logged = alarm_responses(default)[0]
    assert any(f"--log-group-name {log_group_name(default)}" in c for c in logged.checks)
    assert any("for region in us-east-1 us-west-2; do aws cloudtrail lookup-events" in c for c in logged.checks)
    audit = next(
        r for r in alarm_responses(spec_variants()["billing-accounts"]) if r.alarm_name == "acme-billing-audit-margin"
    )
    assert "aws organizations list-accounts --query \"Accounts[?Name=='audit'].Id\" --output text" in audit.checks[0]
