"""Removing a custom VPC the spec no longer asks for, whole and safely; and creating EC2 objects exactly once.

A VPC the toolkit made (both ownership tags, an address under `network/vpc/`) that the spec no longer names is
an orphan: the plan lists its deletion as destructive (`--allow-destroy`). It is refused, at plan time and again
right before the deletion, while the VPC holds a network interface other than its own NAT gateways' (an
instance, a load balancer, a Lambda function, an interface endpoint), or a part the toolkit did not make. The
deletion then goes in the only order AWS accepts: flow logs, gateway endpoints, NAT gateways (awaited) and their
Elastic IPs, the internet gateway, the route tables' associations, subnets, route tables, the VPC.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code
from bootstrap.aws.waiter import wait_for
from bootstrap.errors import AwsError, SafetyError
from bootstrap.resources import MANAGED_TAG
from bootstrap.types.ec2_common import describe_interface, nat_interfaces, tags_of
from bootstrap.types.once import create_once, no_blind_retry

T = TypeVar("T")


TEARDOWN_READS = ("ec2:DescribeNetworkInterfaces", "ec2:DescribeNatGateways")
TEARDOWN_ACTIONS = (
    "ec2:DescribeFlowLogs", "ec2:DeleteFlowLogs", "ec2:DescribeVpcEndpoints", "ec2:DeleteVpcEndpoints",
    "ec2:DeleteNatGateway", "ec2:ReleaseAddress", "ec2:DescribeInternetGateways", "ec2:DetachInternetGateway",
    "ec2:DeleteInternetGateway", "ec2:DescribeSubnets", "ec2:DeleteSubnet", "ec2:DescribeRouteTables",
    "ec2:DisassociateRouteTable", "ec2:DeleteRouteTable",
)  # fmt: skip


def create_tagged(ec2: Any, operation: str, create: Callable[[], T], find: Callable[[], T | None], *, what: str) -> T:
    """A create AWS does not make idempotent (no client token), sent once: after an ambiguous failure the object
    is looked up by its address tag before it is created again (`bootstrap.types.once`)."""
    no_blind_retry(ec2, operation)
    return create_once(create, find, what=what)


def _ours(item: dict[str, Any]) -> bool:
    return tags_of(item).get(MANAGED_TAG) == "true"


def foreign_interfaces(ec2: Any, within: str, physical_id: str) -> list[str]:
    """Network interfaces in a VPC (`within` "vpc-id") or a subnet ("subnet-id") other than the toolkit's NAT
    gateways', described (`ec2_common.describe_interface`)."""
    where = [{"Name": within, "Values": [physical_id]}]
    allowed = nat_interfaces(ec2.describe_nat_gateways(Filters=where)["NatGateways"])
    pages = ec2.get_paginator("describe_network_interfaces").paginate(Filters=where)
    return sorted(
        describe_interface(eni)
        for page in pages
        for eni in page["NetworkInterfaces"]
        if eni["NetworkInterfaceId"] not in allowed
    )


def teardown_vpc(ec2: Any, vpc_id: str, address: str, *, sleep: Callable[[float], None], timeout: float) -> None:
    """Delete the VPC and everything the toolkit made in it, after checking again that nothing else is there."""
    in_use = foreign_interfaces(ec2, "vpc-id", vpc_id)
    by_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    subnets = ec2.describe_subnets(Filters=by_vpc)["Subnets"]
    tables = [
        t
        for t in ec2.describe_route_tables(Filters=by_vpc)["RouteTables"]
        if not any(a.get("Main") for a in t.get("Associations", []))
    ]
    endpoints = ec2.describe_vpc_endpoints(Filters=by_vpc)["VpcEndpoints"]
    foreign = [s["SubnetId"] for s in subnets if not _ours(s)] + [t["RouteTableId"] for t in tables if not _ours(t)]
    foreign += [e["VpcEndpointId"] for e in endpoints if not _ours(e)]
    if in_use or foreign:
        raise SafetyError(
            f"refusing to delete the VPC {vpc_id} ({address}): it holds {', '.join(in_use + foreign)}, which the "
            "toolkit did not make",
            "Move or delete those, or put the VPC back in the spec, then plan and apply again.",
        )
    flow_logs = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
    if flow_logs:
        ec2.delete_flow_logs(FlowLogIds=[f["FlowLogId"] for f in flow_logs])
    if endpoints:
        ec2.delete_vpc_endpoints(VpcEndpointIds=[e["VpcEndpointId"] for e in endpoints])
    delete_nat_gateways(ec2, vpc_id, sleep=sleep, timeout=timeout)
    gateways = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])
    for gateway in gateways["InternetGateways"]:
        detach_gateway(ec2, gateway["InternetGatewayId"], vpc_id, sleep=sleep, timeout=timeout)
        if _ours(gateway):
            ec2.delete_internet_gateway(InternetGatewayId=gateway["InternetGatewayId"])
    for table in tables:
        for association in table.get("Associations", []):
            ec2.disassociate_route_table(AssociationId=association["RouteTableAssociationId"])
    for subnet in subnets:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    for table in tables:
        ec2.delete_route_table(RouteTableId=table["RouteTableId"])
    try:
        ec2.delete_vpc(VpcId=vpc_id)
    except ClientError as err:
        if error_code(err) != "InvalidVpcID.NotFound":
            raise


