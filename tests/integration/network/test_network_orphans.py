"""A custom VPC the spec drops is found wherever the network layer reads, not only beside a VPC the spec still
asks for: the VPC removed from the spec entirely, an account taken out of its targets, a region out of its
regions. Each is proposed for deletion (destructive: `--allow-destroy`) with its parts named in the order they
go, deleted whole, and the next plan is empty. The sweep costs no read beyond the one VPC listing."""

from __future__ import annotations

from typing import Any

import pytest
from network_vpcs import LIGHT, light_spec

from bootstrap.aws.session import Sessions
from bootstrap.changes import Action
from bootstrap.errors import SafetyError
from bootstrap.names import vpc_address
from bootstrap.workflow import plan_live

FULL = {
    **LIGHT,
    "ous": [],
    "accounts": ["app-dev"],
    "subnets": [{"tier": "public", "size": 24}, {"tier": "private", "size": 24}],
    "nat_gateways": "one",
    "gateway_endpoints": ["s3"],
    "flow_logs": {"destination": "cloudwatch", "retention_days": 30},
}


def _deletes(plan: Any) -> list[tuple[str, bool]]:
    return [(c.address, c.destructive) for c in plan.changes if c.action is Action.DELETE]


def _gone(net_outsider: Any, account: str, vpc_id: str, region: str = "us-east-1") -> bool:
    ec2 = net_outsider.ec2(account, region)
    return not ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Vpcs"]


def test_a_vpc_removed_from_the_spec_entirely_is_deleted_whole_with_its_parts(
    sessions: Sessions, apply: Any, net_outsider: Any
) -> None:
    assert not apply(light_spec([FULL]), sessions).failed
    vpc = net_outsider.vpc("main", "app-dev")
    ec2 = net_outsider.ec2("app-dev")
    assert ec2.describe_addresses()["Addresses"]
    spec = light_spec([])  # no VPC left in the spec: nothing of the custom VPCs' types is desired anywhere
    live, _ = plan_live(spec, sessions)
    address = vpc_address("main", "app-dev", "us-east-1")
    assert set(_deletes(live.plan)) == {(address, True), ("network/flow-logs-role/app-dev", True)}  # role: unused
    (change,) = [c for c in live.plan.changes if c.type == "AWS::EC2::VPC"]
    assert (change.address, change.destructive, change.location.account) == (address, True, "app-dev")
    reason = change.reason
    order = ["flow log", "gateway endpoint", "NAT gateway", "internet gateway", "4 subnets", "2 route tables"]
    assert all(part in reason for part in order) and " with eipalloc-" in reason, reason
    assert [reason.index(part) for part in order] == sorted(reason.index(part) for part in order), reason
    assert any("/vpc-flow-logs/main" in n.message and "keeps it" in n.message for n in live.plan.notes)
    with pytest.raises(SafetyError, match="destructive"):
        apply(spec, sessions)
    assert not apply(spec, sessions, allow_destroy=True).failed
    assert _gone(net_outsider, "app-dev", vpc["VpcId"])
    assert not ec2.describe_addresses()["Addresses"]  # the NAT gateway's Elastic IP was released
    assert not ec2.describe_internet_gateways()["InternetGateways"]
    again, _ = plan_live(spec, sessions)
    assert again.plan.empty, [(c.address, c.action.value) for c in again.plan.changes]


def test_an_account_removed_from_the_vpcs_targets_loses_its_vpc(
    sessions: Sessions, apply: Any, net_outsider: Any
) -> None:
    assert not apply(light_spec([LIGHT]), sessions).failed
    dev = net_outsider.vpc("main", "app-dev")
    spec = light_spec([{**LIGHT, "ous": [], "accounts": ["app-prod"]}])
    live, _ = plan_live(spec, sessions)
    assert _deletes(live.plan) == [(vpc_address("main", "app-dev", "us-east-1"), True)]
    assert not apply(spec, sessions, allow_destroy=True).failed
    assert _gone(net_outsider, "app-dev", dev["VpcId"])
    assert net_outsider.vpc("main", "app-prod")["VpcId"]
    again, _ = plan_live(spec, sessions)
    assert again.plan.empty, [(c.address, c.action.value) for c in again.plan.changes]


def test_a_region_removed_from_the_vpcs_regions_loses_its_vpc(
    sessions: Sessions, apply: Any, net_outsider: Any
) -> None:
    one = {**LIGHT, "ous": [], "accounts": ["app-dev"]}
    assert not apply(light_spec([{**one, "regions": ["us-east-1", "us-west-2"]}]), sessions).failed
    west = net_outsider.vpc("main", "app-dev", "us-west-2")
    spec = light_spec([{**one, "regions": ["us-east-1"]}])
    live, _ = plan_live(spec, sessions)
    assert _deletes(live.plan) == [(vpc_address("main", "app-dev", "us-west-2"), True)]
    assert not apply(spec, sessions, allow_destroy=True).failed
    assert _gone(net_outsider, "app-dev", west["VpcId"], "us-west-2")
    assert net_outsider.vpc("main", "app-dev")["VpcId"]
    again, _ = plan_live(spec, sessions)
    assert again.plan.empty, [(c.address, c.action.value) for c in again.plan.changes]


