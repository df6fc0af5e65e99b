"""Cost Anomaly Detection (`AWS::CE::AnomalyMonitor`, `AWS::CE::AnomalySubscription`): how monitors and
subscriptions are read, compared, changed, and the IAM actions that takes.

A monitor watches the spend of every AWS service of the organization (`DIMENSIONAL`, `SERVICE`); a subscription
e-mails anomalies of its monitors whose total impact reaches a threshold. Both are the toolkit's by their derived
names; one `GetAnomalyMonitors` and one `GetAnomalySubscriptions` read them all. Changing: `UpdateAnomalyMonitor`
can only rename a monitor, so a monitor whose type or dimension differs is replaced; `UpdateAnomalySubscription`
changes a subscription in place.

The sandbox (moto) implements none of these calls. There the reader calls nothing and reports each one as
`unavailable`: nothing is planned for it, and the plan says so instead of pretending it exists.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code, with_retries
from bootstrap.changes import UNAVAILABLE, Change
from bootstrap.observed import Finding, ObservedResource
from bootstrap.resources import Location, Resource
from bootstrap.spec.billing_model import threshold_text
from bootstrap.types.base import ClientFor, HandlerContext, Outputs, ReadScope, ResourceType, TypeRule
from bootstrap.types.mapping import FieldMap

MONITOR = "AWS::CE::AnomalyMonitor"
SUBSCRIPTION = "AWS::CE::AnomalySubscription"

MONITOR_FIELDS = FieldMap.of(
    ("MonitorName", "MonitorName"), ("MonitorType", "MonitorType"), ("MonitorDimension", "MonitorDimension")
)
SUBSCRIPTION_FIELDS = FieldMap.of(
    ("SubscriptionName", "SubscriptionName"),
    ("MonitorArnList", "MonitorArnList"),
    ("Subscribers", "Subscribers"),
    ("Frequency", "Frequency"),
    ("ThresholdExpression", "ThresholdExpression"),
)

SANDBOX_NOTE = (
    "Cost Anomaly Detection is not available on this endpoint (the sandbox implements none of its calls): not "
    "created here. On AWS, `apply` creates it"
)


def _unavailable(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    scope.findings.extend(Finding(r.address, SANDBOX_NOTE, UNAVAILABLE) for r in resources)
    return {}


def _pages(client: Any, operation: str, key: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = getattr(client, operation)(**({"NextPageToken": token} if token else {}))
        found += page.get(key, [])
        token = page.get("NextPageToken")
        if not token:
            return found


def read_monitors(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    if scope.simulated:
        return _unavailable(scope, resources)
    live = {
        m["MonitorName"]: m
        for m in scope.once(
            "ce.monitors", lambda: _pages(scope.client("ce"), "get_anomaly_monitors", "AnomalyMonitors")
        )
    }
    found = {}
    for resource in resources:
        monitor = live.get(str(resource.properties["MonitorName"]))
        if monitor is not None:
            found[resource.address] = ObservedResource(
                resource.address,
                resource.type,
                monitor["MonitorArn"],
                MONITOR_FIELDS.to_cfn(monitor),
                owned=True,
                attributes={"MonitorArn": monitor["MonitorArn"]},
            )
    return found


def _subscribers(subscribers: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Who is told, without the `Status` AWS adds (CONFIRMED, DECLINED): compared by address and type."""
    return sorted(
        ({"Address": s["Address"], "Type": s["Type"]} for s in subscribers), key=lambda s: (s["Type"], s["Address"])
    )


