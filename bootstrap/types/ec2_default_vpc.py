"""The absence of the default VPC in one account-region (`Bootstrap::EC2::DefaultVpcAbsent`): how it is read,
compared, made, and the IAM actions that takes.

A default VPC has public subnets and an open default security group in every region of every account. The spec
asks for its absence; creating the absence removes the VPC, so the create is destructive (`destroys_on_create`),
consented to by the spec's `network.remove_default_vpcs` rather than by `--allow-destroy`.

Reading, cheap when there is nothing to do: which regions the account has enabled is read once per account
(`bootstrap.types.ec2_regions`; a region not enabled is skipped, with one note per account), then one
`DescribeVpcs` filtered on `isDefault` per account-region. Only when a default VPC exists is what it holds read,
all at once: its network interfaces (any at all means something uses it: a finding that blocks its removal and
names them) and what the removal deletes (internet gateways, subnets, route tables, network ACLs and security
groups), shown in the plan. Only objects of that VPC are looked at, by its id (moto leaves the network ACLs of
deleted VPCs behind; they belong to no VPC the toolkit reads).

Removing, in the order AWS accepts (REFERENCE.md, as Account Factory for Terraform does it): the VPC is read again
and its network interfaces checked right before anything is deleted, then internet gateways are detached and
deleted, subnets, route tables other than the main one, network ACLs other than the default one and security
groups other than the default one are deleted, then the VPC. Anything else still in it (a gateway endpoint, a
peering connection) makes AWS refuse with `DependencyViolation`: a failure of that account-region, named, and the
rest of the apply goes on. The absence is never deleted (that would be re-creating a default VPC).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code
from bootstrap.changes import Change
from bootstrap.errors import AwsError, SafetyError
from bootstrap.names import DEFAULT_VPC_PREFIX
from bootstrap.observed import Finding, ObservedResource
from bootstrap.resources import GLOBAL, Location, Resource
from bootstrap.types.base import HandlerContext, Outputs, ReadScope, ResourceType, SpecConsent, TypeRule
from bootstrap.types.ec2_common import all_vpcs, describe_interface
from bootstrap.types.ec2_orphans import SWEEP_READS, orphan_vpcs
from bootstrap.types.ec2_regions import NOT_ENABLED, enabled_regions, skipped_regions

DEFAULT_VPC_ABSENT = "Bootstrap::EC2::DefaultVpcAbsent"
ABSENT = "absent"
"""The value of `DefaultVpc` the spec asks for (live: the default VPC's id, while there is one)."""
CONSENT = SpecConsent("network.remove_default_vpcs", "Default VPC removals", "default VPC")
IN_USE_FIX = (
    "Move or delete what uses it, then plan again; or keep this account's default VPCs "
    "(network.remove_default_vpcs.except_accounts) or leave the region out (network.remove_default_vpcs.regions)"
)
_GONE = frozenset(
    {
        "InvalidVpcID.NotFound",
        "InvalidInternetGatewayID.NotFound",
        "Gateway.NotAttached",
        "InvalidSubnetID.NotFound",
        "InvalidRouteTableID.NotFound",
        "InvalidNetworkAclID.NotFound",
        "InvalidGroup.NotFound",
    }
)
"""Already deleted (by someone else, or by an earlier run cut short): the removal goes on."""


@dataclass(frozen=True)
class DefaultVpc:
    """A default VPC and what is in it."""

    vpc_id: str
    cidr: str
    interfaces: tuple[Mapping[str, Any], ...]
    internet_gateways: tuple[str, ...]
    subnets: tuple[str, ...]
    route_tables: tuple[str, ...]
    """Route tables other than the main one (which goes with the VPC)."""
    network_acls: tuple[str, ...]
    """Network ACLs other than the default one (which goes with the VPC)."""
    security_groups: tuple[str, ...]
    """Security groups other than the default one (which goes with the VPC)."""

    def properties(self) -> dict[str, Any]:
        return {
            "DefaultVpc": self.vpc_id,
            "CidrBlock": self.cidr,
            "InternetGateways": list(self.internet_gateways),
            "Subnets": list(self.subnets),
            "RouteTables": list(self.route_tables),
            "NetworkAcls": list(self.network_acls),
            "SecurityGroups": list(self.security_groups),
        }


def _pages(ec2: Any, operation: str, key: str, filters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for page in ec2.get_paginator(operation).paginate(Filters=filters) for item in page.get(key, [])]


def find_default_vpc(
    ec2: Any, gather: Callable[[Sequence[Callable[[], Any]]], list[Any]], listed: list[dict[str, Any]] | None = None
) -> DefaultVpc | None:
    """The region's default VPC and what it holds, or None. `gather` runs the reads of its contents at once;
    `listed`: the region's VPCs as already listed (the observer's one `describe_vpcs`, shared with the custom
    VPCs' reader), else they are asked for."""
    if listed is None:
        vpcs = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}]).get("Vpcs", [])
    else:
        vpcs = [v for v in listed if v.get("IsDefault")]
    if not vpcs:
        return None
    vpc = vpcs[0]
    vpc_id = str(vpc["VpcId"])
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    interfaces, gateways, subnets, tables, acls, groups = gather(
        [
            partial(_pages, ec2, "describe_network_interfaces", "NetworkInterfaces", in_vpc),
            partial(
                _pages,
                ec2,
                "describe_internet_gateways",
                "InternetGateways",
                [{"Name": "attachment.vpc-id", "Values": [vpc_id]}],
            ),
            partial(_pages, ec2, "describe_subnets", "Subnets", in_vpc),
            partial(_pages, ec2, "describe_route_tables", "RouteTables", in_vpc),
            partial(_pages, ec2, "describe_network_acls", "NetworkAcls", in_vpc),
            partial(_pages, ec2, "describe_security_groups", "SecurityGroups", in_vpc),
        ]
    )
    return DefaultVpc(
        vpc_id=vpc_id,
        cidr=str(vpc.get("CidrBlock", "")),
        interfaces=tuple(i for i in interfaces if i.get("VpcId", vpc_id) == vpc_id),
        internet_gateways=tuple(sorted(str(g["InternetGatewayId"]) for g in gateways)),
        subnets=tuple(sorted(str(s["SubnetId"]) for s in subnets if s.get("VpcId", vpc_id) == vpc_id)),
        route_tables=tuple(
            sorted(
                str(t["RouteTableId"])
                for t in tables
                if t.get("VpcId", vpc_id) == vpc_id and not any(a.get("Main") for a in t.get("Associations", []))
            )
        ),
        network_acls=tuple(
            sorted(str(a["NetworkAclId"]) for a in acls if a.get("VpcId") == vpc_id and not a.get("IsDefault"))
        ),
        security_groups=tuple(
            sorted(
                str(g["GroupId"])
                for g in groups
                if g.get("VpcId", vpc_id) == vpc_id and g.get("GroupName") != "default"
            )
        ),
    )


