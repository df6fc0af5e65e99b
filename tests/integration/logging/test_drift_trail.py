"""Drift of the trail and what watches it: logging stopped, log file validation off, log group retention
changed, a CIS metric filter or alarm deleted. Each is named precisely, repaired, and gone afterwards."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bootstrap.aws.session import Sessions
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live

Drift = tuple[str, str, Any, Any]


def stop_logging(o: Any) -> Drift:
    o.cloudtrail().stop_logging(Name=o.trail)
    return "logging/trail", "IsLogging", False, True


def validation_off(o: Any) -> Drift:
    o.cloudtrail().update_trail(Name=o.trail, EnableLogFileValidation=False)
    return "logging/trail", "EnableLogFileValidation", False, True


def retention_changed(o: Any) -> Drift:
    o.logs().put_retention_policy(logGroupName=o.log_group, retentionInDays=7)
    return "logging/log-group", "RetentionInDays", 7, 365


DRIFTS = {
    "trail-logging-stopped": stop_logging,
    "log-file-validation-off": validation_off,
    "log-group-retention-changed": retention_changed,
}


@pytest.mark.parametrize("tamper", DRIFTS.values(), ids=DRIFTS.keys())
def test_drift_is_named_repaired_and_gone(
    tamper: Callable[[Any], Drift], log_outsider: Any, assert_repaired: Callable[[Drift], None]
) -> None:
    assert_repaired(tamper(log_outsider))


def test_the_restored_trail_logs_and_validates_again(
    applied: LandingZoneSpec, sessions: Sessions, apply: Any, log_outsider: Any
) -> None:
    stop_logging(log_outsider)
    validation_off(log_outsider)
    apply(applied, sessions)
    trail = log_outsider.cloudtrail()
    assert trail.get_trail_status(Name=log_outsider.trail)["IsLogging"] is True
    (described,) = trail.describe_trails(trailNameList=[log_outsider.trail])["trailList"]
    assert described["LogFileValidationEnabled"] is True


@pytest.mark.parametrize("kind", ["metric-filter", "alarm"])
def test_a_deleted_cis_filter_or_alarm_is_put_back(
    kind: str, applied: LandingZoneSpec, sessions: Sessions, apply: Any, log_outsider: Any
) -> None:
    o = log_outsider
    name = "acme-cis-4-3-root-account-usage"
    if kind == "metric-filter":
        o.logs().delete_metric_filter(logGroupName=o.log_group, filterName=name)
    else:
        o.cloudwatch().delete_alarms(AlarmNames=[name])

    live, _ = plan_live(applied, sessions)
    assert [(c.address, c.action.value) for c in live.plan.changes] == [(f"logging/{kind}/cis-4-3", "create")]

    apply(applied, sessions)
    if kind == "metric-filter":
        (restored,) = o.logs().describe_metric_filters(logGroupName=o.log_group, filterNamePrefix=name)["metricFilters"]
        assert restored["filterPattern"].startswith('{ $.userIdentity.type = "Root"')
    else:
        (alarm,) = o.cloudwatch().describe_alarms(AlarmNames=[name])["MetricAlarms"]
        assert alarm["MetricName"] == "CIS43RootAccountUsage"
    assert plan_live(applied, sessions)[0].plan.empty


def test_the_alarm_topic_opened_to_everyone_is_named_and_closed_again(
    applied: LandingZoneSpec, log_outsider: Any, assert_repaired: Callable[..., None]
) -> None:
    sns = log_outsider.client("sns")
    (arn,) = [t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(":acme-security-alarms")]
    wanted = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])
    assert {s["Sid"] for s in wanted["Statement"]} == {
        "AllowThisLandingZonesAlarmsToPublish",
        "AllowTheAccountToManageTheTopic",
        "DenyInsecureTransport",
    }
    opened = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:*", "Resource": arn}],
    }
    sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(opened))
    assert_repaired(("logging/topic-policy/security-alarms", "PolicyDocument", opened, wanted))