def read_subscriptions(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    if scope.simulated:
        return _unavailable(scope, resources)
    live = {
        s["SubscriptionName"]: s
        for s in _pages(scope.client("ce"), "get_anomaly_subscriptions", "AnomalySubscriptions")
    }
    found = {}
    for resource in resources:
        subscription = live.get(str(resource.properties["SubscriptionName"]))
        if subscription is None:
            continue
        props = SUBSCRIPTION_FIELDS.to_cfn(subscription)
        props["Subscribers"] = _subscribers(subscription.get("Subscribers", []))
        if "ThresholdExpression" in subscription:
            props["ThresholdExpression"] = threshold_text(subscription["ThresholdExpression"])
        found[resource.address] = ObservedResource(
            resource.address,
            resource.type,
            subscription["SubscriptionArn"],
            props,
            owned=True,
            attributes={"SubscriptionArn": subscription["SubscriptionArn"]},
        )
    return found


def _subscription_api(props: dict[str, Any]) -> dict[str, Any]:
    fields = SUBSCRIPTION_FIELDS.to_api(props)
    if isinstance(fields.get("ThresholdExpression"), str):
        fields["ThresholdExpression"] = json.loads(fields["ThresholdExpression"])
    return fields


def _tags(props: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": t["Value"]} for t in props.get("ResourceTags", [])]


class MonitorHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ce = ctx.client("ce", resource.location)
        arn = with_retries(
            lambda: ce.create_anomaly_monitor(AnomalyMonitor=MONITOR_FIELDS.to_api(props), ResourceTags=_tags(props)),
            sleep=ctx.sleep,
        )["MonitorArn"]
        return Outputs(arn, {"MonitorArn": arn})

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        arn = str(change.physical_id)
        ctx.client("ce", resource.location).update_anomaly_monitor(MonitorArn=arn, MonitorName=props["MonitorName"])
        return Outputs(arn, {"MonitorArn": arn})

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        try:
            ctx.client("ce", change.location).delete_anomaly_monitor(MonitorArn=str(change.physical_id))
        except ClientError as err:
            if error_code(err) != "UnknownMonitorException":
                raise


class SubscriptionHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ce = ctx.client("ce", resource.location)
        arn = with_retries(
            lambda: ce.create_anomaly_subscription(
                AnomalySubscription=_subscription_api(props), ResourceTags=_tags(props)
            ),
            sleep=ctx.sleep,
        )["SubscriptionArn"]
        return Outputs(arn, {"SubscriptionArn": arn})

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        arn = str(change.physical_id)
        fields = _subscription_api(props)
        fields.pop("SubscriptionName")
        ctx.client("ce", resource.location).update_anomaly_subscription(SubscriptionArn=arn, **fields)
        return Outputs(arn, {"SubscriptionArn": arn})

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        try:
            ctx.client("ce", change.location).delete_anomaly_subscription(SubscriptionArn=str(change.physical_id))
        except ClientError as err:
            if error_code(err) != "UnknownSubscriptionException":
                raise


def tag_anomaly_resource(client: ClientFor, where: Location, arn: str, tags: dict[str, str]) -> None:
    client.client("ce", where).tag_resource(
        ResourceArn=arn, ResourceTags=[{"Key": k, "Value": v} for k, v in tags.items()]
    )


TYPES = (
    ResourceType(
        MONITOR,
        TypeRule(
            compared=MONITOR_FIELDS.cfn_names,
            replace_on=frozenset({"MonitorType", "MonitorDimension"}),
            weakens_on_delete=True,
        ),
        MonitorHandler(),
        read_monitors,
        read_actions=("ce:GetAnomalyMonitors",),
        write_actions=(
            "ce:CreateAnomalyMonitor",
            "ce:UpdateAnomalyMonitor",
            "ce:DeleteAnomalyMonitor",
            "ce:TagResource",
        ),
        service="ce",
        tagger=tag_anomaly_resource,
    ),
    ResourceType(
        SUBSCRIPTION,
        TypeRule(
            compared=SUBSCRIPTION_FIELDS.cfn_names,
            sets=frozenset({"MonitorArnList"}),
            replace_on=frozenset({"SubscriptionName"}),
            weakens_on_delete=True,
        ),
        SubscriptionHandler(),
        read_subscriptions,
        read_actions=("ce:GetAnomalySubscriptions",),
        write_actions=(
            "ce:CreateAnomalySubscription",
            "ce:UpdateAnomalySubscription",
            "ce:DeleteAnomalySubscription",
            "ce:TagResource",
        ),
        service="ce",
        tagger=tag_anomaly_resource,
    ),
)
