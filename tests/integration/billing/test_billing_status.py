"""`bootstrap status` on the billing steps: the billing alerts preference is done only once AWS publishes
`AWS/Billing` metrics in us-east-1; IAM access to billing information is the checklist's unverifiable step."""

from __future__ import annotations

from typing import Any

import boto3
from billing_lz import billing_spec

from bootstrap.aws.session import AwsTarget, Sessions
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.status.billing import SANDBOX
from bootstrap.status.report import collect_status


def states(spec: LandingZoneSpec, sessions: Sessions) -> dict[str, tuple[str, str]]:
    return {r.step.id: (r.state, r.detail) for r in collect_status(spec, sessions) if r.step.id.startswith("billing-")}


def test_the_preference_is_verified_by_the_billing_metrics(spec: LandingZoneSpec, aws: Any) -> None:
    sessions = Sessions(AwsTarget(max_attempts=2), default_region="us-east-1")  # as on AWS, not the sandbox
    found = states(spec, sessions)
    assert found["billing-preference"][0] == "pending"
    assert "Receive CloudWatch billing alerts" in found["billing-preference"][1]
    boto3.client("cloudwatch", region_name="eu-west-1").put_metric_data(
        Namespace="AWS/Billing",
        MetricData=[
            {"MetricName": "EstimatedCharges", "Dimensions": [{"Name": "Currency", "Value": "USD"}], "Value": 3}
        ],
    )
    assert states(spec, sessions)["billing-preference"][0] == "pending", "only us-east-1 counts"
    boto3.client("cloudwatch", region_name="us-east-1").put_metric_data(
        Namespace="AWS/Billing",
        MetricData=[
            {"MetricName": "EstimatedCharges", "Dimensions": [{"Name": "Currency", "Value": "USD"}], "Value": 3}
        ],
    )
    assert states(spec, sessions)["billing-preference"][0] == "done"


def test_the_sandbox_says_it_cannot_show_the_preference(spec: LandingZoneSpec, sessions: Sessions) -> None:
    found = states(spec, sessions)
    assert found["billing-preference"] == ("unavailable", SANDBOX)


def test_no_billing_steps_without_the_layer(sessions: Sessions) -> None:
    assert states(billing_spec(enabled=False), sessions) == {}
