"""The billing steps of `bootstrap status`: the "Receive CloudWatch billing alerts" preference, verified by the
presence of `AWS/Billing` metrics in us-east-1 (AWS publishes none until it is on, and offers no API to read
the preference itself). IAM access to billing information, which no API reads at all, is the checklist's
`iam-billing-access` step (`bootstrap.render.steps`), stated as unverifiable.
"""

from __future__ import annotations

from bootstrap.aws.session import Sessions
from bootstrap.names import BILLING_REGION
from bootstrap.spec.model import LandingZoneSpec

SANDBOX = "the sandbox publishes no AWS/Billing metrics, so the billing alerts preference cannot be observed there"


def check_billing_preference(spec: LandingZoneSpec, sessions: Sessions, accounts: dict[str, str]) -> tuple[str, str]:
    if sessions.target.simulated:
        return "unavailable", SANDBOX
    cloudwatch = sessions.client("cloudwatch", region=BILLING_REGION)
    metrics = cloudwatch.list_metrics(Namespace="AWS/Billing", MetricName="EstimatedCharges").get("Metrics", [])
    if metrics:
        return "done", f"AWS publishes {len(metrics)} AWS/Billing EstimatedCharges metric(s) in {BILLING_REGION}"
    return "pending", (
        f"no AWS/Billing metrics in {BILLING_REGION} yet: turn on 'Receive CloudWatch billing alerts' in Billing "
        "preferences (AWS starts publishing within a few hours)"
    )
