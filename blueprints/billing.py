"""The billing blueprint: alarms on the organization's estimated charges, budgets, Cost Anomaly Detection.

A stolen key shows first as a bill. In the management account (which sees the whole organization's charges),
region us-east-1 (the only region AWS publishes `AWS/Billing` metrics in):
- two CloudWatch alarms on `EstimatedCharges` (`Currency=USD`, 6-hour period, Maximum): one at the expected
  monthly bill, one `margin_percent` above it; optional pairs per account (`LinkedAccount` dimension);
- a billing SNS topic with the spec's e-mail subscribers, encrypted with a key whose policy lets CloudWatch
  publish this landing zone's billing alarms only (`aws:SourceAccount`, `aws:SourceArn`);
- an AWS Budgets monthly cost budget (actual 80 % and 100 %, forecast 100 %) to the same addresses, and optional
  budgets per account;
- a Cost Anomaly Detection monitor of every service's spend and a daily e-mail of anomalies above a threshold.
Billing alerts reach nobody until "Receive CloudWatch billing alerts" is on (no API: `runbooks/billing.md`).
"""

from __future__ import annotations

from typing import Any

from troposphere import AWS_ACCOUNT_ID, Parameter, Ref, Template
from troposphere.budgets import Budget, BudgetData, Notification, NotificationWithSubscribers, Spend, Subscriber
from troposphere.ce import AnomalyMonitor, AnomalySubscription, ResourceTag
from troposphere.ce import Subscriber as AnomalySubscriber
from troposphere.cloudwatch import Alarm, MetricDimension
from troposphere.sns import SubscriptionResource, Topic, TopicPolicy

from blueprints.binding import ACCOUNT, PARTITION, REGION, account_id_value, add_bound, arn, location_bindings
from blueprints.common import Blueprint, tags
from blueprints.keys import key_arn, key_policy, managed_key
from blueprints.responses import AlarmResponse
from bootstrap import names
from bootstrap.names import BILLING_REGION, logical_id
from bootstrap.resources import Location, ownership_tags
from bootstrap.spec.billing_model import margin_threshold, threshold_text
from bootstrap.spec.log_archive import log_group_name, logging_enabled, trail_name
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec

LOCATION = Location(MANAGEMENT, BILLING_REGION)
KEY_ID = "BillingKey"
TOPIC_ID = "BillingAlarmTopic"
TOPIC_POLICY_ID = "BillingAlarmTopicPolicy"
MONITOR_ID = "BillingAnomalyMonitor"
ANOMALY_SUBSCRIPTION_ID = "BillingAnomalySubscription"
PERIOD = 21600
"""Six hours: AWS updates the estimated charges a few times a day."""
LEVELS = ("expected", "margin")


def billing_applies(spec: LandingZoneSpec) -> bool:
    return spec.billing.enabled and spec.billing.monthly_spend is not None and bool(spec.billing.emails)


def topic_name(spec: LandingZoneSpec) -> str:
    return f"{spec.organization.name}-billing-alarms"


def alarm_name(spec: LandingZoneSpec, level: str, account: str | None = None) -> str:
    """`acme-billing-expected`, `acme-billing-margin`; per account `acme-billing-app-prod-margin`."""
    middle = f"{account}-" if account else ""
    return f"{spec.organization.name}-billing-{middle}{level}"


def budget_name(spec: LandingZoneSpec, account: str | None = None) -> str:
    return f"{spec.organization.name}-{account}-monthly" if account else f"{spec.organization.name}-monthly"


def monitor_name(spec: LandingZoneSpec) -> str:
    return f"{spec.organization.name}-services"


def anomaly_subscription_name(spec: LandingZoneSpec) -> str:
    return f"{spec.organization.name}-cost-anomalies"


def alarms(spec: LandingZoneSpec) -> list[tuple[str, str | None, float]]:
    """Every billing alarm as (level, account or None for the organization, threshold in USD)."""
    billing = spec.billing
    spend = float(billing.monthly_spend or 0)
    found: list[tuple[str, str | None, float]] = [
        ("expected", None, round(spend, 2)),
        ("margin", None, margin_threshold(spend, billing.margin_percent)),
    ]
    for entry in billing.account_alarms:
        margin = entry.margin_percent or billing.margin_percent
        found += [
            ("expected", entry.account, round(entry.monthly_spend, 2)),
            ("margin", entry.account, margin_threshold(entry.monthly_spend, margin)),
        ]
    return found


def _account_parameter(name: str) -> str:
    return logical_id("AccountId", name)


def _account_ref(name: str) -> Any:
    return Ref(AWS_ACCOUNT_ID) if name == MANAGEMENT else Ref(_account_parameter(name))


def _named_accounts(spec: LandingZoneSpec) -> list[str]:
    billing = spec.billing
    named = [e.account for e in billing.account_alarms] + [e.account for e in billing.budget.accounts]
    return sorted({n for n in named if n != MANAGEMENT})