def in_use(vpc: DefaultVpc, shown: int = 10) -> str:
    listed = "; ".join(describe_interface(i) for i in vpc.interfaces[:shown])
    more = f"; and {len(vpc.interfaces) - shown} more" if len(vpc.interfaces) > shown else ""
    return (
        f"the default VPC {vpc.vpc_id} is in use, so it is not removed: {len(vpc.interfaces)} network "
        f"interface(s) in it: {listed}{more}"
    )


def explain_removal(live: Mapping[str, Any]) -> str:
    """What removing this default VPC deletes (the plan shows it as the change's reason)."""
    counted = [
        (len(live.get("InternetGateways") or []), "internet gateway"),
        (len(live.get("Subnets") or []), "subnet"),
        (len(live.get("RouteTables") or []), "other route table"),
        (len(live.get("NetworkAcls") or []), "other network ACL"),
        (len(live.get("SecurityGroups") or []), "other security group"),
    ]
    held = ", ".join(f"{n} {noun}{'s' if n != 1 else ''}" for n, noun in counted if n)
    cidr = f" ({live['CidrBlock']})" if live.get("CidrBlock") else ""
    return (
        f"removes {live.get('DefaultVpc')}{cidr} with {held + ', ' if held else ''}its main route table, default "
        "network ACL and default security group; apply first checks again that no network interface is in it"
    )


def _absent(resource: Resource) -> ObservedResource:
    region = resource.location.region
    return ObservedResource(resource.address, DEFAULT_VPC_ABSENT, region, {"DefaultVpc": ABSENT}, owned=True)


def _note_skipped(scope: ReadScope) -> None:
    """One note per account listing the regions it has not enabled (nothing can exist there)."""
    skipped = skipped_regions(scope, DEFAULT_VPC_ABSENT)
    account = scope.location.account
    scope.findings.append(
        Finding(
            f"{DEFAULT_VPC_PREFIX}{account}",
            f"{len(skipped)} region(s) not enabled in this account, skipped: {', '.join(skipped)}. Nothing exists "
            "there while they are off; once one is enabled, the next run removes the default VPC AWS puts in it",
        )
    )


