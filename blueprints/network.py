"""The network blueprint: the spec's custom VPCs, one template per account and region (in chunks below
CloudFormation's 500 resources).

Each VPC instance (`bootstrap.spec.network_plan.allocate`: a VPC of the spec in one account-region, with its
block and its subnets' blocks) gets: the VPC with DNS support and hostnames on; a subnet per tier and zone, none
giving public addresses on launch; a route table per tier (per tier and zone for a private tier behind a NAT
gateway per zone) with its associations; for a public tier, an internet gateway, its attachment and a default
route to it; NAT gateways (one, or one per zone) with their Elastic IPs in the public tier, and the private
tables' default routes to them; gateway endpoints on every route table; flow logs of all traffic, to the log
archive bucket (its bare ARN: AWS writes under `AWSLogs/<account id>/`) or to a CloudWatch Logs group with the
spec's retention, written through a delivery role of the account; and its default security group emptied of
every rule (CIS 5.4), a toolkit type CloudFormation cannot express.

`render` shows the allocation an empty organization gets; `plan` rebuilds these resources with the live one
(`bootstrap.workflow`), so an existing VPC keeps its block and a new one avoids every block in use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from troposphere import GetAtt, Ref, Template
from troposphere.ec2 import (
    EIP,
    VPC,
    FlowLog,
    InternetGateway,
    NatGateway,
    Route,
    RouteTable,
    Subnet,
    SubnetRouteTableAssociation,
    VPCEndpoint,
    VPCGatewayAttachment,
)
from troposphere.iam import Policy, Role
from troposphere.logs import LogGroup

from blueprints.binding import ACCOUNT, add_bound, arn, engine_dependencies, iam_arn, location_bindings
from blueprints.common import Blueprint, tags
from bootstrap.names import flow_logs_role_address, logical_id, vpc_address
from bootstrap.resources import GLOBAL, Location, Resource, ownership_tags
from bootstrap.spec.log_archive import log_bucket_name, logging_enabled
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.spec.network_plan import VpcInstance, allocate, vpc_targets

DEFAULT_SECURITY_GROUP = "Bootstrap::EC2::DefaultSecurityGroup"
RESOURCES_PER_TEMPLATE = 450
"""Below CloudFormation's 500 resources per template, with room for what a reviewer may add."""
FLOW_LOGS_SERVICE = "vpc-flow-logs.amazonaws.com"
AGGREGATION_SECONDS = 600


def flow_logs_role_name(spec: LandingZoneSpec) -> str:
    return f"{spec.organization.name}-vpc-flow-logs"


def flow_log_group_name(spec: LandingZoneSpec, vpc: str) -> str:
    return f"/{spec.organization.name}/vpc-flow-logs/{vpc}"


def sends_flow_logs_to_s3(spec: LandingZoneSpec) -> bool:
    """Some VPC of some account delivers its flow logs to the log archive bucket (its policy and key then let AWS
    do it); a VPC that lands in no account yet opens nothing."""
    return logging_enabled(spec) and any(
        v.flow_logs.destination == "s3" and vpc_targets(spec, v) for v in spec.network.vpcs
    )


