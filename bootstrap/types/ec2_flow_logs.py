"""VPC flow logs and the locked-down default security group of each custom VPC: how they are read, compared,
changed, and the IAM actions that takes.

Flow logs: one `describe_flow_logs` per account-region, filtered by the spec's VPCs. AWS cannot change a flow
log: any difference replaces it (delete, then create). When the destination moves away from CloudWatch Logs, the
group that held the flow logs so far is kept (the toolkit never deletes logs) and the plan says so; the
account's delivery role goes once no VPC of the account needs it (`bootstrap.types.iam`). The log archive
bucket is named by its bare ARN: AWS writes under `AWSLogs/<account id>/` by itself.

The default security group (`Bootstrap::EC2::DefaultSecurityGroup`): AWS makes one with every VPC, allowing all
traffic between its members and out; CIS 5.4 wants it to allow nothing, so nothing is ever put in it by
accident. CloudFormation cannot express rules removed from a group it did not make, hence a toolkit type. It is
read from one `describe_security_groups` per account-region, and is the toolkit's when its VPC is. Any rule
found on it is drift, shown as it is and revoked by apply.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code
from bootstrap.changes import Change
from bootstrap.errors import AwsError
from bootstrap.observed import Finding, ObservedResource
from bootstrap.resources import ADDRESS_TAG, ADDRESS_TAG_PROPERTY, Resource
from bootstrap.types.base import HandlerContext, Outputs, ReadScope, ResourceType, TypeRule
from bootstrap.types.ec2_common import (
    EC2_TAGGING,
    listing,
    match,
    observed,
    orphan_parts,
    owned_at,
    parent_id,
    parent_owned,
    retag,
    tag_ec2,
    tag_specifications,
    tags_of,
)
from bootstrap.types.ec2_orphans import VPC, kept_log_group
from bootstrap.types.mapping import FieldMap

FLOW_LOG = "AWS::EC2::FlowLog"
DEFAULT_SECURITY_GROUP = "Bootstrap::EC2::DefaultSecurityGroup"

FLOW_LOG_FIELDS = FieldMap.of(
    ("ResourceId", "ResourceIds"),
    ("ResourceType", "ResourceType"),
    ("TrafficType", "TrafficType"),
    ("LogDestinationType", "LogDestinationType"),
    ("LogDestination", "LogDestination"),
    ("LogGroupName", "LogGroupName"),
    ("DeliverLogsPermissionArn", "DeliverLogsPermissionArn"),
    ("MaxAggregationInterval", "MaxAggregationInterval"),
)
"""A flow log's properties as CloudFormation and `CreateFlowLogs` name them (the API takes a list of resources)."""

_DESTINATION_FIELDS = {"s3": ("LogDestination",), "cloud-watch-logs": ("LogGroupName", "DeliverLogsPermissionArn")}


