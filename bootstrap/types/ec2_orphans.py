"""Finding the toolkit's custom VPCs that the spec no longer asks for, wherever the network layer lists VPCs.

A VPC the toolkit made carries both ownership tags and an address `network/vpc/<name>/<account>/<region>`. When
the spec drops it (the VPC removed, its account taken out of the targets, its region out of its regions), no
desired resource is left to look for it there: so every reader of the network layer that lists an
account-region's VPCs (custom VPCs, default VPC removal, EBS encryption by default) sweeps that one shared
listing (`ec2_common.all_vpcs`) for such VPCs, once per account-region. A no-op plan makes no call for it beyond
that listing; only when an orphan is found are its parts read (one call per kind, all at once, filtered by the
orphans' ids) so that the plan shows what its deletion removes, in the order the deletion goes
(`bootstrap.types.ec2_teardown`).

An orphan holding anything the toolkit did not make (an instance's network interface, a subnet someone added) is
reported as an error naming it: nothing in use is deleted, and apply checks again right before the deletion.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from bootstrap.observed import Finding, ObservedResource
from bootstrap.resources import ADDRESS_TAG, MANAGED_TAG
from bootstrap.types.base import ReadScope
from bootstrap.types.ec2_common import VPC_PREFIX, all_vpcs, describe_interface, nat_interfaces, tags_of
from bootstrap.types.pages import pages

VPC = "AWS::EC2::VPC"
SWEEP_READS = (
    "ec2:DescribeVpcs", "ec2:DescribeNetworkInterfaces", "ec2:DescribeNatGateways", "ec2:DescribeSubnets",
    "ec2:DescribeRouteTables", "ec2:DescribeInternetGateways", "ec2:DescribeVpcEndpoints", "ec2:DescribeFlowLogs",
)  # fmt: skip
"""What sweeping an account-region for orphan VPCs may read (the parts only when an orphan is there)."""

PARTS = (
    ("FlowLogs", "flow log"),
    ("GatewayEndpoints", "gateway endpoint"),
    ("NatGateways", "NAT gateway"),
    ("InternetGateways", "internet gateway"),
    ("Subnets", "subnet"),
    ("RouteTables", "route table"),
)
"""An orphan VPC's parts as its observed properties list them, in the order its deletion removes them."""


def _ours(item: Mapping[str, Any]) -> bool:
    return tags_of(item).get(MANAGED_TAG) == "true"


def orphan_address(vpc: Mapping[str, Any], desired: Mapping[str, Any]) -> str | None:
    """The address of a VPC the toolkit made that `desired` no longer holds, else None."""
    tags = tags_of(vpc)
    address = tags.get(ADDRESS_TAG, "")
    if vpc.get("IsDefault") or not _ours(vpc) or not address.startswith(VPC_PREFIX) or address in desired:
        return None
    return address if address.count("/") == 4 else None  # a part's address is never a VPC's


def orphan_vpcs(scope: ReadScope) -> dict[str, ObservedResource]:
    """The toolkit's VPCs of the scope's account-region that the spec no longer asks for, with their parts;
    swept once per account-region, whichever reader asks first (every caller gets the same answer)."""
    found: dict[str, ObservedResource] = scope.once("ec2.orphan-vpcs", lambda: _sweep(scope))
    return found


def _sweep(scope: ReadScope) -> dict[str, ObservedResource]:
    orphans = {
        vpc["VpcId"]: (address, vpc)
        for vpc in all_vpcs(scope)
        if (address := orphan_address(vpc, scope.desired.by_address)) is not None
    }
    if not orphans:
        return {}
    ec2 = scope.client("ec2")
    ids = sorted(orphans)
    by_vpc = [{"Name": "vpc-id", "Values": ids}]
    enis, nats, subnets, tables, gateways, endpoints, flow_logs = scope.gather(
        [
            partial(pages, ec2, "describe_network_interfaces", "NetworkInterfaces", Filters=by_vpc),
            partial(pages, ec2, "describe_nat_gateways", "NatGateways", Filters=by_vpc),
            partial(pages, ec2, "describe_subnets", "Subnets", Filters=by_vpc),
            partial(pages, ec2, "describe_route_tables", "RouteTables", Filters=by_vpc),
            partial(
                pages, ec2, "describe_internet_gateways", "InternetGateways",
                Filters=[{"Name": "attachment.vpc-id", "Values": ids}],
            ),
            partial(pages, ec2, "describe_vpc_endpoints", "VpcEndpoints", Filters=by_vpc),
            partial(pages, ec2, "describe_flow_logs", "FlowLogs", Filters=[{"Name": "resource-id", "Values": ids}]),
        ]
    )  # fmt: skip
    listed = {
        "enis": enis,
        "nats": [n for n in nats if n.get("State") not in ("deleted", "deleting")],
        "subnets": subnets,
        "tables": tables,
        "gateways": gateways,
        "endpoints": endpoints,
        "flow_logs": flow_logs,
    }
    return {address: _orphan(scope, vpc, address, listed) for _, (address, vpc) in sorted(orphans.items())}


