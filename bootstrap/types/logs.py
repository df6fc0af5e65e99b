"""CloudWatch Logs: the trail's log group and the CIS metric filters on it: how they are read, compared,
changed, and the IAM actions that takes.

Reading: one `describe_log_groups` by the landing zone's prefix per account-region, and one
`describe_metric_filters` per log group. The log group is owned when tagged `bootstrap:managed`; metric filters
are the toolkit's by their derived names.

Changing: the log group is never deleted (it holds the evidence); its retention and key are repaired in place.
Metric filters are written whole (`put_metric_filter` creates or overwrites), so create and update are the same
call and a deleted one is simply put back.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code, with_retries
from bootstrap.changes import Change
from bootstrap.errors import SafetyError
from bootstrap.observed import ObservedResource
from bootstrap.resources import MANAGED_TAG, Location, Resource
from bootstrap.types.base import (
    ClientFor,
    HandlerContext,
    Outputs,
    ReadScope,
    ResourceType,
    TypeRule,
    lowered,
    turned_off,
)
from bootstrap.types.mapping import FieldMap, tag_dict
from bootstrap.types.pages import pages

if TYPE_CHECKING:
    from mypy_boto3_logs.type_defs import MetricTransformationTypeDef

LOG_GROUP_TYPE = "AWS::Logs::LogGroup"
METRIC_FILTER = "AWS::Logs::MetricFilter"

LOG_GROUP = FieldMap.of(
    ("LogGroupName", "logGroupName"), ("RetentionInDays", "retentionInDays"), ("KmsKeyId", "kmsKeyId")
)
TRANSFORMATION = FieldMap.of(
    ("MetricName", "metricName"),
    ("MetricNamespace", "metricNamespace"),
    ("MetricValue", "metricValue"),
    ("DefaultValue", "defaultValue"),
    ("Unit", "unit"),
)
"""A metric filter's metric transformation (moto answers an unset value as the string "None")."""


def _log_groups(scope: ReadScope, resources: list[Resource]) -> dict[str, dict[str, Any]]:
    names = {str(r.properties["LogGroupName"]) for r in resources}
    prefix = os.path.commonpath(sorted(names)) if names else ""  # the trail's and flow-log groups share "/<org>"
    logs = scope.client("logs")
    groups = pages(logs, "describe_log_groups", "logGroups", **({"logGroupNamePrefix": prefix} if prefix else {}))
    return {g["logGroupName"]: g for g in groups if g["logGroupName"] in names}


def read_log_groups(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    groups = _log_groups(scope, resources)
    logs = scope.client("logs")
    found = {}
    for resource in resources:
        group = groups.get(str(resource.properties["LogGroupName"]))
        if group is None:
            continue
        name = group["logGroupName"]
        tags = logs.list_tags_log_group(logGroupName=name).get("tags", {})
        found[resource.address] = ObservedResource(
            resource.address,
            resource.type,
            name,
            {f.cfn: group.get(f.answer) for f in LOG_GROUP.fields},
            owned=tags.get(MANAGED_TAG) == "true",
            attributes={"Arn": group.get("arn") or f"{group['logGroupArn']}:*"},
        )
    return found


def read_metric_filters(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    logs = scope.client("logs")
    by_group: dict[str, list[Resource]] = {}
    for resource in resources:
        group = scope.logical(resource.properties.get("LogGroupName"))
        name = str(group.properties["LogGroupName"]) if group else str(resource.properties["LogGroupName"])
        by_group.setdefault(name, []).append(resource)
    found = {}
    for group_name, wanted in by_group.items():
        try:
            filters = pages(logs, "describe_metric_filters", "metricFilters", logGroupName=group_name)
        except ClientError as err:
            if error_code(err) == "ResourceNotFoundException":
                continue  # the log group itself is absent: every filter will be created with it
            raise
        live = {f["filterName"]: f for f in filters}
        for resource in wanted:
            item = live.get(str(resource.properties["FilterName"]))
            if item is None:
                continue
            found[resource.address] = ObservedResource(
                resource.address,
                resource.type,
                item["filterName"],
                {
                    "FilterName": item["filterName"],
                    "FilterPattern": item.get("filterPattern", ""),
                    "LogGroupName": item.get("logGroupName", group_name),
                    "MetricTransformations": [
                        TRANSFORMATION.to_cfn(t, unset=(None, "None")) for t in item.get("metricTransformations", [])
                    ],
                },
                owned=True,
            )
    return found


def _group_arn(ctx: HandlerContext, resource: Resource, name: str) -> str:
    logs = ctx.client("logs", resource.location)
    groups = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    group = next(g for g in groups if g["logGroupName"] == name)
    return str(group.get("arn") or f"{group['logGroupArn']}:*")


class LogGroupHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        logs = ctx.client("logs", resource.location)
        name = props["LogGroupName"]
        request = {"tags": tag_dict(props.get("Tags", [])), **LOG_GROUP.to_api({**props, "RetentionInDays": None})}
        try:
            with_retries(lambda: logs.create_log_group(**request), sleep=ctx.sleep)
        except ClientError as err:
            if error_code(err) != "ResourceAlreadyExistsException":
                raise
        if props.get("RetentionInDays"):
            logs.put_retention_policy(logGroupName=name, retentionInDays=props["RetentionInDays"])
        return Outputs(name, {"Arn": _group_arn(ctx, resource, name)})

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
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

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError(f"the toolkit never deletes the trail's log group ({change.address}): it holds evidence")


class MetricFilterHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        logs = ctx.client("logs", resource.location)
        transformations = cast(
            "list[MetricTransformationTypeDef]", [TRANSFORMATION.to_api(t) for t in props["MetricTransformations"]]
        )
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

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        before = change.before or {}
        try:
            ctx.client("logs", change.location).delete_metric_filter(
                logGroupName=before["LogGroupName"], filterName=str(change.physical_id)
            )
        except ClientError as err:
            if error_code(err) != "ResourceNotFoundException":
                raise


def tag_log_group(client: ClientFor, where: Location, name: str, tags: dict[str, str]) -> None:
    client.client("logs", where).tag_log_group(logGroupName=name, tags=tags)


TYPES = (
    ResourceType(
        LOG_GROUP_TYPE,
        TypeRule(
            compared=("LogGroupName", "RetentionInDays", "KmsKeyId"),
            replace_on=frozenset({"LogGroupName"}),
            deletable=False,
            weakens={"RetentionInDays": lowered, "KmsKeyId": turned_off},
        ),
        LogGroupHandler(),
        read_log_groups,
        read_actions=("logs:DescribeLogGroups", "logs:ListTagsLogGroup"),
        write_actions=(
            "logs:CreateLogGroup", "logs:TagResource", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
            "logs:AssociateKmsKey", "logs:DisassociateKmsKey", "logs:DescribeLogGroups", "logs:TagLogGroup",
        ),
        service="logs",
        tagger=tag_log_group,
    ),
    ResourceType(
        METRIC_FILTER,
        TypeRule(
            compared=("FilterName", "FilterPattern", "LogGroupName", "MetricTransformations"),
            replace_on=frozenset({"FilterName", "LogGroupName"}),
            weakens_on_delete=True,
        ),
        MetricFilterHandler(),
        read_metric_filters,
        read_actions=("logs:DescribeMetricFilters",),
        write_actions=("logs:PutMetricFilter", "logs:DeleteMetricFilter"),
        service="logs",
    ),
)  # fmt: skip