def read_flow_logs(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    items = listing(scope, "describe_flow_logs", "FlowLogs", by_vpc="resource-id")

    def place(resource: Resource) -> Any:
        vpc = parent_id(scope, resource.properties.get("ResourceId"))
        kind = resource.properties.get("LogDestinationType")
        return (lambda f: f.get("ResourceId") == vpc and f.get("LogDestinationType") == kind) if vpc else None

    result = {}
    for address, item in match(resources, items, place).items():
        resource = next(r for r in resources if r.address == address)
        kind = str(item.get("LogDestinationType", "cloud-watch-logs"))
        props = {
            "ResourceId": item["ResourceId"],
            "ResourceType": "VPC" if str(item["ResourceId"]).startswith("vpc-") else "Subnet",
            "TrafficType": item.get("TrafficType"),
            "LogDestinationType": kind,
            "MaxAggregationInterval": item.get("MaxAggregationInterval"),
            **{name: item.get(name) for name in _DESTINATION_FIELDS.get(kind, ())},
        }
        tags = tags_of(item)
        owned = owned_at(tags, address)
        result[address] = observed(scope, resource, item["FlowLogId"], props, owned=owned, tags=tags)
        group = item.get("LogGroupName")
        if owned and group and resource.properties.get("LogDestinationType") != kind:  # the destination moves
            scope.findings.append(Finding(address, kept_log_group(str(group), "the flow logs delivered so far")))
    dropped = orphan_parts(scope, FLOW_LOG, items, "FlowLogId")
    for item in items:
        address = tags_of(item).get(ADDRESS_TAG, "")
        if address in dropped and item.get("LogGroupName"):  # flow logs turned off: their group stays
            scope.findings.append(Finding(address, kept_log_group(str(item["LogGroupName"]), "the flow logs so far")))
    result.update(dropped)
    return result


def _ec2(ctx: HandlerContext, where: Any) -> Any:
    return ctx.client("ec2", where.location)


class FlowLogHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2 = _ec2(ctx, resource)
        request = FLOW_LOG_FIELDS.to_api(props)
        request["ResourceIds"] = [props["ResourceId"]]
        answer = ec2.create_flow_logs(**request, TagSpecifications=tag_specifications("vpc-flow-log", props))
        if answer.get("Unsuccessful") or not answer.get("FlowLogIds"):
            reasons = "; ".join(str(u.get("Error", {}).get("Message", u)) for u in answer.get("Unsuccessful", []))
            raise AwsError(
                f"AWS refused the flow log {resource.address}: {reasons or 'no flow log was made'}",
                "With S3, the log archive bucket's policy must allow delivery.logs.amazonaws.com (apply the logging "
                "layer first); with CloudWatch Logs, the delivery role must exist. Then run `bootstrap apply` again.",
            )
        return Outputs(str(answer["FlowLogIds"][0]))

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        retag(_ec2(ctx, resource), str(change.physical_id), props)
        return Outputs(str(change.physical_id))

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        _ec2(ctx, change).delete_flow_logs(FlowLogIds=[str(change.physical_id)])


def _rules(permissions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rules as AWS answers them, without the empty lists it pads them with (what revoking them takes)."""
    return [{k: v for k, v in p.items() if v not in ([], None, "")} for p in permissions]


def read_default_security_groups(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    groups = [g for g in listing(scope, "describe_security_groups", "SecurityGroups") if g["GroupName"] == "default"]
    result = {}
    for resource in resources:
        vpc = parent_id(scope, resource.properties.get("VpcId"))
        group = next((g for g in groups if g["VpcId"] == vpc), None)
        if group is None:
            continue
        owned = parent_owned(scope, resource.properties.get("VpcId"))
        result[resource.address] = observed(
            scope,
            resource,
            group["GroupId"],
            {
                "VpcId": group["VpcId"],
                "SecurityGroupIngress": _rules(group.get("IpPermissions", [])),
                "SecurityGroupEgress": _rules(group.get("IpPermissionsEgress", [])),
            },
            owned=owned,
            tags=tags_of(group) if owned else {},
        )
    return result


class DefaultSecurityGroupHandler:
    """The group exists with its VPC: "creating" it is emptying and tagging it; it goes with its VPC."""

    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2 = _ec2(ctx, resource)
        filters = [{"Name": "vpc-id", "Values": [props["VpcId"]]}, {"Name": "group-name", "Values": ["default"]}]
        group = ec2.describe_security_groups(Filters=filters)["SecurityGroups"][0]
        self._revoke(
            ec2, group["GroupId"], _rules(group.get("IpPermissions", [])), _rules(group.get("IpPermissionsEgress", []))
        )
        retag(ec2, group["GroupId"], props)
        return Outputs(str(group["GroupId"]))

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2 = _ec2(ctx, resource)
        group_id = str(change.physical_id)
        before = change.before or {}
        self._revoke(ec2, group_id, before.get("SecurityGroupIngress") or [], before.get("SecurityGroupEgress") or [])
        if ADDRESS_TAG_PROPERTY in {d.name for d in change.diffs}:
            retag(ec2, group_id, props)
        return Outputs(group_id)

    @staticmethod
    def _revoke(ec2: Any, group_id: str, ingress: list[dict[str, Any]], egress: list[dict[str, Any]]) -> None:
        for call, rules in ((ec2.revoke_security_group_ingress, ingress), (ec2.revoke_security_group_egress, egress)):
            if not rules:
                continue
            try:
                call(GroupId=group_id, IpPermissions=rules)
            except ClientError as err:
                if error_code(err) != "InvalidPermission.NotFound":
                    raise

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        """Nothing to do: AWS deletes a VPC's default security group with the VPC, and never before."""
        del ctx, change


TYPES = (
    ResourceType(
        FLOW_LOG,
        TypeRule(
            compared=(
                "ResourceId", "ResourceType", "TrafficType", "LogDestinationType", "LogDestination", "LogGroupName",
                "DeliverLogsPermissionArn", "MaxAggregationInterval", ADDRESS_TAG_PROPERTY,
            ),
            replace_on=frozenset({
                "ResourceId", "ResourceType", "TrafficType", "LogDestinationType", "LogDestination", "LogGroupName",
                "DeliverLogsPermissionArn", "MaxAggregationInterval",
            }),
            owned_only=frozenset({ADDRESS_TAG_PROPERTY}),
            weakens_on_delete=True,
        ),
        FlowLogHandler(),
        read_flow_logs,
        read_actions=("ec2:DescribeFlowLogs",),
        write_actions=("ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", "iam:PassRole", "logs:CreateLogDelivery",
            "logs:DeleteLogDelivery", *EC2_TAGGING),
        service="ec2",
        read_beside=VPC,
        tagger=tag_ec2,
    ),
    ResourceType(
        DEFAULT_SECURITY_GROUP,
        TypeRule(
            compared=("VpcId", "SecurityGroupIngress", "SecurityGroupEgress", ADDRESS_TAG_PROPERTY),
            replace_on=frozenset({"VpcId"}),
            owned_only=frozenset({ADDRESS_TAG_PROPERTY}),
            weakens={
                "SecurityGroupIngress": lambda before, after: bool(after) and not before,
                "SecurityGroupEgress": lambda before, after: bool(after) and not before,
            },
        ),
        DefaultSecurityGroupHandler(),
        read_default_security_groups,
        read_actions=("ec2:DescribeSecurityGroups",),
        write_actions=("ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress", *EC2_TAGGING),
        service="ec2",
        tagger=tag_ec2,
    ),
)  # fmt: skip