def delete_nat_gateways(
    ec2: Any,
    vpc_id: str,
    *,
    sleep: Callable[[float], None],
    timeout: float,
    only: str | None = None,
    release: bool = True,
) -> None:
    """Delete the toolkit's NAT gateways of the VPC (or the one `only` names), wait until AWS says they are
    gone (their interfaces hold the subnet until then), and release their Elastic IPs (not when `release` is
    false: a NAT gateway replaced keeps its address, which its replacement takes)."""
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}]
    nats = [
        n
        for n in ec2.describe_nat_gateways(Filters=filters)["NatGateways"]
        if _ours(n) and n.get("State") != "deleted" and (only is None or n["NatGatewayId"] == only)
    ]
    for nat in nats:
        ec2.delete_nat_gateway(NatGatewayId=nat["NatGatewayId"])
    for nat in nats:
        wait_nat(ec2, nat["NatGatewayId"], "deleted", sleep=sleep, timeout=timeout)
        for address in nat.get("NatGatewayAddresses", []):
            if release and address.get("AllocationId"):
                release_address(ec2, address["AllocationId"])
            elif not release and address.get("AssociationId"):
                disassociate_address(ec2, address["AssociationId"])


def disassociate_address(ec2: Any, association_id: str) -> None:
    """Free a kept Elastic IP for the NAT gateway that replaces its own. AWS lets go of it with the deleted
    gateway (the association is then already gone); the sandbox keeps it associated until told."""
    try:
        ec2.disassociate_address(AssociationId=association_id)
    except ClientError as err:
        if error_code(err) not in ("InvalidAssociationID.NotFound",):
            raise


def release_address(ec2: Any, allocation_id: str) -> None:
    try:
        ec2.release_address(AllocationId=allocation_id)
    except ClientError as err:
        if error_code(err) not in ("InvalidAllocationID.NotFound",):
            raise


def wait_nat(ec2: Any, nat_id: str, state: str, *, sleep: Callable[[float], None], timeout: float) -> dict[str, Any]:
    """Wait for a NAT gateway to reach `state` (available after a create, deleted after a delete)."""

    def check() -> dict[str, Any] | None:
        try:
            nats = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"]
        except ClientError as err:
            if error_code(err) != "NatGatewayNotFound":
                raise
            nats = []
        nat = dict(nats[0]) if nats else {"NatGatewayId": nat_id, "State": "deleted"}
        if nat.get("State") == "failed" and state != "deleted":
            raise AwsError(
                f"the NAT gateway {nat_id} failed: {nat.get('FailureMessage', 'no reason given')}",
                "Fix the cause (an Elastic IP quota, the subnet), then run `bootstrap apply` again.",
            )
        return nat if nat.get("State") == state else None

    return wait_for(
        check,
        timeout=timeout,
        sleep=sleep,
        on_timeout=lambda: AwsError(
            f"the NAT gateway {nat_id} is not {state} after {timeout:.0f} s",
            "Run `bootstrap apply` again: it waits for it again rather than making another.",
        ),
    )


DETACH_FIRST_DELAY = 5.0
"""Seconds before trying a refused detach again: a NAT gateway takes a minute or more to finish deleting."""


def detach_gateway(ec2: Any, gateway_id: str, vpc_id: str, *, sleep: Callable[[float], None], timeout: float) -> None:
    """Detach an internet gateway from its VPC, once AWS lets it. AWS refuses (`DependencyViolation`: the VPC "has
    some mapped public address(es)") while a public address there is still mapped, as a NAT gateway's is until it has
    finished deleting: when a public tier goes, its NAT gateways are deleted in the same apply, beside this detach.
    Tried again with growing pauses up to `timeout`; then the error says which addresses to look for."""
    refusals: list[ClientError] = []

    def detached() -> bool | None:
        try:
            ec2.detach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
        except ClientError as err:
            code = error_code(err)
            if code in ("Gateway.NotAttached", "InvalidInternetGatewayID.NotFound"):
                return True
            if code != "DependencyViolation":
                raise
            refusals.append(err)
            return None
        return True

    def timed_out() -> Exception:
        message = refusals[-1].response.get("Error", {}).get("Message", "") if refusals else ""
        return AwsError(
            f"AWS still refuses to detach the internet gateway {gateway_id} from {vpc_id} after {timeout:.0f} s "
            f"(DependencyViolation: {message})",
            "A public address is still mapped in that VPC: an Elastic IP associated with an instance or a network "
            "interface, or a NAT gateway still deleting. Disassociate it (or wait for the NAT gateway), then run "
            "`bootstrap apply` again; what was removed stays removed.",
        )

    wait_for(detached, timeout=timeout, on_timeout=timed_out, sleep=sleep, first_delay=DETACH_FIRST_DELAY)
