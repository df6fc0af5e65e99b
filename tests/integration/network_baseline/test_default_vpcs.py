"""Default VPCs removed: listed apart in the plan and consented to by the spec (no --allow-destroy), removed in
the safe order (internet gateways detached and deleted, subnets, other route tables, network ACLs, security
groups, then the VPC), never while a network interface is in one (at plan time and again right before deleting),
regions an account has not enabled skipped and reported, `except_accounts` left alone, and a default VPC
re-created later found as drift and removed again."""

from __future__ import annotations

from typing import Any

import pytest
from network_lz import REGIONS, Ec2Outsider, changes_of, network_spec

from bootstrap.aws.session import Sessions
from bootstrap.aws.stats import CallStats
from bootstrap.changes import Action
from bootstrap.errors import AwsError
from bootstrap.names import default_vpc_address
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live

ENABLED = [r for r in REGIONS if r != "ap-east-1"]


def _furnish(net: Ec2Outsider, region: str) -> dict[str, str]:
    """What moto's default VPC lacks and a real one may hold: an internet gateway (AWS attaches one), plus a
    route table, a network ACL and a security group of someone's own."""
    ec2 = net.ec2(region)
    vpc = net.default_vpc(region)
    assert vpc is not None
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    group = ec2.create_security_group(GroupName="web", Description="someone's", VpcId=vpc)["GroupId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    made = {f"subnet-{n}": s["SubnetId"] for n, s in enumerate(subnets)}
    return {"vpc": vpc, "gateway": gateway, "table": table, "acl": acl, "group": group, **made}


@pytest.fixture
def ec2_writes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Every EC2 write the toolkit makes, in order, with its parameters (ask for it before `sessions`: a session
    registers the hook when it is made)."""
    writes: list[tuple[str, dict[str, Any]]] = []
    counted = CallStats.on_call

    def on_call(self: CallStats, model: Any = None, params: Any = None, **kwargs: Any) -> None:
        if (
            model is not None
            and model.service_model.service_name == "ec2"
            and not model.name.startswith(("Describe", "Get"))
        ):
            writes.append((model.name, dict(params or {})))
        counted(self, model=model, params=params, **kwargs)

    monkeypatch.setattr(CallStats, "on_call", on_call)
    return writes


def test_the_plan_lists_removals_apart_and_apply_removes_them_in_the_safe_order(
    ec2_writes: list[tuple[str, dict[str, Any]]],
    spec: LandingZoneSpec,
    sessions: Sessions,
    net: Ec2Outsider,
    run_plan: Any,
) -> None:
    made = _furnish(net, "us-east-1")
    live, ctx = plan_live(spec, sessions)
    removals = {c.address: c for c in live.plan.changes if c.removes}
    here = removals[default_vpc_address("management", "us-east-1")]
    assert here.action is Action.CREATE and here.destructive and not here.needs_consent
    assert here.consented_by == "network.remove_default_vpcs"
    assert [(d.name, d.before, d.after) for d in here.diffs] == [("DefaultVpc", made["vpc"], "absent")]
    assert "1 internet gateway" in here.reason and "1 other route table" in here.reason
    assert "1 other network ACL" in here.reason and "1 other security group" in here.reason
    # management: the two enabled regions; members (not created yet): every listed region, checked at apply
    assert {a for a in removals if "/management/" in a} == {default_vpc_address("management", r) for r in ENABLED}
    assert default_vpc_address("management", "ap-east-1") not in removals
    assert len(removals) == len(ENABLED) + 2 * len(REGIONS)
    assert live.plan.count()[2] == len(removals)

    run_plan(live.plan, ctx)  # no --allow-destroy: the spec asks for these removals by name

    for account in ("management", "audit", "log-archive"):
        for region in ENABLED:
            assert net.default_vpc(region, account) is None, (account, region)
    ours = [(name, params) for name, params in ec2_writes if any(made_id in str(params) for made_id in made.values())]
    order = [name for name, _ in ours]
    assert order == [
        "DetachInternetGateway",
        "DeleteInternetGateway",
        *["DeleteSubnet"] * order.count("DeleteSubnet"),
        "DeleteRouteTable",
        "DeleteNetworkAcl",
        "DeleteSecurityGroup",
        "DeleteVpc",
    ], order
    assert order.count("DeleteSubnet") >= 1
    ec2 = net.ec2("us-east-1")
    assert not ec2.describe_internet_gateways(InternetGatewayIds=[])["InternetGateways"]
    assert made["group"] not in {g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]}

    sessions.stats.reset()
    again, _ = plan_live(spec, sessions)
    assert again.plan.empty, changes_of(again.plan)
    assert sessions.stats.writes == 0


def test_a_region_the_account_has_not_enabled_is_skipped_and_reported(
    applied: LandingZoneSpec, sessions: Sessions, net: Ec2Outsider
) -> None:
    regions = net.ec2("us-east-1").describe_regions(AllRegions=True)["Regions"]
    assert {r["RegionName"]: r["OptInStatus"] for r in regions}["ap-east-1"] == "not-opted-in"  # moto's data
    live, _ = plan_live(applied, sessions)
    assert live.plan.empty
    notes = {n.address: n for n in live.plan.notes}
    for account in ("management", "audit", "log-archive"):
        note = notes[f"network/default-vpc/{account}"]
        assert note.severity == "info" and "ap-east-1" in note.message and "not enabled" in note.message
        assert "eu-west-1" not in note.message


def test_a_default_vpc_in_use_is_a_finding_naming_its_interfaces(
    applied: LandingZoneSpec, sessions: Sessions, net: Ec2Outsider
) -> None:
    ec2 = net.ec2("eu-west-1")
    vpc = ec2.create_default_vpc()["Vpc"]["VpcId"]
    eni = ec2.create_network_interface(SubnetId=net.subnet("eu-west-1", vpc), Description="payroll database")
    eni_id = eni["NetworkInterface"]["NetworkInterfaceId"]
    live, _ = plan_live(applied, sessions)
    address = default_vpc_address("management", "eu-west-1")
    assert address not in {c.address for c in live.plan.changes}
    (note,) = [n for n in live.plan.notes if n.address == address]
    assert note.severity == "warning" and not live.plan.blocked  # the rest of the plan can be applied
    assert vpc in note.message and eni_id in note.message and "'payroll database'" in note.message
    assert "owner 123456789012" in note.message and "requester" in note.message
    assert "except_accounts" in note.message
    assert net.default_vpc("eu-west-1") == vpc


def test_apply_checks_again_right_before_deleting(
    spec: LandingZoneSpec, sessions: Sessions, net: Ec2Outsider, run_plan: Any
) -> None:
    """An interface that appears between plan and apply stops that removal only; the others are made."""
    live, ctx = plan_live(spec, sessions)
    vpc = net.default_vpc("eu-west-1")
    assert vpc is not None
    eni_id = net.ec2("eu-west-1").create_network_interface(SubnetId=net.subnet("eu-west-1", vpc))["NetworkInterface"][
        "NetworkInterfaceId"
    ]
    with pytest.raises(AwsError) as failed:
        run_plan(live.plan, ctx)
    address = default_vpc_address("management", "eu-west-1")
    assert f"{address} (management / eu-west-1)" in failed.value.message
    assert eni_id in failed.value.message and "except_accounts" in failed.value.message
    assert net.default_vpc("eu-west-1") == vpc
    assert net.default_vpc("us-east-1") is None
    assert net.default_vpc("eu-west-1", "audit") is None


def test_aws_refusing_a_removal_fails_that_account_region_only(
    spec: LandingZoneSpec, sessions: Sessions, net: Ec2Outsider, run_plan: Any
) -> None:
    """Something the removal does not delete (a VPN gateway, attached) makes AWS refuse the VPC: a failure
    named with its account and region, not a crash, and the other removals are made."""
    ec2 = net.ec2("eu-west-1")
    vpc = net.default_vpc("eu-west-1")
    gateway = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=gateway)
    live, ctx = plan_live(spec, sessions)
    with pytest.raises(AwsError) as failed:
        run_plan(live.plan, ctx)
    assert "DependencyViolation" in failed.value.message and "management / eu-west-1" in failed.value.message
    assert "a NAT or VPN gateway" in failed.value.remediation
    assert net.default_vpc("us-east-1") is None


def test_except_accounts_keep_their_default_vpcs(sessions: Sessions, net: Ec2Outsider, apply: Any) -> None:
    spec = network_spec(except_accounts=["management", "audit"])
    apply(spec, sessions)
    assert net.default_vpc("us-east-1") is not None
    assert net.default_vpc("us-east-1", "audit") is not None
    assert net.default_vpc("us-east-1", "log-archive") is None


def test_a_default_vpc_created_again_is_drift_removed_on_the_next_run(
    applied: LandingZoneSpec, sessions: Sessions, net: Ec2Outsider, apply: Any
) -> None:
    again = net.ec2("us-east-1", "audit").create_default_vpc()["Vpc"]["VpcId"]
    live, _ = plan_live(applied, sessions)
    address = default_vpc_address("audit", "us-east-1")
    assert changes_of(live.plan) == [(address, "create", ["DefaultVpc"])]
    (change,) = live.plan.changes
    assert change.removes and change.diffs[0].before == again and not change.needs_consent
    apply(applied, sessions)
    assert net.default_vpc("us-east-1", "audit") is None
    sessions.stats.reset()
    after, _ = plan_live(applied, sessions)
    assert after.plan.empty, changes_of(after.plan)
    assert sessions.stats.writes == 0
