"""Custom VPCs, internet gateways and the gateways' attachments: how they are read, compared, changed, and the IAM
actions that takes (subnets: `bootstrap.types.ec2_subnets`).

Reading: one `describe_vpcs` per account-region (every VPC: their blocks are noted for the organization-wide
CIDR allocation, `bootstrap.workflow`), the DNS attributes of the spec's VPCs, and one
`describe_internet_gateways` per account-region. Changing: everything is created with its tags
(`TagSpecifications`); a VPC is deleted only with every part the toolkit made in it, and never while it holds
network interfaces other than its NAT gateways' (`bootstrap.types.ec2_teardown`).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code
from bootstrap.changes import Change
from bootstrap.observed import ObservedResource
from bootstrap.resources import ADDRESS_TAG_PROPERTY, Resource
from bootstrap.types.base import HandlerContext, Outputs, ReadScope, ResourceType, TypeRule
from bootstrap.types.ec2_common import (
    EC2_TAGGING,
    all_vpcs,
    find_tagged,
    gone_ok,
    listing,
    match,
    observed,
    orphan_parts,
    owned_at,
    parent_id,
    parent_owned,
    retag,
    routed_to,
    tag_ec2,
    tag_specifications,
    tags_of,
)
from bootstrap.types.ec2_orphans import SWEEP_READS, explain_teardown, orphan_vpcs
from bootstrap.types.ec2_teardown import (
    TEARDOWN_ACTIONS,
    TEARDOWN_READS,
    create_tagged,
    detach_gateway,
    teardown_vpc,
)

VPC = "AWS::EC2::VPC"
INTERNET_GATEWAY = "AWS::EC2::InternetGateway"
GATEWAY_ATTACHMENT = "AWS::EC2::VPCGatewayAttachment"
_DNS = (("EnableDnsSupport", "enableDnsSupport"), ("EnableDnsHostnames", "enableDnsHostnames"))


def read_vpcs(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    """Every VPC of the account-region is listed (one call); the spec's are matched by their address tag. VPCs
    the toolkit made that the spec no longer asks for are reported as orphans (with their location).

    Once the spec's VPCs are known, their DNS attributes and the listings their parts' readers filter by their
    ids are read at once, in one round trip (`_prefetched`), rather than one reader after another."""
    ec2 = scope.client("ec2")
    vpcs = all_vpcs(scope)
    matched = match(resources, [v for v in vpcs if not v.get("IsDefault")], lambda _: None)
    ids: list[str] = scope.once("ec2.vpc-ids", list)
    here = [r for r in resources if r.address in matched]
    ids.extend(matched[r.address]["VpcId"] for r in here)
    owned = {r.address for r in here if owned_at(tags_of(matched[r.address]), r.address)}
    attributes = [
        partial(ec2.describe_vpc_attribute, VpcId=matched[r.address]["VpcId"], Attribute=api)
        for r in here
        if r.address in owned
        for _, api in _DNS
    ]
    answers = iter(scope.gather([*attributes, *_prefetched(scope, [r.address for r in here])])[: len(attributes)])
    result: dict[str, ObservedResource] = {}
    for resource in here:
        vpc = matched[resource.address]
        props: dict[str, Any] = {"CidrBlock": vpc["CidrBlock"]}
        if resource.address in owned:
            for cfn, _ in _DNS:
                props[cfn] = bool(next(answers)[cfn]["Value"])
        result[resource.address] = observed(
            scope,
            resource,
            vpc["VpcId"],
            props,
            owned=resource.address in owned,
            tags=tags_of(vpc),
            attributes={"VpcId": vpc["VpcId"], "CidrBlock": vpc["CidrBlock"]},
        )
    result.update(orphan_vpcs(scope))
    return result


_PARTS_LISTED = (
    ((), "describe_subnets", "Subnets", "vpc-id"),
    ((), "describe_route_tables", "RouteTables", "vpc-id"),
    ((), "describe_security_groups", "SecurityGroups", "vpc-id"),
    (("endpoint/s3", "endpoint/dynamodb"), "describe_vpc_endpoints", "VpcEndpoints", "vpc-id"),
    (("flow-log",), "describe_flow_logs", "FlowLogs", "resource-id"),
    (("nat-gateway/a",), "describe_nat_gateways", "NatGateways", "vpc-id"),
    (("internet-gateway",), "describe_internet_gateways", "InternetGateways", None),
)
"""Each kind of part's listing, as its reader makes it, and the addresses below a VPC's of which one is desired
whenever the VPC has that kind of part (none: every VPC has subnets, route tables and a default group)."""


def _prefetched(scope: ReadScope, vpcs: list[str]) -> list[Any]:
    """The listings the parts' readers of these VPCs will make (each made once per account-region, `listing`),
    as calls to make now, all at once: the parts' readers then find them made."""
    if not vpcs:
        return []
    desired = scope.desired.by_address
    return [
        partial(listing, scope, operation, key, by_vpc=by_vpc)
        for probes, operation, key, by_vpc in _PARTS_LISTED
        if not probes or any(f"{vpc}/{probe}" in desired for vpc in vpcs for probe in probes)
    ]


