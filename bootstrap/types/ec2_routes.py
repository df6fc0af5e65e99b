"""Route tables, their routes and their subnet associations: how they are read, compared, changed, and the IAM
actions that takes.

Reading: one `describe_route_tables` per account-region, filtered by the spec's VPCs, answers all three types.
Routes and associations carry no tags: a route is the toolkit's when its route table is, an association when
its subnet or its table is. A route table's routes
that the spec does not give it (a route someone added to a private subnet's table, opening a path out) are
compared as `OtherRoutes`, which the spec wants empty: the plan names each such route, and apply deletes it. The
local route and the routes AWS adds for gateway endpoints (to a prefix list) are AWS's, never counted.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code
from bootstrap.changes import Change
from bootstrap.observed import ObservedResource
from bootstrap.resources import ADDRESS_TAG, ADDRESS_TAG_PROPERTY, Resource
from bootstrap.types.base import HandlerContext, Outputs, ReadScope, ResourceType, TypeRule
from bootstrap.types.ec2_common import (
    EC2_TAGGING,
    gone_ok,
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
from bootstrap.types.ec2_orphans import VPC
from bootstrap.types.ec2_teardown import create_tagged

ROUTE_TABLE = "AWS::EC2::RouteTable"
ROUTE = "AWS::EC2::Route"
ASSOCIATION = "AWS::EC2::SubnetRouteTableAssociation"
OTHER_ROUTES = "OtherRoutes"
"""Not a CloudFormation property: the live routes of a table that no `AWS::EC2::Route` of the spec describes
(absent from the desired properties, so the spec wants none)."""

TARGETS = (
    "GatewayId", "NatGatewayId", "TransitGatewayId", "VpcPeeringConnectionId", "NetworkInterfaceId", "InstanceId",
    "VpcEndpointId", "EgressOnlyInternetGatewayId", "CarrierGatewayId", "LocalGatewayId",
)  # fmt: skip
DESTINATIONS = ("DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId")


def _tables(scope: ReadScope) -> list[dict[str, Any]]:
    return listing(scope, "describe_route_tables", "RouteTables")


def _is_aws_route(route: dict[str, Any]) -> bool:
    """The VPC's local route, and the routes gateway endpoints add to their tables."""
    return route.get("GatewayId") == "local" or (
        "DestinationPrefixListId" in route and str(route.get("GatewayId", "")).startswith("vpce-")
    )


def _route_props(route: dict[str, Any]) -> dict[str, Any]:
    return {k: route[k] for k in (*DESTINATIONS, *TARGETS) if route.get(k)}


def _destination(route: dict[str, Any]) -> str:
    return str(next((route[k] for k in DESTINATIONS if route.get(k)), ""))


