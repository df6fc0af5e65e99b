"""CloudWatch alarms (the CIS alarms on the trail's metric filters): how they are read, compared, changed, and
the IAM actions that takes.

`put_metric_alarm` and `describe_alarms` use the same names, so one list of properties (`ALARM_PROPERTIES`) is
what the handler writes and the reader reads back. Alarms are read with one `describe_alarms` by the landing
zone's prefix per account-region and are the toolkit's by their derived names; one named like them but not in
the spec is reported, never touched. An alarm is written whole, so create and update are the same call.
"""

from __future__ import annotations

from typing import Any

from bootstrap.aws.retry import with_retries
from bootstrap.changes import Change
from bootstrap.names import ALARMS_ADDRESS
from bootstrap.observed import Finding, ObservedResource
from bootstrap.resources import Resource
from bootstrap.types.base import HandlerContext, Outputs, ReadScope, ResourceType, TypeRule, items_removed, turned_off
from bootstrap.types.pages import pages

ALARM = "AWS::CloudWatch::Alarm"

ALARM_PROPERTIES = (
    "AlarmName",
    "AlarmDescription",
    "Namespace",
    "MetricName",
    "Dimensions",
    "Statistic",
    "Period",
    "EvaluationPeriods",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "ActionsEnabled",
    "AlarmActions",
)
"""The properties of an alarm the toolkit sets, reads back and compares."""


def read_alarms(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    names = {str(r.properties["AlarmName"]) for r in resources}
    prefix = _common_prefix(names)
    alarms = pages(scope.client("cloudwatch"), "describe_alarms", "MetricAlarms", AlarmNamePrefix=prefix)
    live = {a["AlarmName"]: a for a in alarms}
    found = {}
    for resource in resources:
        alarm = live.get(str(resource.properties["AlarmName"]))
        if alarm is None:
            continue
        found[resource.address] = ObservedResource(
            resource.address,
            resource.type,
            alarm["AlarmName"],
            {k: alarm.get(k) or None if k == "Dimensions" else alarm.get(k) for k in ALARM_PROPERTIES},
            owned=True,
            attributes={"Arn": alarm["AlarmArn"]},
        )
    unknown = sorted(set(live) - names)
    if unknown:
        scope.findings.append(
            Finding(ALARMS_ADDRESS, f"alarms named like the toolkit's but not in the spec, left alone: {unknown}")
        )
    return found


def _common_prefix(names: set[str]) -> str:
    ordered = sorted(names)
    first, last = ordered[0], ordered[-1]
    size = next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), min(len(first), len(last)))
    return first[:size]


class AlarmHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        cloudwatch = ctx.client("cloudwatch", resource.location)
        request = {k: props[k] for k in ALARM_PROPERTIES if k in props}
        with_retries(lambda: cloudwatch.put_metric_alarm(**request), sleep=ctx.sleep)
        return Outputs(props["AlarmName"])  # nothing refers to an alarm's ARN: no read-back needed

    update = create

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        ctx.client("cloudwatch", change.location).delete_alarms(AlarmNames=[str(change.physical_id)])


TYPES = (
    ResourceType(
        ALARM,
        TypeRule(
            compared=ALARM_PROPERTIES,
            replace_on=frozenset({"AlarmName"}),
            weakens={"ActionsEnabled": turned_off, "AlarmActions": items_removed},
            weakens_on_delete=True,
        ),
        AlarmHandler(),
        read_alarms,
        read_actions=("cloudwatch:DescribeAlarms",),
        write_actions=("cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms"),
        service="cloudwatch",
    ),
)
