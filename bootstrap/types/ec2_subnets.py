"""Subnets of the custom VPCs: how they are read, compared, changed, and the IAM actions that takes.

Reading: one `describe_subnets` per account-region, filtered by the spec's VPCs. Every subnet listed is noted
(`SUBNET_CIDRS`), the toolkit's or not, so that the plan's allocation keeps each live subnet's block and gives a
new one a block no live subnet uses (`bootstrap.spec.network_subnets`). A subnet the plan would delete (the spec
dropped its tier or zone) or replace (its tier's size changed: AWS cannot resize a subnet) is checked for network
interfaces, in one `describe_network_interfaces` made only when there is such a subnet: one that holds anything
but the toolkit's NAT gateways is a finding naming the interfaces, which blocks the plan, never a change that
AWS would refuse halfway through an apply. The check is made again right before the deletion.

Changing: a subnet is created with its tags. One that is deleted or replaced lets go of its route table
association and of the toolkit's NAT gateway in it first (awaited; the gateway's Elastic IP is released only
when the subnet goes for good: a replaced subnet's gateway is replaced too, on the same address). A replacement
renews what refers to the subnet (`TypeRule.renews_dependents`), and a subnet made where a removed one was waits
for that removal (`TypeRule.frees_for`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from ipaddress import ip_network
from typing import Any

from bootstrap.changes import Action, Change
from bootstrap.errors import SafetyError
from bootstrap.observed import Finding, ObservedResource
from bootstrap.resources import ADDRESS_TAG, ADDRESS_TAG_PROPERTY, MANAGED_TAG, Resource
from bootstrap.types.base import HandlerContext, Outputs, ReadScope, ResourceType, TypeRule
from bootstrap.types.ec2_common import (
    EC2_TAGGING,
    SUBNET_CIDRS,
    describe_interface,
    find_tagged,
    gone_ok,
    listing,
    match,
    nat_interfaces,
    observed,
    orphan_address,
    orphan_parts,
    owned_at,
    parent_id,
    retag,
    tag_ec2,
    tag_specifications,
    tags_of,
)
from bootstrap.types.ec2_orphans import VPC
from bootstrap.types.ec2_teardown import create_tagged, delete_nat_gateways, foreign_interfaces
from bootstrap.types.pages import pages

SUBNET = "AWS::EC2::Subnet"


def _live_props(item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "VpcId": item["VpcId"],
        "CidrBlock": item["CidrBlock"],
        "AvailabilityZone": item["AvailabilityZone"],
        "MapPublicIpOnLaunch": bool(item.get("MapPublicIpOnLaunch")),
    }


def _prefix(cidr: Any) -> int:
    return int(str(cidr).rpartition("/")[2] or 0)


def read_subnets(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    items = listing(scope, "describe_subnets", "Subnets")

    def place(resource: Resource) -> Any:
        vpc = parent_id(scope, resource.properties.get("VpcId"))
        cidr = resource.properties.get("CidrBlock")
        return (lambda i: i["VpcId"] == vpc and i["CidrBlock"] == cidr) if vpc else None

    matched = match(resources, items, place)
    held = _held(scope, _removed(scope, items, matched))
    result = {}
    for address, item in matched.items():
        resource = next(r for r in resources if r.address == address)
        tags = tags_of(item)
        result[address] = observed(
            scope,
            resource,
            item["SubnetId"],
            _live_props(item),
            owned=owned_at(tags, address),
            tags=tags,
            attributes={"SubnetId": item["SubnetId"]},
        )
    for item in items:
        tags = tags_of(item)
        scope.note(
            SUBNET_CIDRS,
            {
                "VpcId": item["VpcId"],
                "CidrBlock": item["CidrBlock"],
                "Address": tags.get(ADDRESS_TAG, ""),
                "Freeable": tags.get(MANAGED_TAG) == "true" and item["SubnetId"] not in held,
            },
        )
    free = [i for i in items if i["SubnetId"] not in held]
    result.update(orphan_parts(scope, SUBNET, free, "SubnetId", _live_props))
    return result


def _removed(
    scope: ReadScope, items: list[dict[str, Any]], matched: Mapping[str, dict[str, Any]]
) -> dict[str, tuple[str, str]]:
    """Subnet id -> (address, why) of each subnet of the toolkit's the plan would delete or replace."""
    removed = {}
    for item in items:
        address = orphan_address(item, scope.desired.by_address)
        if address is not None:
            removed[item["SubnetId"]] = (address, "is no longer in the spec (its tier or zone was dropped)")
    for address, item in matched.items():
        wanted = _prefix(scope.desired.by_address[address].properties.get("CidrBlock"))
        if owned_at(tags_of(item), address) and _prefix(item["CidrBlock"]) != wanted:
            removed[item["SubnetId"]] = (
                address,
                f"must be replaced to become a /{wanted} (AWS cannot resize a subnet)",
            )
    return removed


def _held(scope: ReadScope, removed: Mapping[str, tuple[str, str]]) -> set[str]:
    """The subnets of `removed` that network interfaces other than the toolkit's NAT gateways' run in, each
    reported as an error naming them."""
    if not removed:
        return set()
    ec2 = scope.client("ec2")
    by_subnet = [{"Name": "subnet-id", "Values": sorted(removed)}]
    interfaces, nats = scope.gather(
        [
            partial(pages, ec2, "describe_network_interfaces", "NetworkInterfaces", Filters=by_subnet),
            partial(listing, scope, "describe_nat_gateways", "NatGateways"),
        ]
    )
    ours = nat_interfaces(nats)
    held: dict[str, list[str]] = {}
    for eni in interfaces:
        if eni["NetworkInterfaceId"] not in ours and eni.get("SubnetId") in removed:
            held.setdefault(eni["SubnetId"], []).append(describe_interface(eni))
    for subnet_id, found in sorted(held.items()):
        address, why = removed[subnet_id]
        scope.findings.append(
            Finding(
                address,
                f"the subnet {subnet_id} {why}, but network interfaces run in it: {'; '.join(sorted(found))}. "
                "The toolkit deletes nothing in use: move or delete those, or put the subnet's tier back as it "
                "was in the spec, then plan again",
                "error",
            )
        )
    return set(held)


