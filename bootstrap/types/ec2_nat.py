"""NAT gateways, their Elastic IPs, and gateway endpoints (S3, DynamoDB): how they are read, compared, changed,
and the IAM actions that takes.

Reading: one `describe_nat_gateways` and one `describe_vpc_endpoints` per account-region, filtered by the spec's
VPCs. A NAT gateway's Elastic IP is read from the gateway's own answer (it names its allocation), so a no-op
plan makes no `describe_addresses`; only an address whose gateway is missing is looked up, by its tag.
Changing: a NAT gateway is awaited until AWS says it is available (or deleted), through `bootstrap.aws.waiter`.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code
from bootstrap.changes import Action, Change
from bootstrap.observed import ObservedResource
from bootstrap.resources import ADDRESS_TAG, ADDRESS_TAG_PROPERTY, MANAGED_TAG, Resource
from bootstrap.types.base import HandlerContext, Outputs, ReadScope, ResourceType, TypeRule
from bootstrap.types.ec2_common import (
    EC2_TAGGING,
    listing,
    match,
    observed,
    orphan_parts,
    owned_at,
    parent_id,
    retag,
    routed_to,
    tag_ec2,
    tag_specifications,
    tags_of,
)
from bootstrap.types.ec2_orphans import VPC
from bootstrap.types.ec2_teardown import create_tagged, delete_nat_gateways, release_address, wait_nat

EIP = "AWS::EC2::EIP"
NAT_GATEWAY = "AWS::EC2::NatGateway"
ENDPOINT = "AWS::EC2::VPCEndpoint"

_GONE = ("deleted", "deleting", "failed", "rejected", "expired")


def _nats(scope: ReadScope) -> list[dict[str, Any]]:
    return [n for n in listing(scope, "describe_nat_gateways", "NatGateways") if n.get("State") not in _GONE]


def _nat_matches(scope: ReadScope) -> dict[str, dict[str, Any]]:
    """Address -> live NAT gateway, for the NAT gateways the spec asks for here (shared with the EIP reader)."""

    def place(resource: Resource) -> Any:
        subnet = parent_id(scope, resource.properties.get("SubnetId"))
        return (lambda n: n.get("SubnetId") == subnet) if subnet else None

    def read() -> dict[str, dict[str, Any]]:
        return match(scope.desired.of_type(NAT_GATEWAY), _nats(scope), place)

    matched: dict[str, dict[str, Any]] = scope.once("ec2.nat-matches", read)
    return matched


def read_nat_gateways(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    if not resources and not routed_to(scope, "nat-"):  # read beside the VPCs: none left, none routed to
        return {}
    matched = _nat_matches(scope)
    result = {}
    for resource in resources:
        nat = matched.get(resource.address)
        if nat is None:
            continue
        tags = tags_of(nat)
        addresses = nat.get("NatGatewayAddresses") or [{}]
        result[resource.address] = observed(
            scope,
            resource,
            nat["NatGatewayId"],
            {"SubnetId": nat["SubnetId"], "AllocationId": addresses[0].get("AllocationId")},
            owned=owned_at(tags, resource.address),
            tags=tags,
            attributes={"NatGatewayId": nat["NatGatewayId"]},
        )
    result.update(orphan_parts(scope, NAT_GATEWAY, _nats(scope), "NatGatewayId"))
    return result


def read_addresses(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    """An Elastic IP is found through the NAT gateway the spec puts it on (the gateway's answer names it, and
    the address is the toolkit's when the gateway is); one whose gateway is missing, by its address tag."""
    nats = {n.address: n for n in scope.desired.of_type(NAT_GATEWAY)}
    on_nat = {}
    for nat_resource in nats.values():
        allocation = nat_resource.properties.get("AllocationId")
        target = scope.logical({"Ref": allocation["Fn::GetAtt"][0]}) if isinstance(allocation, dict) else None
        live = _nat_matches(scope).get(nat_resource.address)
        if target is not None and live is not None:
            on_nat[target.address] = (live, nat_resource.address)
    result = {}
    missing = []
    for resource in resources:
        if resource.address not in on_nat:
            missing.append(resource)
            continue
        nat, nat_address = on_nat[resource.address]
        first = (nat.get("NatGatewayAddresses") or [{}])[0]
        if not first.get("AllocationId"):
            missing.append(resource)
            continue
        owned = owned_at(tags_of(nat), nat_address)
        tags = {MANAGED_TAG: "true", ADDRESS_TAG: resource.address} if owned else {}
        result[resource.address] = observed(
            scope,
            resource,
            first["AllocationId"],
            {"Domain": "vpc"},
            owned=owned,
            tags=tags,
            attributes={"AllocationId": first["AllocationId"], "PublicIp": first.get("PublicIp", "")},
        )
    if missing:
        answer = scope.client("ec2").describe_addresses(
            Filters=[{"Name": f"tag:{ADDRESS_TAG}", "Values": [r.address for r in missing]}]
        )
        for address, item in match(missing, answer["Addresses"], lambda _: None).items():
            resource = next(r for r in missing if r.address == address)
            tags = tags_of(item)
            result[address] = observed(
                scope,
                resource,
                item["AllocationId"],
                {"Domain": item.get("Domain", "vpc")},
                owned=owned_at(tags, address),
                tags=tags,
                attributes={"AllocationId": item["AllocationId"], "PublicIp": item.get("PublicIp", "")},
            )
    return result


def read_endpoints(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    if not resources and not routed_to(scope, "vpce-"):  # read beside the VPCs: none left, none routed to
        return {}
    items = [
        e
        for e in listing(scope, "describe_vpc_endpoints", "VpcEndpoints")
        if str(e.get("State", "")).lower() not in _GONE
    ]

    def place(resource: Resource) -> Any:
        vpc = parent_id(scope, resource.properties.get("VpcId"))
        service = resource.properties.get("ServiceName")
        return (lambda e: e.get("VpcId") == vpc and e.get("ServiceName") == service) if vpc else None

    result = {}
    for address, item in match(resources, items, place).items():
        resource = next(r for r in resources if r.address == address)
        tags = tags_of(item)
        result[address] = observed(
            scope,
            resource,
            item["VpcEndpointId"],
            {
                "VpcId": item["VpcId"],
                "ServiceName": item["ServiceName"],
                "VpcEndpointType": item.get("VpcEndpointType", "Gateway"),
                "RouteTableIds": sorted(item.get("RouteTableIds", [])),
            },
            owned=owned_at(tags, address),
            tags=tags,
        )
    result.update(orphan_parts(scope, ENDPOINT, items, "VpcEndpointId"))
    return result


def _ec2(ctx: HandlerContext, where: Any) -> Any:
    return ctx.client("ec2", where.location)


class AddressHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2 = _ec2(ctx, resource)

        def find() -> dict[str, Any] | None:
            found = ec2.describe_addresses(Filters=[{"Name": f"tag:{ADDRESS_TAG}", "Values": [resource.address]}])
            return dict(found["Addresses"][0]) if found["Addresses"] else None

        allocated = create_tagged(
            ec2,
            "AllocateAddress",
            lambda: ec2.allocate_address(Domain="vpc", TagSpecifications=tag_specifications("elastic-ip", props)),
            find,
            what=f"the Elastic IP {resource.address}",
        )
        allocation = str(allocated["AllocationId"])
        return Outputs(allocation, {"AllocationId": allocation, "PublicIp": str(allocated.get("PublicIp", ""))})

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        retag(_ec2(ctx, resource), str(change.physical_id), props)
        return Outputs(str(change.physical_id), {"AllocationId": str(change.physical_id)})

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        release_address(_ec2(ctx, change), str(change.physical_id))


class NatGatewayHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2 = _ec2(ctx, resource)

        def find() -> dict[str, Any] | None:
            found = ec2.describe_nat_gateways(Filters=[{"Name": f"tag:{ADDRESS_TAG}", "Values": [resource.address]}])
            alive = [n for n in found["NatGateways"] if n.get("State") not in _GONE]
            return dict(alive[0]) if alive else None

        nat = create_tagged(
            ec2,
            "CreateNatGateway",
            lambda: ec2.create_nat_gateway(
                SubnetId=props["SubnetId"],
                AllocationId=props["AllocationId"],
                TagSpecifications=tag_specifications("natgateway", props),
            )["NatGateway"],
            find,
            what=f"the NAT gateway {resource.address}",
        )
        nat_id = str(nat["NatGatewayId"])
        wait_nat(ec2, nat_id, "available", sleep=ctx.sleep, timeout=ctx.wait_timeout)
        return Outputs(nat_id, {"NatGatewayId": nat_id})

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        retag(_ec2(ctx, resource), str(change.physical_id), props)
        return Outputs(str(change.physical_id), {"NatGatewayId": str(change.physical_id)})

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        """Deleted and awaited (its interface holds the subnet and the Elastic IP until AWS is done); its
        Elastic IP is released with it, unless it is being replaced (its subnet was): the new one takes it."""
        ec2 = _ec2(ctx, change)
        nat_id = str(change.physical_id)
        try:
            nats = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"]
        except ClientError as err:
            if error_code(err) != "NatGatewayNotFound":
                raise
            return
        if nats:
            delete_nat_gateways(
                ec2,
                nats[0]["VpcId"],
                sleep=ctx.sleep,
                timeout=ctx.wait_timeout,
                only=nat_id,
                release=change.action is not Action.REPLACE,
            )


class EndpointHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2 = _ec2(ctx, resource)
        endpoint = ec2.create_vpc_endpoint(
            VpcEndpointType=props.get("VpcEndpointType", "Gateway"),
            VpcId=props["VpcId"],
            ServiceName=props["ServiceName"],
            RouteTableIds=list(props.get("RouteTableIds") or []),
            TagSpecifications=tag_specifications("vpc-endpoint", props),
        )["VpcEndpoint"]
        return Outputs(str(endpoint["VpcEndpointId"]))

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2 = _ec2(ctx, resource)
        endpoint_id = str(change.physical_id)
        changed = {d.name: d for d in change.diffs}
        if "RouteTableIds" in changed:
            before = set(changed["RouteTableIds"].before or [])
            after = set(props.get("RouteTableIds") or [])
            ec2.modify_vpc_endpoint(
                VpcEndpointId=endpoint_id,
                **({"AddRouteTableIds": sorted(after - before)} if after - before else {}),
                **({"RemoveRouteTableIds": sorted(before - after)} if before - after else {}),
            )
        if ADDRESS_TAG_PROPERTY in changed:
            retag(ec2, endpoint_id, props)
        return Outputs(endpoint_id)

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        _ec2(ctx, change).delete_vpc_endpoints(VpcEndpointIds=[str(change.physical_id)])


_TAG = frozenset({ADDRESS_TAG_PROPERTY})

TYPES = (
    ResourceType(
        NAT_GATEWAY,
        TypeRule(
            compared=("SubnetId", "AllocationId", ADDRESS_TAG_PROPERTY),
            replace_on=frozenset({"SubnetId", "AllocationId"}),
            owned_only=_TAG,
            renews_dependents=True,
        ),
        NatGatewayHandler(),
        read_nat_gateways,
        read_actions=("ec2:DescribeNatGateways",),
        write_actions=(
            "ec2:CreateNatGateway",
            "ec2:DeleteNatGateway",
            "ec2:ReleaseAddress",
            "ec2:DisassociateAddress",
            *EC2_TAGGING,
        ),
        service="ec2",
        read_beside=VPC,
        tagger=tag_ec2,
    ),
    ResourceType(
        EIP,
        TypeRule(compared=("Domain", ADDRESS_TAG_PROPERTY), replace_on=frozenset({"Domain"}), owned_only=_TAG),
        AddressHandler(),
        read_addresses,
        read_actions=("ec2:DescribeNatGateways", "ec2:DescribeAddresses"),
        write_actions=("ec2:AllocateAddress", "ec2:ReleaseAddress", *EC2_TAGGING),
        service="ec2",
        tagger=tag_ec2,
    ),
    ResourceType(
        ENDPOINT,
        TypeRule(
            compared=("VpcId", "ServiceName", "VpcEndpointType", "RouteTableIds", ADDRESS_TAG_PROPERTY),
            sets=frozenset({"RouteTableIds"}),
            replace_on=frozenset({"VpcId", "ServiceName", "VpcEndpointType"}),
            owned_only=_TAG,
        ),
        EndpointHandler(),
        read_endpoints,
        read_actions=("ec2:DescribeVpcEndpoints",),
        write_actions=("ec2:CreateVpcEndpoint", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints", *EC2_TAGGING),
        service="ec2",
        read_beside=VPC,
        tagger=tag_ec2,
    ),
)