def _alarm_arn_pattern(spec: LandingZoneSpec) -> Any:
    return arn("arn:", PARTITION, ":cloudwatch:", REGION, ":", ACCOUNT, f":alarm:{spec.organization.name}-billing-*")


def _key_statements(spec: LandingZoneSpec) -> list[dict[str, Any]]:
    """CloudWatch may use the key only to publish this landing zone's billing alarms to the encrypted topic
    (SNS developer guide, "Encryption at rest": a publishing service needs GenerateDataKey* and Decrypt)."""
    return [
        {
            "Sid": "AllowCloudWatchBillingAlarmsToPublish",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": _alarm_arn_pattern(spec)},
            },
        }
    ]


def _topic_policy(spec: LandingZoneSpec, topic: Topic) -> dict[str, Any]:
    """This landing zone's billing alarms may publish, the account manages the topic, nothing without TLS."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowThisLandingZonesBillingAlarmsToPublish",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": Ref(topic),
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                    "ArnLike": {"aws:SourceArn": _alarm_arn_pattern(spec)},
                },
            },
            {
                "Sid": "AllowTheAccountToManageTheTopic",
                "Effect": "Allow",
                "Principal": {"AWS": arn("arn:", PARTITION, ":iam::", ACCOUNT, ":root")},
                "Action": [
                    "sns:GetTopicAttributes",
                    "sns:ListSubscriptionsByTopic",
                    "sns:SetTopicAttributes",
                    "sns:Subscribe",
                    "sns:TagResource",
                ],
                "Resource": Ref(topic),
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": Ref(topic),
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


NOTIFICATIONS = (("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 100))
"""The budget's notifications (type, percent of the budget), in the order the engine compares them."""


def _budget(spec: LandingZoneSpec, title: str, name: str, amount: float, account: str | None) -> Budget:
    data: dict[str, Any] = {
        "BudgetName": name,
        "BudgetType": "COST",
        "TimeUnit": "MONTHLY",
        "BudgetLimit": Spend(Amount=round(amount, 2), Unit="USD"),
    }
    if account is not None:
        data["CostFilters"] = {"LinkedAccount": [_account_ref(account)]}
    subscribers = [Subscriber(Address=e, SubscriptionType="EMAIL") for e in sorted(spec.billing.emails)]
    return Budget(
        title,
        Budget=BudgetData(**data),
        NotificationsWithSubscribers=[
            NotificationWithSubscribers(
                Notification=Notification(
                    ComparisonOperator="GREATER_THAN",
                    NotificationType=kind,
                    Threshold=percent,
                    ThresholdType="PERCENTAGE",
                ),
                Subscribers=subscribers,
            )
            for kind, percent in NOTIFICATIONS
        ],
    )


def build(spec: LandingZoneSpec) -> Blueprint:
    template = Template(
        Description=f"Landing zone '{spec.organization.name}': billing alarms, budgets and Cost Anomaly Detection. "
        f"Deploy in the management account, region {BILLING_REGION} (the only region with AWS/Billing metrics)."
    )
    accounts = _named_accounts(spec)
    for name in accounts:
        template.add_parameter(
            Parameter(_account_parameter(name), Type="String", Description=f"The id of account {name}.")
        )
    bp = Blueprint("billing", template)
    bindings = location_bindings(spec, LOCATION, **{_account_parameter(n): account_id_value(spec, n) for n in accounts})
    key, alias = managed_key(
        spec,
        purpose="billing",
        title=KEY_ID,
        description="Encrypts the billing alarm topic; CloudWatch may use it for this landing zone's billing alarms.",
        policy=key_policy(
            spec, account=ACCOUNT, service_statements=_key_statements(spec), management=True, readers=False
        ),
        address=names.BILLING_KEY_ADDRESS,
    )
    add_bound(bp, key, bindings=bindings, address=names.BILLING_KEY_ADDRESS, location=LOCATION, protected=True)
    add_bound(bp, alias, bindings=bindings, address=names.BILLING_ALIAS_ADDRESS, location=LOCATION)
    topic = Topic(
        TOPIC_ID,
        TopicName=topic_name(spec),
        DisplayName="Landing zone billing alarms",
        KmsMasterKeyId=key_arn(key),
        Tags=tags(names.BILLING_TOPIC_ADDRESS),
    )
    add_bound(bp, topic, bindings=bindings, address=names.BILLING_TOPIC_ADDRESS, location=LOCATION)
    add_bound(
        bp,
        TopicPolicy(TOPIC_POLICY_ID, Topics=[Ref(topic)], PolicyDocument=_topic_policy(spec, topic)),
        bindings=bindings,
        address=names.BILLING_TOPIC_POLICY_ADDRESS,
        location=LOCATION,
    )
    for email in spec.billing.emails:
        add_bound(
            bp,
            SubscriptionResource(
                logical_id("BillingSubscription", email), TopicArn=Ref(topic), Protocol="email", Endpoint=email
            ),
            bindings=bindings,
            address=names.billing_subscription_address(email),
            location=LOCATION,
        )
    for level, account, threshold in alarms(spec):
        _add_alarm(spec, bp, bindings, topic, level, account, threshold)
    if spec.billing.budget.enabled:
        _add_budgets(spec, bp, bindings)
    if spec.billing.anomaly_detection.enabled:
        _add_anomaly_detection(spec, bp, bindings)
    return bp