def subnet_frees_for(live: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """A subnet being removed holds part of the range a subnet being made needs (AWS refuses overlapping
    subnets: `InvalidSubnet.Conflict`)."""
    before, after = live.get("CidrBlock"), wanted.get("CidrBlock")
    if not isinstance(before, str) or not isinstance(after, str):
        return False
    return ip_network(before, strict=False).overlaps(ip_network(after, strict=False))


def explain_removal(live: Mapping[str, Any]) -> str:
    """What deleting a subnet the spec dropped frees (the plan shows it as the change's reason); nothing to say
    of a subnet the spec still asks for (its live properties carry its compared address tag, an orphan's none)."""
    if ADDRESS_TAG_PROPERTY in live or not live.get("CidrBlock"):
        return ""
    return f"frees {live['CidrBlock']} in {live.get('AvailabilityZone', '?')}"


class SubnetHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2: Any = ctx.client("ec2", resource.location)
        subnet = create_tagged(
            ec2,
            "CreateSubnet",
            lambda: ec2.create_subnet(
                VpcId=props["VpcId"],
                CidrBlock=props["CidrBlock"],
                AvailabilityZone=props["AvailabilityZone"],
                TagSpecifications=tag_specifications("subnet", props),
            )["Subnet"],
            lambda: find_tagged(ec2.describe_subnets, "Subnets", resource.address),
            what=f"the subnet {resource.address}",
        )
        wanted = bool(props.get("MapPublicIpOnLaunch"))
        if bool(subnet.get("MapPublicIpOnLaunch")) != wanted:  # as created is not as asked: set it (no extra read)
            ec2.modify_subnet_attribute(SubnetId=subnet["SubnetId"], MapPublicIpOnLaunch={"Value": wanted})
        return Outputs(subnet["SubnetId"], {"SubnetId": subnet["SubnetId"]})

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2: Any = ctx.client("ec2", resource.location)
        subnet_id = str(change.physical_id)
        changed = {d.name for d in change.diffs}
        if "MapPublicIpOnLaunch" in changed:
            ec2.modify_subnet_attribute(
                SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": bool(props.get("MapPublicIpOnLaunch"))}
            )
        if ADDRESS_TAG_PROPERTY in changed:
            retag(ec2, subnet_id, props)
        return Outputs(subnet_id, {"SubnetId": subnet_id})

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        """Refused while anything but the toolkit's NAT gateways runs in it (checked again now: the plan may be
        old). The NAT gateways go first (AWS refuses to delete a subnet holding one), then its association."""
        ec2: Any = ctx.client("ec2", change.location)
        subnet_id = str(change.physical_id)
        in_use = foreign_interfaces(ec2, "subnet-id", subnet_id)
        if in_use:
            raise SafetyError(
                f"refusing to delete the subnet {subnet_id} ({change.address}): network interfaces run in it: "
                f"{'; '.join(in_use)}",
                "Move or delete those, or put the subnet's tier back as it was in the spec, then plan and apply again.",
            )
        nats = ec2.describe_nat_gateways(Filters=[{"Name": "subnet-id", "Values": [subnet_id]}])["NatGateways"]
        for nat in nats:
            if nat.get("State") != "deleted":
                delete_nat_gateways(
                    ec2,
                    nat["VpcId"],
                    sleep=ctx.sleep,
                    timeout=ctx.wait_timeout,
                    only=nat["NatGatewayId"],
                    release=change.action is not Action.REPLACE,
                )
        tables = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])
        for table in tables["RouteTables"]:
            for association in table.get("Associations", []):
                if association.get("SubnetId") == subnet_id:
                    gone_ok(
                        partial(ec2.disassociate_route_table, AssociationId=association["RouteTableAssociationId"]),
                        "InvalidAssociationID.NotFound",
                    )
        gone_ok(partial(ec2.delete_subnet, SubnetId=subnet_id), "InvalidSubnetID.NotFound")


TYPES = (
    ResourceType(
        SUBNET,
        TypeRule(
            compared=("VpcId", "CidrBlock", "AvailabilityZone", "MapPublicIpOnLaunch", ADDRESS_TAG_PROPERTY),
            replace_on=frozenset({"VpcId", "CidrBlock", "AvailabilityZone"}),
            owned_only=frozenset({ADDRESS_TAG_PROPERTY}),
            weakens={"MapPublicIpOnLaunch": lambda before, after: not before and bool(after)},
            shown_on_create=frozenset({"CidrBlock", "AvailabilityZone"}),
            explain=explain_removal,
            renews_dependents=True,
            frees_for=subnet_frees_for,
        ),
        SubnetHandler(),
        read_subnets,
        read_actions=("ec2:DescribeSubnets", "ec2:DescribeNetworkInterfaces", "ec2:DescribeNatGateways"),
        write_actions=(
            "ec2:CreateSubnet", "ec2:ModifySubnetAttribute", "ec2:DeleteSubnet", "ec2:DescribeNatGateways",
            "ec2:DeleteNatGateway", "ec2:ReleaseAddress", "ec2:DisassociateAddress", "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeRouteTables", "ec2:DisassociateRouteTable", *EC2_TAGGING,
        ),
        service="ec2",
        read_beside=VPC,
        tagger=tag_ec2,
    ),
)  # fmt: skip
