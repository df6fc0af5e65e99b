"""The models of the spec's `billing` section: billing alarms, budgets and Cost Anomaly Detection.

A stolen key shows first as a bill. Two CloudWatch alarms on the organization's estimated charges, one at the
expected monthly bill and one a margin above it, reach the subscribers before the month ends; AWS Budgets and
Cost Anomaly Detection watch the same money from two more angles. Rules that need the whole spec (account
names) are in `bootstrap.spec.billing_checks`; this module needs only the field types, so `model.py` can import
it without a cycle.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field

from bootstrap.spec.types import Email, Model, Slug

MIN_MARGIN = 10
MAX_MARGIN = 20
"""The second alarm sits 10 to 20 % above the expected bill: closer fires on ordinary growth, further
lets a stolen key run for days."""


class AccountAlarmSpec(Model):
    """Alarms on one account's share of the bill (the `LinkedAccount` dimension), with its own threshold."""

    account: Slug = Field(description="An account of `accounts`, or 'management'.")
    monthly_spend: float = Field(gt=0, le=10_000_000, description="The account's expected monthly bill, in USD.")
    margin_percent: int | None = Field(
        None, ge=MIN_MARGIN, le=MAX_MARGIN, description="Margin of its second alarm; default: billing.margin_percent."
    )


class AccountBudgetSpec(Model):
    """A monthly cost budget for one account (a `LinkedAccount` cost filter)."""

    account: Slug = Field(description="An account of `accounts`, or 'management'.")
    monthly_spend: float = Field(gt=0, le=10_000_000, description="The account's monthly budget, in USD.")


class BudgetSpec(Model):
    """AWS Budgets: a monthly cost budget for the whole organization, e-mail at 80 % and 100 % of actual
    spend and at 100 % of forecast spend; optional budgets per account with the same notifications."""

    enabled: bool = Field(True, description="Create the organization's monthly cost budget.")
    accounts: list[AccountBudgetSpec] = Field(default_factory=list, description="Budgets of single accounts.")


class AnomalyDetectionSpec(Model):
    """Cost Anomaly Detection: a monitor of every AWS service's spend and a daily e-mail of anomalies whose
    total impact reaches the threshold."""

    enabled: bool = Field(True, description="Create the anomaly monitor and its subscription.")
    threshold: float = Field(
        100, gt=0, le=1_000_000, description="Report anomalies whose total impact reaches this many USD."
    )


class BillingSpec(Model):
    """Billing alarms (management account, us-east-1, where AWS publishes `AWS/Billing` metrics), budgets and
    anomaly detection, all to the same e-mail subscribers."""

    enabled: bool = Field(False, description="Build the billing layer (init writes true).")
    monthly_spend: float | None = Field(
        None,
        gt=0,
        le=10_000_000,
        description="The expected monthly bill of the whole organization, in USD: the first alarm's threshold "
        "and the budget's amount. `init` proposes the average of the last three complete months.",
    )
    margin_percent: int = Field(
        15,
        ge=MIN_MARGIN,
        le=MAX_MARGIN,
        description="The second alarm fires this many percent above monthly_spend (10 to 20).",
    )
    emails: list[Email] = Field(
        default_factory=list,
        description="Who receives billing alarms, budget and anomaly e-mails (each must confirm the alarm "
        "topic's subscription).",
    )
    account_alarms: list[AccountAlarmSpec] = Field(
        default_factory=list, description="Alarms on single accounts' charges, with their own thresholds."
    )
    budget: BudgetSpec = BudgetSpec()
    anomaly_detection: AnomalyDetectionSpec = AnomalyDetectionSpec()


def margin_threshold(monthly_spend: float, margin_percent: int) -> float:
    """The second alarm's threshold, rounded to cents."""
    return round(monthly_spend * (100 + margin_percent) / 100, 2)


def threshold_text(expression: Any) -> str:
    """A Cost Anomaly Detection threshold expression as CloudFormation writes it (JSON text, keys sorted); the API
    answers a structure, which the engine compares in this same spelling."""
    return json.dumps(expression, sort_keys=True, separators=(",", ":"))