def _add_alarm(
    spec: LandingZoneSpec, bp: Blueprint, bindings: Any, topic: Topic, level: str, account: str | None, threshold: float
) -> None:
    dimensions = [MetricDimension(Name="Currency", Value="USD")]
    if account is not None:
        dimensions.append(MetricDimension(Name="LinkedAccount", Value=_account_ref(account)))
    whose = f"account {account}'s" if account else "the organization's"
    what = "expected monthly bill" if level == "expected" else "expected monthly bill plus the margin"
    add_bound(
        bp,
        Alarm(
            logical_id("BillingAlarm", *(account or "organization",), level),
            AlarmName=alarm_name(spec, level, account),
            AlarmDescription=f"Billing: {whose} estimated charges this month passed {threshold:.2f} USD, the {what}.",
            Namespace="AWS/Billing",
            MetricName="EstimatedCharges",
            Dimensions=dimensions,
            Statistic="Maximum",
            Period=PERIOD,
            EvaluationPeriods=1,
            Threshold=threshold,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="notBreaching",
            ActionsEnabled=True,
            AlarmActions=[Ref(topic)],
        ),
        bindings=bindings,
        address=names.billing_alarm_address(level, account),
        location=LOCATION,
    )


def _add_budgets(spec: LandingZoneSpec, bp: Blueprint, bindings: Any) -> None:
    add_bound(
        bp,
        _budget(spec, "OrganizationBudget", budget_name(spec), float(spec.billing.monthly_spend or 0), None),
        bindings=bindings,
        address=names.budget_address(),
        location=LOCATION,
    )
    for entry in spec.billing.budget.accounts:
        add_bound(
            bp,
            _budget(
                spec,
                logical_id("AccountBudget", entry.account),
                budget_name(spec, entry.account),
                entry.monthly_spend,
                entry.account,
            ),
            bindings=bindings,
            address=names.budget_address(entry.account),
            location=LOCATION,
        )


def anomaly_threshold(spec: LandingZoneSpec) -> str:
    """Anomalies whose total impact reaches the spec's threshold (USD), as CloudFormation's JSON text."""
    amount = spec.billing.anomaly_detection.threshold
    return threshold_text(
        {
            "Dimensions": {
                "Key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
                "MatchOptions": ["GREATER_THAN_OR_EQUAL"],
                "Values": [f"{amount:g}"],
            }
        }
    )


def _add_anomaly_detection(spec: LandingZoneSpec, bp: Blueprint, bindings: Any) -> None:
    monitor = AnomalyMonitor(
        MONITOR_ID,
        MonitorName=monitor_name(spec),
        MonitorType="DIMENSIONAL",
        MonitorDimension="SERVICE",
        ResourceTags=[ResourceTag(Key=k, Value=v) for k, v in ownership_tags(names.ANOMALY_MONITOR_ADDRESS).items()],
    )
    add_bound(bp, monitor, bindings=bindings, address=names.ANOMALY_MONITOR_ADDRESS, location=LOCATION)
    add_bound(
        bp,
        AnomalySubscription(
            ANOMALY_SUBSCRIPTION_ID,
            SubscriptionName=anomaly_subscription_name(spec),
            MonitorArnList=[Ref(monitor)],
            Subscribers=[AnomalySubscriber(Address=e, Type="EMAIL") for e in sorted(spec.billing.emails)],
            Frequency="DAILY",
            ThresholdExpression=anomaly_threshold(spec),
            ResourceTags=[
                ResourceTag(Key=k, Value=v) for k, v in ownership_tags(names.ANOMALY_SUBSCRIPTION_ADDRESS).items()
            ],
        ),
        bindings=bindings,
        address=names.ANOMALY_SUBSCRIPTION_ADDRESS,
        location=LOCATION,
    )