def test_an_orphan_holding_someone_elses_instance_is_reported_not_deleted(
    sessions: Sessions, apply: Any, net_outsider: Any
) -> None:
    one = {**LIGHT, "ous": [], "accounts": ["app-dev"]}
    assert not apply(light_spec([one]), sessions).failed
    subnet = net_outsider.tagged(
        "app-dev", "subnets", "Subnets", vpc_address("main", "app-dev", "us-east-1", "subnet", "private", "a")
    )
    eni = net_outsider.ec2("app-dev").create_network_interface(SubnetId=subnet["SubnetId"], Description="a cache")
    live, _ = plan_live(light_spec([]), sessions)
    (blocked,) = live.plan.blocked
    assert blocked.address == vpc_address("main", "app-dev", "us-east-1")
    assert eni["NetworkInterface"]["NetworkInterfaceId"] in blocked.message and "a cache" in blocked.message
    with pytest.raises(SafetyError):
        apply(light_spec([]), sessions, allow_destroy=True)
    assert net_outsider.vpc("main", "app-dev")["VpcId"]


def test_flow_logs_moved_off_cloudwatch_keep_the_group_and_drop_the_unused_role(
    sessions: Sessions, apply: Any, net_outsider: Any
) -> None:
    """The group holds logs: kept, and the plan says so. The account's delivery role serves no VPC any more:
    deleted, with --allow-destroy, and the next plan is empty."""
    watched = {**LIGHT, "ous": [], "accounts": ["app-dev"], "flow_logs": {"destination": "cloudwatch"}}
    assert not apply(light_spec([watched]), sessions).failed
    iam = net_outsider.client("iam", "app-dev")
    role = next(r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].endswith("-vpc-flow-logs"))
    spec = light_spec([{**watched, "flow_logs": {"destination": "none"}}])
    live, _ = plan_live(spec, sessions)
    assert {(c.address, c.action) for c in live.plan.changes} == {
        (vpc_address("main", "app-dev", "us-east-1", "flow-log"), Action.DELETE),
        ("network/flow-logs-role/app-dev", Action.DELETE),
    }
    kept = [n for n in live.plan.notes if "/vpc-flow-logs/main" in n.message]
    assert kept and "keeps it" in kept[0].message, live.plan.notes
    assert not apply(spec, sessions, allow_destroy=True).failed
    assert role not in [r["RoleName"] for r in iam.list_roles()["Roles"]]
    groups = net_outsider.client("logs", "app-dev").describe_log_groups()["logGroups"]
    assert any(g["logGroupName"].endswith("/vpc-flow-logs/main") for g in groups)
    again, _ = plan_live(spec, sessions)
    assert again.plan.empty, [(c.address, c.action.value) for c in again.plan.changes]


def test_a_kind_of_part_the_spec_no_longer_gives_a_vpc_at_all_is_found_and_deleted(
    sessions: Sessions, apply: Any, net_outsider: Any
) -> None:
    """No public tier, NAT gateway, endpoint or flow log left in the account-region: their types (the internet
    gateway's too) have no resource there, yet what the toolkit made of them is found (through the routes to it,
    or the listing beside the VPC) and deleted; the private tier keeps its subnets, where they are."""

    def at(*parts: str) -> str:
        return vpc_address("main", "app-dev", "us-east-1", *parts)

    assert not apply(light_spec([FULL]), sessions).failed
    private = [at("subnet", "private", zone) for zone in "ab"]
    kept = [net_outsider.tagged("app-dev", "subnets", "Subnets", address)["SubnetId"] for address in private]
    bare = {**FULL, "subnets": [{"tier": "private", "size": 24}], "nat_gateways": "none", "gateway_endpoints": []}
    bare["flow_logs"] = {"destination": "none"}
    live, _ = plan_live(light_spec([bare]), sessions)
    deleted = {c.address for c in live.plan.changes if c.action is Action.DELETE}
    gone = {at("nat-gateway", "a"), at("endpoint", "s3"), at("flow-log"), at("internet-gateway")}
    assert gone | {at("subnet", "public", "a"), at("subnet", "public", "b")} <= deleted, deleted
    assert not [c for c in live.plan.changes if "/subnet/private/" in c.address], "the private tier is not renumbered"
    assert not apply(light_spec([bare]), sessions, allow_destroy=True).failed
    ec2 = net_outsider.ec2("app-dev")
    assert not [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] != "deleted"]
    assert not [e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"].lower() != "deleted"]
    assert not ec2.describe_addresses()["Addresses"]
    assert not ec2.describe_internet_gateways()["InternetGateways"]
    assert [net_outsider.tagged("app-dev", "subnets", "Subnets", a)["SubnetId"] for a in private] == kept
    again, _ = plan_live(light_spec([bare]), sessions)
    assert again.plan.empty, [(c.address, c.action.value) for c in again.plan.changes]