def _orphan(
    scope: ReadScope, vpc: Mapping[str, Any], address: str, listed: Mapping[str, list[dict[str, Any]]]
) -> ObservedResource:
    """One orphan VPC, observed with its parts; what the toolkit did not make in it is reported as an error."""
    vpc_id = str(vpc["VpcId"])

    def of(kind: str, key: str = "VpcId") -> list[dict[str, Any]]:
        return [i for i in listed[kind] if i.get(key) == vpc_id]

    nats = [n for n in of("nats") if _ours(n)]
    nat_enis = nat_interfaces(nats)
    attached = [g for g in listed["gateways"] if any(a.get("VpcId") == vpc_id for a in g.get("Attachments", []))]
    tables = [t for t in of("tables") if not any(a.get("Main") for a in t.get("Associations", []))]
    foreign = [describe_interface(e) for e in of("enis") if e["NetworkInterfaceId"] not in nat_enis]
    foreign += [s["SubnetId"] for s in of("subnets") if not _ours(s)]
    foreign += [t["RouteTableId"] for t in tables if not _ours(t)]
    foreign += [e["VpcEndpointId"] for e in of("endpoints") if not _ours(e)]
    if foreign:
        scope.findings.append(
            Finding(
                address,
                f"the VPC {vpc_id} is no longer in the spec but holds what the toolkit did not make: "
                f"{', '.join(sorted(foreign))}. The toolkit deletes nothing in use: move or delete those, or put the "
                "VPC back in the spec, then plan again",
                "error",
            )
        )
    logs = of("flow_logs", "ResourceId")
    for group in sorted({str(f["LogGroupName"]) for f in logs if f.get("LogGroupName")}):
        scope.findings.append(Finding(address, kept_log_group(group, "this VPC's flow logs")))
    parts = {
        "FlowLogs": sorted(f["FlowLogId"] for f in logs),
        "GatewayEndpoints": sorted(e["VpcEndpointId"] for e in of("endpoints")),
        "NatGateways": sorted(_nat(n) for n in nats),
        "InternetGateways": sorted(g["InternetGatewayId"] for g in attached if _ours(g)),
        "Subnets": sorted(s["SubnetId"] for s in of("subnets")),
        "RouteTables": sorted(t["RouteTableId"] for t in tables),
    }
    return ObservedResource(
        address, VPC, vpc_id, {"CidrBlock": vpc["CidrBlock"], **parts}, owned=True, location=scope.location
    )


def _nat(nat: Mapping[str, Any]) -> str:
    """A NAT gateway and the Elastic IPs its deletion releases."""
    allocations = [a["AllocationId"] for a in nat.get("NatGatewayAddresses", []) if "AllocationId" in a]
    return (
        " with ".join([str(nat["NatGatewayId"]), ", ".join(allocations)]) if allocations else str(nat["NatGatewayId"])
    )


def kept_log_group(group: str, holding: str) -> str:
    """The note on a flow-log group the spec no longer uses: kept, since the toolkit never deletes logs."""
    return (
        f"the CloudWatch Logs group {group} holds {holding} and is no longer used by the spec: the toolkit keeps it "
        "(it never deletes logs); delete it by hand once its records are no longer needed"
    )


def explain_teardown(live: Mapping[str, Any]) -> str:
    """What deleting an orphan VPC removes, in order (the plan shows it as the change's reason); nothing to say
    of a VPC the spec still asks for (its live properties list no parts)."""
    if "Subnets" not in live:
        return ""
    removed = []
    for key, noun in PARTS:
        items = list(live.get(key) or [])
        if items:
            plural = "s" if len(items) != 1 else ""
            removed.append(f"{len(items)} {noun}{plural} ({', '.join(items)})")
    held = ", ".join(removed)
    return f"removes, in this order, {held + ', then ' if held else ''}the VPC {live.get('CidrBlock', '')}".rstrip()
