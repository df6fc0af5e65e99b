"""Helpers of the billing-layer tests: the default landing zone with only the billing layer on top of the
organization, against in-process moto treated as the sandbox it is (`AwsTarget.simulated`): moto implements no
Cost Anomaly Detection call and no `UpdateBudget`, so these tests see what the sandbox shows. What AWS itself does
with those calls is tested with `botocore.stub.Stubber` (tests/unit/test_billing_types.py)."""

from __future__ import annotations

from typing import Any

import boto3
import yaml
from variants import without_network

from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import LandingZoneSpec

REGION = "us-east-1"


def billing_spec(**billing: Any) -> LandingZoneSpec:
    data = yaml.safe_load(
        render_spec_yaml(
            Answers(
                management_account_id="123456789012",
                billing_emails=["finance@example.com", "ops@example.com"],
                identity=False,
            )
        )
    )
    for layer in ("logging", "baseline"):
        data[layer]["enabled"] = False
    data["network"] = without_network(data.get("network"))
    data["billing"] = {**data["billing"], "monthly_spend": 200, **billing}
    return parse_spec(yaml.safe_dump(data, sort_keys=False))


class BillingOutsider:
    """Plain boto3 in the management account, us-east-1."""

    def __init__(self) -> None:
        self.cloudwatch = boto3.client("cloudwatch", region_name=REGION)
        self.sns = boto3.client("sns", region_name=REGION)
        self.budgets = boto3.client("budgets", region_name=REGION)

    def topic_arn(self, name: str) -> str:
        return next(t["TopicArn"] for t in self.sns.list_topics()["Topics"] if t["TopicArn"].endswith(f":{name}"))

    def alarm(self, name: str) -> dict[str, Any]:
        (alarm,) = self.cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
        return dict(alarm)
