"""Drift of the custom VPCs: an outsider tampers with a VPC the toolkit built; the plan shows exactly that drift,
apply repairs it, and the next plan is empty and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bootstrap.aws.session import Sessions
from bootstrap.changes import Action
from bootstrap.names import vpc_address
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live

ACCOUNT, REGION = "app-dev", "us-east-1"


def at(*parts: str) -> str:
    return vpc_address("main", ACCOUNT, REGION, *parts)


def _by_tag(outsider: Any, kind: str, key: str, *parts: str) -> dict[str, Any]:
    return outsider.tagged(ACCOUNT, kind, key, at(*parts))


def add_route_to_private_table(outsider: Any) -> tuple[list[tuple[str, Action]], Any]:
    table = _by_tag(outsider, "route_tables", "RouteTables", "route-table", "private", "a")
    gateway = _by_tag(outsider, "internet_gateways", "InternetGateways", "internet-gateway")
    route = {"DestinationCidrBlock": "192.168.0.0/16", "GatewayId": gateway["InternetGatewayId"]}
    outsider.ec2(ACCOUNT).create_route(RouteTableId=table["RouteTableId"], **route)
    drift = ("OtherRoutes", [route], None)
    return [(at("route-table", "private", "a"), Action.UPDATE)], drift


def open_the_default_security_group(outsider: Any) -> tuple[list[tuple[str, Action]], Any]:
    vpc = outsider.vpc("main", ACCOUNT)
    ec2 = outsider.ec2(ACCOUNT)
    filters = [{"Name": "vpc-id", "Values": [vpc["VpcId"]]}, {"Name": "group-name", "Values": ["default"]}]
    group = ec2.describe_security_groups(Filters=filters)["SecurityGroups"][0]
    rule = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=[rule])
    return [(at("default-security-group"), Action.UPDATE)], ("SecurityGroupIngress", [rule], [])


def delete_the_flow_log(outsider: Any) -> tuple[list[tuple[str, Action]], Any]:
    flow = _by_tag(outsider, "flow_logs", "FlowLogs", "flow-log")
    outsider.ec2(ACCOUNT).delete_flow_logs(FlowLogIds=[flow["FlowLogId"]])
    return [(at("flow-log"), Action.CREATE)], None


def delete_a_subnet(outsider: Any) -> tuple[list[tuple[str, Action]], Any]:
    subnet = _by_tag(outsider, "subnets", "Subnets", "subnet", "isolated", "b")
    outsider.ec2(ACCOUNT).delete_subnet(SubnetId=subnet["SubnetId"])
    return [
        (at("subnet", "isolated", "b"), Action.CREATE),
        (at("route-table-association", "isolated", "b"), Action.CREATE),
    ], None


def remove_a_gateway_endpoint(outsider: Any) -> tuple[list[tuple[str, Action]], Any]:
    endpoint = _by_tag(outsider, "vpc_endpoints", "VpcEndpoints", "endpoint", "dynamodb")
    outsider.ec2(ACCOUNT).delete_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])
    return [(at("endpoint", "dynamodb"), Action.CREATE)], None


Tamper = Callable[[Any], tuple[list[tuple[str, Action]], Any]]


@pytest.mark.parametrize(
    "tamper",
    [
        add_route_to_private_table,
        open_the_default_security_group,
        delete_the_flow_log,
        delete_a_subnet,
        remove_a_gateway_endpoint,
    ],
)
def test_drift_is_shown_precisely_and_repaired(
    tamper: Tamper, applied: LandingZoneSpec, sessions: Sessions, apply: Any, net_outsider: Any
) -> None:
    expected, drift = tamper(net_outsider)
    live, _ = plan_live(applied, sessions)
    changes = [(c.address, c.action) for c in live.plan.changes]
    assert changes == expected, [(c.address, c.action.value, c.diffs) for c in live.plan.changes]
    if drift is not None:
        (diff,) = live.plan.changes[0].diffs
        assert (diff.name, diff.before, diff.after) == drift
    assert not live.plan.blocked
    result = apply(applied, sessions)
    assert not result.failed, result.failed
    sessions.stats.reset()
    again, _ = plan_live(applied, sessions)
    assert again.plan.empty, [(c.address, c.action.value, c.diffs) for c in again.plan.changes]
    assert sessions.stats.writes == 0, sessions.stats.snapshot()
