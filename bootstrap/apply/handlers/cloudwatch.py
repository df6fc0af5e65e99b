"""Handlers for CloudWatch Logs groups and metric filters, and CloudWatch alarms.

The trail's log group is never deleted (it holds the evidence); its retention and key are repaired in
place. Metric filters and alarms are written whole (`put_*` creates or overwrites), so create and update
are the same call and a deleted one is simply put back.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from bootstrap.apply.context import ApplyContext, Outputs
from bootstrap.aws.retry import error_code, with_retries
from bootstrap.errors import SafetyError
from bootstrap.plan.model import Change
from bootstrap.plan.rules import ALARM_PROPERTIES
from bootstrap.resources import Resource


def _group_arn(ctx: ApplyContext, resource: Resource, name: str) -> str:
    logs = ctx.client("logs", resource.location)
    groups = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    group = next(g for g in groups if g["logGroupName"] == name)
    return str(group.get("arn") or f"{group['logGroupArn']}:*")


class LogGroupHandler:
    def create(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        logs = ctx.client("logs", resource.location)
        name = props["LogGroupName"]
        request: dict[str, Any] = {"logGroupName": name, "tags": {t["Key"]: t["Value"] for t in props.get("Tags", [])}}
        if props.get("KmsKeyId"):
            request["kmsKeyId"] = props["KmsKeyId"]
        try:
            with_retries(lambda: logs.create_log_group(**request), sleep=ctx.sleep)
        except ClientError as err:
            if error_code(err) != "ResourceAlreadyExistsException":
                raise
        if props.get("RetentionInDays"):
            logs.put_retention_policy(logGroupName=name, retentionInDays=props["RetentionInDays"])
        return Outputs(name, {"Arn": _group_arn(ctx, resource, name)})

    def update(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        logs = ctx.client("logs", resource.location)
        name = props["LogGroupName"]
        changed = {d.name for d in change.diffs}
        if "RetentionInDays" in changed:
            if props.get("RetentionInDays"):
                logs.put_retention_policy(logGroupName=name, retentionInDays=props["RetentionInDays"])
            else:
                logs.delete_retention_policy(logGroupName=name)
        if "KmsKeyId" in changed:
            if props.get("KmsKeyId"):
                logs.associate_kms_key(logGroupName=name, kmsKeyId=props["KmsKeyId"])
            else:
                logs.disassociate_kms_key(logGroupName=name)
        return Outputs(name, {"Arn": _group_arn(ctx, resource, name)})

    def delete(self, ctx: ApplyContext, change: Change) -> None:
        raise SafetyError(f"the toolkit never deletes the trail's log group ({change.address}): it holds evidence")


class MetricFilterHandler:
    def create(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        logs = ctx.client("logs", resource.location)
        transformations = [
            {
                api: t[cfn]
                for cfn, api in (
                    ("MetricName", "metricName"),
                    ("MetricNamespace", "metricNamespace"),
                    ("MetricValue", "metricValue"),
                    ("DefaultValue", "defaultValue"),
                    ("Unit", "unit"),
                )
                if cfn in t
            }
            for t in props["MetricTransformations"]
        ]
        with_retries(
            lambda: logs.put_metric_filter(
                logGroupName=props["LogGroupName"],
                filterName=props["FilterName"],
                filterPattern=props["FilterPattern"],
                metricTransformations=transformations,
            ),
            sleep=ctx.sleep,
        )
        return Outputs(props["FilterName"])

    update = create

    def delete(self, ctx: ApplyContext, change: Change) -> None:
        before = change.before or {}
        try:
            ctx.client("logs", change.location).delete_metric_filter(
                logGroupName=before["LogGroupName"], filterName=change.physical_id
            )
        except ClientError as err:
            if error_code(err) != "ResourceNotFoundException":
                raise


class AlarmHandler:
    def create(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        cloudwatch = ctx.client("cloudwatch", resource.location)
        request = {k: props[k] for k in ALARM_PROPERTIES if k in props}
        with_retries(lambda: cloudwatch.put_metric_alarm(**request), sleep=ctx.sleep)
        return Outputs(props["AlarmName"])  # nothing refers to an alarm's ARN: no read-back needed

    update = create

    def delete(self, ctx: ApplyContext, change: Change) -> None:
        ctx.client("cloudwatch", change.location).delete_alarms(AlarmNames=[str(change.physical_id)])