class _Vpc:
    """Builds the resources of one VPC instance into a blueprint."""

    def __init__(self, spec: LandingZoneSpec, bp: Blueprint, vpc: VpcInstance, role: str | None) -> None:
        self.spec, self.bp, self.vpc, self.role = spec, bp, vpc, role
        self.loc = Location(vpc.account, vpc.region)
        self.bindings = location_bindings(spec, self.loc)
        self.name = vpc.spec.name

    def address(self, *parts: str) -> str:
        return vpc_address(self.name, self.vpc.account, self.vpc.region, *parts)

    def id(self, kind: str, *parts: str) -> str:
        return logical_id(kind, self.name, self.vpc.account, self.vpc.region, *parts)

    def tags(self, address: str, label: str) -> Any:
        return tags(address, Name=f"{self.spec.organization.name}-{self.name}{label}")

    def add(self, obj: Any, address: str, **kwargs: Any) -> Any:
        return add_bound(self.bp, obj, bindings=self.bindings, address=address, location=self.loc, **kwargs)

    def build(self) -> None:
        vpc = self.add(
            VPC(
                self.id("Vpc"),
                CidrBlock=self.vpc.cidr,
                EnableDnsSupport=True,
                EnableDnsHostnames=True,
                Tags=self.tags(self.address(), ""),
            ),
            self.address(),
        )
        self._default_security_group(vpc)
        subnets = self._subnets(vpc)
        public = [s for (tier, _), s in subnets.items() if tier == "public"]
        attachment = self._internet_gateway(vpc) if public else None
        nats = self._nat_gateways(subnets, attachment)
        tables = self._route_tables(vpc, subnets, attachment, nats)
        self._endpoints(vpc, tables)
        self._flow_logs(vpc)

    def _default_security_group(self, vpc: VPC) -> None:
        address = self.address("default-security-group")
        self.bp.add_native(
            Resource(
                address=address,
                logical_id=self.id("DefaultSecurityGroup"),
                type=DEFAULT_SECURITY_GROUP,
                location=self.loc,
                properties={
                    "VpcId": {"Ref": vpc.title},
                    "SecurityGroupIngress": [],
                    "SecurityGroupEgress": [],
                    "Tags": [{"Key": k, "Value": v} for k, v in ownership_tags(address).items()],
                },
                depends_on=(vpc.title, *engine_dependencies(self.loc)),
            )
        )

    def _subnets(self, vpc: VPC) -> dict[tuple[str, str], Subnet]:
        subnets = {}
        for block in self.vpc.subnets:
            letter = block.zone[-1]
            address = self.address("subnet", block.tier, letter)
            subnets[(block.tier, block.zone)] = self.add(
                Subnet(
                    self.id("Subnet", block.tier, letter),
                    VpcId=Ref(vpc),
                    CidrBlock=block.cidr,
                    AvailabilityZone=block.zone,
                    MapPublicIpOnLaunch=False,
                    Tags=self.tags(address, f"-{block.tier}-{letter}"),
                    Metadata=_PINNED_ZONE,
                ),
                address,
            )
        return subnets

    def _internet_gateway(self, vpc: VPC) -> VPCGatewayAttachment:
        address = self.address("internet-gateway")
        gateway = self.add(InternetGateway(self.id("InternetGateway"), Tags=self.tags(address, "")), address)
        return self.add(
            VPCGatewayAttachment(self.id("GatewayAttachment"), VpcId=Ref(vpc), InternetGatewayId=Ref(gateway)),
            self.address("internet-gateway-attachment"),
        )

    def _nat_gateways(
        self, subnets: dict[tuple[str, str], Subnet], attachment: VPCGatewayAttachment | None
    ) -> dict[str, NatGateway]:
        """Zone -> NAT gateway, in the public subnet of that zone: the first zone only (`one`), or every zone."""
        mode = self.vpc.spec.nat_gateways
        if mode == "none" or attachment is None:
            return {}
        zones = self.vpc.zones if mode == "per_az" else self.vpc.zones[:1]
        nats = {}
        for zone in zones:
            letter = zone[-1]
            eip_address = self.address("eip", letter)
            eip = self.add(
                EIP(
                    self.id("Eip", letter),
                    Domain="vpc",
                    Tags=self.tags(eip_address, f"-nat-{letter}"),
                    DependsOn=[attachment.title],
                ),
                eip_address,
            )
            address = self.address("nat-gateway", letter)
            nats[zone] = self.add(
                NatGateway(
                    self.id("NatGateway", letter),
                    SubnetId=Ref(subnets[("public", zone)]),
                    AllocationId=GetAtt(eip, "AllocationId"),
                    Tags=self.tags(address, f"-{letter}"),
                ),
                address,
            )
        return nats

    def _route_tables(
        self,
        vpc: VPC,
        subnets: dict[tuple[str, str], Subnet],
        attachment: VPCGatewayAttachment | None,
        nats: dict[str, NatGateway],
    ) -> list[RouteTable]:
        tables = []
        for tier in dict.fromkeys(t for t, _ in subnets):
            per_zone = tier == "private" and len(nats) > 1
            groups = [(z[-1], [z]) for z in self.vpc.zones] if per_zone else [("", list(self.vpc.zones))]
            for letter, zones in groups:
                parts = (tier, letter) if letter else (tier,)
                address = self.address("route-table", *parts)
                table = self.add(
                    RouteTable(
                        self.id("RouteTable", *parts),
                        VpcId=Ref(vpc),
                        Tags=self.tags(address, "-" + "-".join(parts)),
                    ),
                    address,
                )
                tables.append(table)
                for zone in zones:
                    self.add(
                        SubnetRouteTableAssociation(
                            self.id("Association", tier, zone[-1]),
                            SubnetId=Ref(subnets[(tier, zone)]),
                            RouteTableId=Ref(table),
                        ),
                        self.address("route-table-association", tier, zone[-1]),
                    )
                target = self._default_target(tier, zones[0], attachment, nats)
                if target is not None:
                    self.add(
                        Route(
                            self.id("DefaultRoute", *parts),
                            RouteTableId=Ref(table),
                            DestinationCidrBlock="0.0.0.0/0",
                            **target,
                        ),
                        self.address("route", *parts, "default"),
                    )
        return tables

    @staticmethod
    def _default_target(
        tier: str, zone: str, attachment: VPCGatewayAttachment | None, nats: dict[str, NatGateway]
    ) -> dict[str, Any] | None:
        if tier == "public" and attachment is not None:
            return {"GatewayId": attachment.properties["InternetGatewayId"], "DependsOn": [attachment.title]}
        if tier == "private" and nats:
            return {"NatGatewayId": Ref(nats.get(zone) or next(iter(nats.values())))}
        return None

    def _endpoints(self, vpc: VPC, tables: list[RouteTable]) -> None:
        for service in self.vpc.spec.gateway_endpoints:
            address = self.address("endpoint", service)
            self.add(
                VPCEndpoint(
                    self.id("Endpoint", service),
                    VpcId=Ref(vpc),
                    ServiceName=f"com.amazonaws.{self.vpc.region}.{service}",
                    VpcEndpointType="Gateway",
                    RouteTableIds=[Ref(t) for t in tables],
                    Tags=self.tags(address, f"-{service}"),
                ),
                address,
            )

    def _flow_logs(self, vpc: VPC) -> None:
        flow = self.vpc.spec.flow_logs
        address = self.address("flow-log")
        common: dict[str, Any] = {
            "ResourceId": Ref(vpc),
            "ResourceType": "VPC",
            "TrafficType": "ALL",
            "MaxAggregationInterval": AGGREGATION_SECONDS,
            "Tags": self.tags(address, "-flow-log"),
        }
        if flow.destination == "s3" and logging_enabled(self.spec):
            from blueprints.log_archive import LOG_BUCKET_POLICY_ID

            destination = {"LogDestinationType": "s3", "LogDestination": f"arn:aws:s3:::{log_bucket_name(self.spec)}"}
            # AWS checks the bucket and its policy when the flow log is made: the log archive comes first
            self.add(
                FlowLog(self.id("FlowLog"), **common, **destination), address, engine_depends_on=(LOG_BUCKET_POLICY_ID,)
            )
        elif flow.destination == "cloudwatch" and self.role is not None:
            group_address = self.address("log-group")
            group = self.add(
                LogGroup(
                    self.id("FlowLogGroup"),
                    LogGroupName=flow_log_group_name(self.spec, self.name),
                    RetentionInDays=flow.retention_days,
                    Tags=self.tags(group_address, "-flow-logs"),
                    DeletionPolicy="Retain",
                    UpdateReplacePolicy="Retain",
                    Metadata=_skip(
                        "CKV_AWS_158",
                        "Flow log records carry addresses and ports, no payload; CloudWatch Logs encrypts them at "
                        "rest with its own key. A customer key per account and region is left to the spec's owner.",
                    ),
                ),
                group_address,
                protected=True,
            )
            destination = {
                "LogDestinationType": "cloud-watch-logs",
                "LogGroupName": Ref(group),
                "DeliverLogsPermissionArn": iam_arn(ACCOUNT, f"role/{flow_logs_role_name(self.spec)}"),
            }
            self.add(FlowLog(self.id("FlowLog"), **common, **destination), address, engine_depends_on=(self.role,))