def _gateways(scope: ReadScope) -> list[dict[str, Any]]:
    """Every internet gateway of the account-region: a detached one of the toolkit's is found all the same."""
    return listing(scope, "describe_internet_gateways", "InternetGateways", by_vpc=None)


def read_internet_gateways(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    if not resources and not routed_to(scope, "igw-"):  # read beside the VPCs: none left, none routed to
        return {}
    items = _gateways(scope)
    attachments = scope.desired.of_type(GATEWAY_ATTACHMENT)

    def place(resource: Resource) -> Any:
        ref = {"Ref": resource.logical_id}
        attachment = next((a for a in attachments if a.properties.get("InternetGatewayId") == ref), None)
        vpc = parent_id(scope, attachment.properties.get("VpcId")) if attachment else None
        return (lambda i: any(a.get("VpcId") == vpc for a in i.get("Attachments", []))) if vpc else None

    result = {}
    for address, item in match(resources, items, place).items():
        resource = next(r for r in resources if r.address == address)
        tags = tags_of(item)
        result[address] = observed(
            scope, resource, item["InternetGatewayId"], {}, owned=owned_at(tags, address), tags=tags
        )
    result.update(orphan_parts(scope, INTERNET_GATEWAY, items, "InternetGatewayId"))
    return result


def read_attachments(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    """An attachment is the toolkit's when its internet gateway is (attachments carry no tags)."""
    by_id = {g["InternetGatewayId"]: g for g in _gateways(scope)}
    result = {}
    for resource in resources:
        gateway = parent_id(scope, resource.properties.get("InternetGatewayId"))
        vpc = parent_id(scope, resource.properties.get("VpcId"))
        item = by_id.get(gateway or "")
        if item is None or vpc is None:
            continue
        attached = [a for a in item.get("Attachments", []) if a.get("State") in ("attached", "available", None)]
        if not any(a.get("VpcId") == vpc for a in attached):
            continue
        result[resource.address] = observed(
            scope,
            resource,
            f"{gateway}|{vpc}",
            {"InternetGatewayId": gateway, "VpcId": vpc},
            owned=parent_owned(scope, resource.properties.get("InternetGatewayId")),
        )
    return result


class VpcHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2: Any = ctx.client("ec2", resource.location)
        vpc = create_tagged(
            ec2,
            "CreateVpc",
            lambda: ec2.create_vpc(CidrBlock=props["CidrBlock"], TagSpecifications=tag_specifications("vpc", props))[
                "Vpc"
            ],
            lambda: find_tagged(ec2.describe_vpcs, "Vpcs", resource.address),
            what=f"the VPC {resource.address}",
        )
        for cfn, _ in _DNS:
            ec2.modify_vpc_attribute(VpcId=vpc["VpcId"], **{cfn: {"Value": bool(props.get(cfn, True))}})
        return Outputs(vpc["VpcId"], {"VpcId": vpc["VpcId"], "CidrBlock": vpc["CidrBlock"]})

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2: Any = ctx.client("ec2", resource.location)
        vpc_id = str(change.physical_id)
        changed = {d.name for d in change.diffs}
        for cfn, _ in _DNS:
            if cfn in changed:
                ec2.modify_vpc_attribute(VpcId=vpc_id, **{cfn: {"Value": bool(props.get(cfn))}})
        if ADDRESS_TAG_PROPERTY in changed:
            retag(ec2, vpc_id, props)
        return Outputs(vpc_id, {"VpcId": vpc_id, "CidrBlock": str(props["CidrBlock"])})

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        ec2: Any = ctx.client("ec2", change.location)
        teardown_vpc(ec2, str(change.physical_id), change.address, sleep=ctx.sleep, timeout=ctx.wait_timeout)


class InternetGatewayHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2: Any = ctx.client("ec2", resource.location)
        gateway = create_tagged(
            ec2,
            "CreateInternetGateway",
            lambda: ec2.create_internet_gateway(TagSpecifications=tag_specifications("internet-gateway", props))[
                "InternetGateway"
            ],
            lambda: find_tagged(ec2.describe_internet_gateways, "InternetGateways", resource.address),
            what=f"the internet gateway {resource.address}",
        )
        return Outputs(gateway["InternetGatewayId"])

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2: Any = ctx.client("ec2", resource.location)
        retag(ec2, str(change.physical_id), props)
        return Outputs(str(change.physical_id))

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        ec2: Any = ctx.client("ec2", change.location)
        gateway_id = str(change.physical_id)
        gateways = ec2.describe_internet_gateways(Filters=[{"Name": "internet-gateway-id", "Values": [gateway_id]}])[
            "InternetGateways"
        ]
        for attachment in gateways[0].get("Attachments", []) if gateways else []:
            detach_gateway(ec2, gateway_id, attachment["VpcId"], sleep=ctx.sleep, timeout=ctx.wait_timeout)
        gone_ok(lambda: ec2.delete_internet_gateway(InternetGatewayId=gateway_id), "InvalidInternetGatewayID.NotFound")


class AttachmentHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2: Any = ctx.client("ec2", resource.location)
        try:
            ec2.attach_internet_gateway(InternetGatewayId=props["InternetGatewayId"], VpcId=props["VpcId"])
        except ClientError as err:
            if error_code(err) != "Resource.AlreadyAssociated":
                raise
        return Outputs(f"{props['InternetGatewayId']}|{props['VpcId']}")

    update = create

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        ec2: Any = ctx.client("ec2", change.location)
        gateway_id, _, vpc_id = str(change.physical_id).partition("|")
        detach_gateway(ec2, gateway_id, vpc_id, sleep=ctx.sleep, timeout=ctx.wait_timeout)


_TAG = frozenset({ADDRESS_TAG_PROPERTY})

TYPES = (
    ResourceType(
        VPC,
        TypeRule(
            compared=("CidrBlock", "EnableDnsSupport", "EnableDnsHostnames", ADDRESS_TAG_PROPERTY),
            replace_on=frozenset({"CidrBlock"}),
            owned_only=_TAG,
            shown_on_create=frozenset({"CidrBlock"}),
            explain=explain_teardown,
        ),
        VpcHandler(),
        read_vpcs,
        read_actions=("ec2:DescribeRegions", "ec2:DescribeVpcAttribute", *TEARDOWN_READS, *SWEEP_READS),
        write_actions=("ec2:CreateVpc", "ec2:ModifyVpcAttribute", "ec2:DeleteVpc", *EC2_TAGGING, *TEARDOWN_ACTIONS),
        service="ec2",
        tagger=tag_ec2,
    ),
    ResourceType(
        INTERNET_GATEWAY,
        TypeRule(compared=(ADDRESS_TAG_PROPERTY,), owned_only=_TAG),
        InternetGatewayHandler(),
        read_internet_gateways,
        read_actions=("ec2:DescribeInternetGateways",),
        write_actions=(
            "ec2:CreateInternetGateway", "ec2:DetachInternetGateway", "ec2:DeleteInternetGateway", *EC2_TAGGING,
        ),
        service="ec2",
        read_beside=VPC,
        tagger=tag_ec2,
    ),
    ResourceType(
        GATEWAY_ATTACHMENT,
        TypeRule(compared=("InternetGatewayId", "VpcId"), replace_on=frozenset({"InternetGatewayId", "VpcId"})),
        AttachmentHandler(),
        read_attachments,
        read_actions=("ec2:DescribeInternetGateways",),
        write_actions=("ec2:AttachInternetGateway", "ec2:DetachInternetGateway"),
        service="ec2",
    ),
)  # fmt: skip