def read_route_tables(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    tables = _tables(scope)
    routes = scope.desired.of_type(ROUTE)

    def place(resource: Resource) -> Any:
        """An untagged table associated with the subnets the spec gives this table."""
        ref = {"Ref": resource.logical_id}
        subnets = {
            parent_id(scope, a.properties.get("SubnetId"))
            for a in scope.desired.of_type(ASSOCIATION)
            if a.properties.get("RouteTableId") == ref
        } - {None}
        if not subnets:
            return None
        return lambda t: bool(subnets & {a.get("SubnetId") for a in t.get("Associations", [])})

    result = {}
    for address, table in match(resources, tables, place).items():
        resource = next(r for r in resources if r.address == address)
        ref = {"Ref": resource.logical_id}
        wanted = {
            str(r.properties.get("DestinationCidrBlock")) for r in routes if r.properties.get("RouteTableId") == ref
        }
        others = sorted(
            (
                _route_props(r)
                for r in table.get("Routes", [])
                if not _is_aws_route(r) and _destination(r) not in wanted
            ),
            key=_destination,
        )
        tags = tags_of(table)
        result[address] = observed(
            scope,
            resource,
            table["RouteTableId"],
            {"VpcId": table["VpcId"], OTHER_ROUTES: others or None},
            owned=owned_at(tags, address),
            tags=tags,
            attributes={"RouteTableId": table["RouteTableId"]},
        )
    result.update(orphan_parts(scope, ROUTE_TABLE, tables, "RouteTableId"))
    return result


def read_routes(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    by_id = {t["RouteTableId"]: t for t in _tables(scope)}
    result = {}
    for resource in resources:
        table_id = parent_id(scope, resource.properties.get("RouteTableId"))
        table = by_id.get(table_id or "")
        destination = resource.properties.get("DestinationCidrBlock")
        route = next((r for r in (table or {}).get("Routes", []) if r.get("DestinationCidrBlock") == destination), None)
        if route is None or table_id is None:
            continue
        result[resource.address] = observed(
            scope,
            resource,
            f"{table_id}|{destination}",
            {"RouteTableId": table_id, **_route_props(route)},
            owned=parent_owned(scope, resource.properties.get("RouteTableId")),
        )
    return result


def read_associations(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    """A subnet's association, wherever it points (a subnet moved to another table is drift, repaired); the
    toolkit's when its subnet or its table is (the table it should point at may not exist yet; a subnet that
    lost its tags blocks the plan on the subnet alone)."""
    by_subnet = {a["SubnetId"]: a for t in _tables(scope) for a in t.get("Associations", []) if a.get("SubnetId")}
    result = {}
    for resource in resources:
        subnet = parent_id(scope, resource.properties.get("SubnetId"))
        association = by_subnet.get(subnet or "")
        if association is None:
            continue
        result[resource.address] = observed(
            scope,
            resource,
            association["RouteTableAssociationId"],
            {"SubnetId": association["SubnetId"], "RouteTableId": association["RouteTableId"]},
            owned=any(parent_owned(scope, resource.properties.get(k)) for k in ("SubnetId", "RouteTableId")),
        )
    return result


def _ec2(ctx: HandlerContext, resource_or_change: Any) -> Any:
    return ctx.client("ec2", resource_or_change.location)


class RouteTableHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2 = _ec2(ctx, resource)
        table = create_tagged(
            ec2,
            "CreateRouteTable",
            lambda: ec2.create_route_table(
                VpcId=props["VpcId"], TagSpecifications=tag_specifications("route-table", props)
            )["RouteTable"],
            lambda: next(
                iter(
                    ec2.describe_route_tables(Filters=[{"Name": f"tag:{ADDRESS_TAG}", "Values": [resource.address]}])[
                        "RouteTables"
                    ]
                ),
                None,
            ),
            what=f"the route table {resource.address}",
        )
        return Outputs(table["RouteTableId"], {"RouteTableId": table["RouteTableId"]})

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2 = _ec2(ctx, resource)
        table_id = str(change.physical_id)
        changed = {d.name: d for d in change.diffs}
        if OTHER_ROUTES in changed:
            for route in changed[OTHER_ROUTES].before or []:
                key = next(k for k in DESTINATIONS if route.get(k))
                try:
                    ec2.delete_route(RouteTableId=table_id, **{key: route[key]})
                except ClientError as err:
                    if error_code(err) != "InvalidRoute.NotFound":
                        raise
        if ADDRESS_TAG_PROPERTY in changed:
            retag(ec2, table_id, props)
        return Outputs(table_id, {"RouteTableId": table_id})

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        """Its subnets are let go first (the spec moved them to another table, or they go too)."""
        ec2 = _ec2(ctx, change)
        table_id = str(change.physical_id)
        tables = ec2.describe_route_tables(Filters=[{"Name": "route-table-id", "Values": [table_id]}])["RouteTables"]
        for association in tables[0].get("Associations", []) if tables else []:
            if not association.get("Main"):  # a subnet deleted meanwhile took its association with it
                gone_ok(
                    partial(ec2.disassociate_route_table, AssociationId=association["RouteTableAssociationId"]),
                    "InvalidAssociationID.NotFound",
                )
        try:
            ec2.delete_route_table(RouteTableId=table_id)
        except ClientError as err:
            if error_code(err) != "InvalidRouteTableID.NotFound":
                raise


def _target(props: dict[str, Any]) -> dict[str, Any]:
    return {k: props[k] for k in TARGETS if props.get(k)}


class RouteHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2 = _ec2(ctx, resource)
        table, destination = props["RouteTableId"], props["DestinationCidrBlock"]
        try:
            ec2.create_route(RouteTableId=table, DestinationCidrBlock=destination, **_target(props))
        except ClientError as err:
            if error_code(err) != "RouteAlreadyExists":
                raise
            ec2.replace_route(RouteTableId=table, DestinationCidrBlock=destination, **_target(props))
        return Outputs(f"{table}|{destination}")

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2 = _ec2(ctx, resource)
        table, destination = props["RouteTableId"], props["DestinationCidrBlock"]
        ec2.replace_route(RouteTableId=table, DestinationCidrBlock=destination, **_target(props))
        return Outputs(f"{table}|{destination}")

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        ec2 = _ec2(ctx, change)
        table, _, destination = str(change.physical_id).partition("|")
        try:
            ec2.delete_route(RouteTableId=table, DestinationCidrBlock=destination)
        except ClientError as err:
            if error_code(err) not in ("InvalidRoute.NotFound", "InvalidRouteTableID.NotFound"):
                raise


class AssociationHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ec2 = _ec2(ctx, resource)
        answer = ec2.associate_route_table(RouteTableId=props["RouteTableId"], SubnetId=props["SubnetId"])
        return Outputs(str(answer["AssociationId"]))

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        """The subnet points at another table: moved back (`ReplaceRouteTableAssociation` keeps it associated)."""
        ec2 = _ec2(ctx, resource)
        answer = ec2.replace_route_table_association(
            AssociationId=str(change.physical_id), RouteTableId=props["RouteTableId"]
        )
        return Outputs(str(answer["NewAssociationId"]))

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        ec2 = _ec2(ctx, change)
        try:
            ec2.disassociate_route_table(AssociationId=str(change.physical_id))
        except ClientError as err:
            if error_code(err) != "InvalidAssociationID.NotFound":
                raise


TYPES = (
    ResourceType(
        ROUTE_TABLE,
        TypeRule(
            compared=("VpcId", OTHER_ROUTES, ADDRESS_TAG_PROPERTY),
            replace_on=frozenset({"VpcId"}),
            owned_only=frozenset({ADDRESS_TAG_PROPERTY}),
        ),
        RouteTableHandler(),
        read_route_tables,
        read_actions=("ec2:DescribeRouteTables",),
        write_actions=(
            "ec2:CreateRouteTable", "ec2:DeleteRoute", "ec2:DescribeRouteTables", "ec2:DisassociateRouteTable",
            "ec2:DeleteRouteTable", *EC2_TAGGING,
        ),
        service="ec2",
        read_beside=VPC,
        tagger=tag_ec2,
    ),
    ResourceType(
        ROUTE,
        TypeRule(
            compared=("RouteTableId", "DestinationCidrBlock", "GatewayId", "NatGatewayId"),
            replace_on=frozenset({"RouteTableId", "DestinationCidrBlock"}),
        ),
        RouteHandler(),
        read_routes,
        read_actions=("ec2:DescribeRouteTables",),
        write_actions=("ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute"),
        service="ec2",
    ),
    ResourceType(
        ASSOCIATION,
        TypeRule(compared=("SubnetId", "RouteTableId"), replace_on=frozenset({"SubnetId"})),
        AssociationHandler(),
        read_associations,
        read_actions=("ec2:DescribeRouteTables",),
        write_actions=(
            "ec2:AssociateRouteTable", "ec2:ReplaceRouteTableAssociation", "ec2:DisassociateRouteTable",
        ),
        service="ec2",
    ),
)  # fmt: skip