_PINNED_ZONE = {
    "cfn-lint": {"config": {"ignore_checks": ["W3010"]}},
    "comment": "The zone is named, not Fn::GetAZs: the CIDR plan (runbooks/network.md) gives each subnet its zone, "
    "and the engine applies this very value.",
}


def _skip(check: str, why: str) -> dict[str, Any]:
    return {"checkov": {"skip": [{"id": check, "comment": why}]}}


def _flow_logs_role(spec: LandingZoneSpec, bp: Blueprint, account: str) -> str:
    """The account's flow-log delivery role: VPC Flow Logs of this account only, writing to the landing zone's
    flow-log groups only."""
    loc = Location(account, GLOBAL)
    title = logical_id("FlowLogsRole", account)
    groups = arn("arn:aws:logs:*:", ACCOUNT, f":log-group:/{spec.organization.name}/vpc-flow-logs/*")
    role = Role(
        title,
        RoleName=flow_logs_role_name(spec),
        Description="VPC flow logs deliver to the landing zone's flow-log groups through this role.",
        MaxSessionDuration=3600,
        AssumeRolePolicyDocument={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": FLOW_LOGS_SERVICE},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
                }
            ],
        },
        Policies=[
            Policy(
                PolicyName="deliver-flow-logs",
                PolicyDocument={
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": [
                                "logs:CreateLogStream",
                                "logs:DescribeLogGroups",
                                "logs:DescribeLogStreams",
                                "logs:PutLogEvents",
                            ],
                            "Resource": groups,
                        }
                    ],
                },
            )
        ],
        Tags=tags(flow_logs_role_address(account)),
    )
    add_bound(bp, role, bindings=location_bindings(spec, loc), address=flow_logs_role_address(account), location=loc)
    return title