def read_default_vpcs(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    """The absence is observed as such (its id: the region); a default VPC is observed without an id (the
    absence is to be created), with what it holds. One in use is never removed: a warning names what uses it,
    and it is observed as settled so that nothing is planned for it, while every other change of the plan can
    still be applied (a team's instance in one default VPC must not hold the whole organization back)."""
    region = scope.location.region
    if region not in enabled_regions(scope):
        scope.account_once("ec2.default-vpc.skipped", lambda: _note_skipped(scope))
        return {r.address: _absent(r) for r in resources}
    vpc = find_default_vpc(scope.client("ec2"), scope.gather, all_vpcs(scope))
    found = dict(orphan_vpcs(scope))  # the toolkit's VPCs the spec dropped, found in the same listing
    for resource in resources:
        if vpc is None:
            found[resource.address] = _absent(resource)
        elif vpc.interfaces:  # kept, and said so: the rest of the organization's plan goes ahead
            scope.findings.append(Finding(resource.address, f"{in_use(vpc)}. {IN_USE_FIX}", "warning"))
            found[resource.address] = _absent(resource)
        else:
            found[resource.address] = ObservedResource(
                resource.address, DEFAULT_VPC_ABSENT, None, vpc.properties(), owned=True
            )
    return found


def _deleted(call: Callable[[], Any]) -> None:
    try:
        call()
    except ClientError as err:
        if error_code(err) not in _GONE:
            raise


def _enabled(ctx: HandlerContext, location: Location) -> bool:
    """Whether the account has the region enabled (asked in the run's default region, always enabled)."""
    answer = ctx.client("ec2", Location(location.account, GLOBAL)).describe_regions(
        AllRegions=True, RegionNames=[location.region]
    )
    return any(r.get("OptInStatus") != NOT_ENABLED for r in answer.get("Regions", []))


class DefaultVpcAbsentHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        """Read the default VPC again, refuse if anything uses it now, then delete it in the safe order."""
        where = f"{resource.location.account} / {resource.location.region}"
        planned = (change.before or {}).get("DefaultVpc")
        if not planned and not _enabled(ctx, resource.location):  # unseen (a new account) and not enabled there
            return Outputs(resource.location.region)
        ec2 = ctx.client("ec2", resource.location)
        vpc = find_default_vpc(ec2, lambda calls: [call() for call in calls])
        if vpc is None:
            return Outputs(resource.location.region)
        if planned and planned != vpc.vpc_id:
            raise SafetyError(
                f"{resource.address}: the default VPC in {where} is {vpc.vpc_id}, not {planned} as planned",
                "Plan again and review what the new plan removes.",
            )
        if vpc.interfaces:
            raise SafetyError(f"{resource.address} ({where}): {in_use(vpc)}", f"{IN_USE_FIX}.")
        try:
            for gateway in vpc.internet_gateways:
                _deleted(partial(ec2.detach_internet_gateway, InternetGatewayId=gateway, VpcId=vpc.vpc_id))
                _deleted(partial(ec2.delete_internet_gateway, InternetGatewayId=gateway))
            for subnet in vpc.subnets:
                _deleted(partial(ec2.delete_subnet, SubnetId=subnet))
            for table in vpc.route_tables:
                _deleted(partial(ec2.delete_route_table, RouteTableId=table))
            for acl in vpc.network_acls:
                _deleted(partial(ec2.delete_network_acl, NetworkAclId=acl))
            for group in vpc.security_groups:
                _deleted(partial(ec2.delete_security_group, GroupId=group))
            _deleted(partial(ec2.delete_vpc, VpcId=vpc.vpc_id))
        except ClientError as err:
            if error_code(err) != "DependencyViolation":
                raise
            raise AwsError(
                f"{resource.address}: AWS refused to remove the default VPC {vpc.vpc_id} in {where} "
                f"(DependencyViolation: {err.response.get('Error', {}).get('Message', '')})",
                "Something in it is not one of the parts the toolkit removes (a gateway endpoint, a NAT or VPN "
                "gateway, a peering connection, a security group another one refers to): delete it, then run "
                "`bootstrap apply` again; what was removed stays removed.",
            ) from None
        return Outputs(resource.location.region)

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        return self.create(ctx, resource, props, change)

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never re-creates a default VPC ({change.address})",
            "Create a VPC of your own design instead (network.vpcs), or `aws ec2 create-default-vpc` by hand.",
        )


TYPES = (
    ResourceType(
        DEFAULT_VPC_ABSENT,
        TypeRule(
            compared=("DefaultVpc",),
            deletable=False,
            shown_on_create=frozenset({"DefaultVpc"}),
            explain=explain_removal,
            destroys_on_create=True,
            consent=CONSENT,
        ),
        DefaultVpcAbsentHandler(),
        read_default_vpcs,
        read_actions=(
            "ec2:DescribeRegions",
            "ec2:DescribeNetworkAcls",
            "ec2:DescribeSecurityGroups",
            *SWEEP_READS,
        ),
        write_actions=(
            "ec2:DetachInternetGateway",
            "ec2:DeleteInternetGateway",
            "ec2:DeleteSubnet",
            "ec2:DeleteRouteTable",
            "ec2:DeleteNetworkAcl",
            "ec2:DeleteSecurityGroup",
            "ec2:DeleteVpc",
        ),
        service="ec2",
        reads_disabled_regions=True,
    ),
)