def alarm_responses(spec: LandingZoneSpec) -> list[AlarmResponse]:
    """What to do when each billing alarm fires (`runbooks/respond.md` is generated from these)."""
    if not billing_applies(spec):
        return []
    management = spec.organization.management_account_id
    responses = []
    regions = " ".join(spec.organization.allowed_regions)
    for level, account, threshold in alarms(spec):
        whose = f"account {account}" if account else "the organization"
        account_filter = (
            ' --filter \'{"Dimensions":{"Key":"LINKED_ACCOUNT","Values":["\'"$('
            + _account_id_command(spec, account)
            + ")\"'\"]}}'"
            if account
            else ""
        )
        month = "--time-period Start=$(date -u +%Y-%m-01),End=$(date -u -d tomorrow +%F)"
        checks = [
            f"aws ce get-cost-and-usage {month} --granularity DAILY --metrics UnblendedCost "
            f"--group-by Type=DIMENSION,Key=SERVICE{account_filter}",
            f"aws ce get-cost-and-usage {month} --granularity MONTHLY --metrics UnblendedCost "
            "--group-by Type=DIMENSION,Key=LINKED_ACCOUNT",
            f"aws cloudwatch describe-alarm-history --region {BILLING_REGION} --alarm-name "
            f"{alarm_name(spec, level, account)} --history-item-type StateUpdate",
            f"for region in {regions}; do aws cloudtrail lookup-events --region $region --lookup-attributes "
            "AttributeKey=EventName,AttributeValue=RunInstances --max-results 50; done",
        ]
        if logging_enabled(spec):
            checks.append(
                f"aws logs filter-log-events --region {spec.organization.home_region} --log-group-name "
                f"{log_group_name(spec)} --filter-pattern "
                "'{ ($.eventName = RunInstances) || ($.eventName = CreateAccessKey) || ($.eventName = CreateUser) }'"
                f"  # every account, from the organization trail {trail_name(spec)}"
            )
        if spec.billing.anomaly_detection.enabled:
            checks.append(
                "aws ce get-anomalies --date-interval StartDate=$(date -u -d '7 days ago' +%F) --monitor-arn "
                f"$(aws ce get-anomaly-monitors --query \"AnomalyMonitors[?MonitorName=='{monitor_name(spec)}']"
                '.MonitorArn" --output text)'
            )
        responses.append(
            AlarmResponse(
                alarm_name=alarm_name(spec, level, account),
                title=f"Billing: {whose} passed {threshold:,.2f} USD this month"
                + (" (the margin above the expected bill)" if level == "margin" else " (the expected bill)"),
                meaning=(
                    f"AWS's estimated charges for {whose} this month (management account {management}) passed "
                    f"{threshold:,.2f} USD. "
                    + (
                        "Early in the month this means spend is running far above the usual bill; "
                        if level == "expected"
                        else "This is beyond the usual bill and its margin: "
                    )
                    + "a stolen access key used to launch instances or other paid resources shows first this way."
                ),
                checks=tuple(checks),
                contain=(
                    "Find the service and account whose spend grew (the first two commands), then who created "
                    "those resources (the trail).",
                    "If the spend is not yours: deactivate the access key or session that made it (aws iam "
                    "update-access-key --status Inactive, or revoke the role's sessions), then stop or delete "
                    "what it created, in every region.",
                    "Move an account that is out of control to the Suspended OU (its deny-all guardrail stops it).",
                    "If the spend is legitimate, raise billing.monthly_spend in landing-zone.yaml and apply.",
                ),
                where=f"the management account {management}, region {BILLING_REGION}",
                tell=f"the billing contacts ({', '.join(spec.billing.emails)}) and the security team; open an "
                "AWS Support case if a key was stolen (AWS may waive charges from abuse)",
            )
        )
    return responses


def _account_id_command(spec: LandingZoneSpec, account: str) -> str:
    """A shell command printing the id of `account` (the spec's id when it names one)."""
    if account == MANAGEMENT:
        return f"echo {spec.organization.management_account_id}"
    pinned = next((a.id for a in spec.accounts if a.name == account and a.id), None)
    if pinned:
        return f"echo {pinned}"
    return f"aws organizations list-accounts --query \"Accounts[?Name=='{account}'].Id\" --output text"


def runbook_facts(spec: LandingZoneSpec) -> dict[str, Any]:
    """What `runbooks/billing.md` says about this landing zone's billing layer."""
    billing = spec.billing
    return {
        "enabled": billing_applies(spec),
        "region": BILLING_REGION,
        "topic": topic_name(spec),
        "emails": list(billing.emails),
        "alarms": [
            {"name": alarm_name(spec, level, account), "account": account or "the organization", "threshold": t}
            for level, account, t in alarms(spec)
        ]
        if billing_applies(spec)
        else [],
        "budget": budget_name(spec) if billing.budget.enabled else None,
        "account_budgets": [budget_name(spec, e.account) for e in billing.budget.accounts],
        "anomaly": billing.anomaly_detection if billing.anomaly_detection.enabled else None,
        "monitor": monitor_name(spec),
        "margin_percent": billing.margin_percent,
        "monthly_spend": billing.monthly_spend,
    }