def _template(spec: LandingZoneSpec, account: str, region: str, part: int) -> Template:
    suffix = f" (part {part})" if part > 1 else ""
    return Template(
        Description=f"Landing zone '{spec.organization.name}': custom VPCs{suffix}. Deploy in account '{account}', "
        f"region {region}.",
    )


def _size(vpc: VpcInstance) -> int:
    """Template resources of one VPC instance, an upper bound (for chunking)."""
    tiers = len(vpc.spec.subnets)
    zones = len(vpc.zones)
    return 1 + 3 * tiers * zones + 2 + 2 * zones + tiers * zones + len(vpc.spec.gateway_endpoints) + 3


def build(spec: LandingZoneSpec, instances: Iterable[VpcInstance] | None = None) -> list[Blueprint]:
    """One blueprint per account and region holding custom VPCs (more when they exceed a template's size)."""
    by_place: dict[tuple[str, str], list[VpcInstance]] = defaultdict(list)
    for vpc in allocate(spec) if instances is None else instances:
        by_place[(vpc.account, vpc.region)].append(vpc)
    blueprints: list[Blueprint] = []
    roles: dict[str, str] = {}
    for (account, region), vpcs in by_place.items():
        part, size, bp = 1, 0, None
        for vpc in vpcs:
            if bp is None or size + _size(vpc) > RESOURCES_PER_TEMPLATE:
                name = f"network-{account}-{region}" + (f"-{part}" if part > 1 else "")
                bp = Blueprint(name, _template(spec, account, region, part))
                blueprints.append(bp)
                part, size = part + 1, 0
            size += _size(vpc)
            role = None
            if vpc.spec.flow_logs.destination == "cloudwatch":
                if account not in roles:
                    roles[account] = _flow_logs_role(spec, bp, account)
                role = roles[account]
            _Vpc(spec, bp, vpc, role).build()
    return blueprints
