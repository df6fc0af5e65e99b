"""The custom VPCs' life beyond one apply: blocks allocated against live state (someone else's VPC on the block
`render` would pick; an account inserted before an existing one), a VPC dropped from the spec (deleted whole,
only with --allow-destroy, never while in use), and a part whose ownership tags were removed (blocked, adopted)."""

from __future__ import annotations

from typing import Any

import pytest
from network_vpcs import EXTRA, LIGHT, light_spec

from bootstrap.apply.adopt import adopt
from bootstrap.aws.session import Sessions
from bootstrap.changes import Action
from bootstrap.errors import SafetyError
from bootstrap.names import vpc_address
from bootstrap.spec.network_plan import allocate
from bootstrap.workflow import find_live_adoption, plan_live


def _creates(plan: Any, type_: str) -> dict[str, Any]:
    return {
        c.address: {d.name: d.after for d in c.diffs}
        for c in plan.changes
        if c.type == type_ and c.action is Action.CREATE
    }


def test_a_new_vpc_skips_a_block_someone_else_uses(sessions: Sessions, apply: Any, net_outsider: Any) -> None:
    spec = light_spec([LIGHT])
    assert [(v.account, v.cidr) for v in allocate(spec)] == [("app-prod", "10.0.0.0/20"), ("app-dev", "10.0.16.0/20")]
    assert not apply(light_spec([]), sessions).failed  # the accounts, no VPC yet
    net_outsider.ec2("app-prod").create_vpc(CidrBlock="10.0.0.0/20")  # not the toolkit's
    live, _ = plan_live(spec, sessions)
    vpcs = _creates(live.plan, "AWS::EC2::VPC")
    assert vpcs[vpc_address("main", "app-prod", "us-east-1")]["CidrBlock"] == "10.0.16.0/20"
    assert vpcs[vpc_address("main", "app-dev", "us-east-1")]["CidrBlock"] == "10.0.32.0/20"
    subnets = _creates(live.plan, "AWS::EC2::Subnet")
    first = vpc_address("main", "app-prod", "us-east-1", "subnet", "private", "a")
    assert subnets[first]["CidrBlock"] == "10.0.16.0/24"
    assert not apply(spec, sessions).failed
    assert net_outsider.vpc("main", "app-prod")["CidrBlock"] == "10.0.16.0/20"
    again, _ = plan_live(spec, sessions)
    assert again.plan.empty, [(c.address, c.action.value) for c in again.plan.changes]


def test_an_existing_vpc_keeps_its_block_when_an_account_is_inserted_before_it(
    sessions: Sessions, apply: Any, net_outsider: Any
) -> None:
    assert not apply(light_spec([LIGHT]), sessions).failed
    inserted = light_spec([LIGHT], [{"name": "app-new", "ou": "Workloads/Prod", "email": "app-new@example.com"}])
    assert allocate(inserted)[0].account == "app-new" and allocate(inserted)[0].cidr == "10.0.0.0/20"  # render's view
    live, _ = plan_live(inserted, sessions)
    touched = {c.address for c in live.plan.changes if c.action is not Action.CREATE}
    assert not [a for a in touched if a.startswith("network/")], touched
    vpcs = _creates(live.plan, "AWS::EC2::VPC")
    assert list(vpcs) == [vpc_address("main", "app-new", "us-east-1")]
    assert vpcs[vpc_address("main", "app-new", "us-east-1")]["CidrBlock"] == "10.0.32.0/20"
    assert net_outsider.vpc("main", "app-prod")["CidrBlock"] == "10.0.0.0/20"


def test_a_vpc_dropped_from_the_spec_is_deleted_whole_with_allow_destroy_only(
    sessions: Sessions, apply: Any, net_outsider: Any
) -> None:
    assert not apply(light_spec([LIGHT, EXTRA]), sessions).failed
    extra = net_outsider.vpc("extra", "app-dev")
    spec = light_spec([LIGHT])
    live, _ = plan_live(spec, sessions)
    assert [(c.address, c.action, c.destructive) for c in live.plan.changes] == [
        (vpc_address("extra", "app-dev", "us-east-1"), Action.DELETE, True)
    ]
    with pytest.raises(SafetyError, match="destructive"):
        apply(spec, sessions)
    assert not apply(spec, sessions, allow_destroy=True).failed
    ec2 = net_outsider.ec2("app-dev")
    assert not ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [extra["VpcId"]]}])["Vpcs"]
    assert net_outsider.vpc("main", "app-dev")["VpcId"]
    again, _ = plan_live(spec, sessions)
    assert again.plan.empty, [(c.address, c.action.value) for c in again.plan.changes]


def test_a_vpc_in_use_is_never_deleted(sessions: Sessions, apply: Any, net_outsider: Any) -> None:
    assert not apply(light_spec([LIGHT, EXTRA]), sessions).failed
    subnet = net_outsider.tagged(
        "app-dev", "subnets", "Subnets", vpc_address("extra", "app-dev", "us-east-1", "subnet", "private", "a")
    )
    eni = net_outsider.ec2("app-dev").create_network_interface(SubnetId=subnet["SubnetId"], Description="a database")
    live, _ = plan_live(light_spec([LIGHT]), sessions)
    (blocked,) = live.plan.blocked
    assert blocked.address == vpc_address("extra", "app-dev", "us-east-1")
    assert eni["NetworkInterface"]["NetworkInterfaceId"] in blocked.message and "a database" in blocked.message
    with pytest.raises(SafetyError):
        apply(light_spec([LIGHT]), sessions, allow_destroy=True)
    assert net_outsider.vpc("extra", "app-dev")["VpcId"]


def test_a_part_without_its_ownership_tags_blocks_the_plan_until_adopted(
    sessions: Sessions, apply: Any, net_outsider: Any
) -> None:
    spec = light_spec([LIGHT])
    assert not apply(spec, sessions).failed
    address = vpc_address("main", "app-dev", "us-east-1", "subnet", "private", "b")
    subnet = net_outsider.tagged("app-dev", "subnets", "Subnets", address)
    net_outsider.ec2("app-dev").delete_tags(Resources=[subnet["SubnetId"]], Tags=[{"Key": "bootstrap:managed"}])
    live, _ = plan_live(spec, sessions)
    (blocked,) = live.plan.blocked
    assert blocked.address == address and f"bootstrap adopt {address}" in blocked.message
    assert not [c for c in live.plan.changes if c.address == address]
    adoption, ctx = find_live_adoption(spec, sessions, address)
    assert adoption.physical_id == subnet["SubnetId"]
    adopt(ctx, adoption)
    again, _ = plan_live(spec, sessions)
    assert again.plan.empty, [(c.address, c.action.value) for c in again.plan.changes]


def test_parts_the_spec_no_longer_gives_a_vpc_are_deleted_and_the_rest_rerouted(
    sessions: Sessions, apply: Any, net_outsider: Any
) -> None:
    tiers = [{"tier": "public", "size": 24}, {"tier": "private", "size": 24}]
    wide = {**LIGHT, "ous": [], "accounts": ["app-dev"], "subnets": tiers, "nat_gateways": "per_az"}
    wide["gateway_endpoints"] = ["s3", "dynamodb"]
    assert not apply(light_spec([wide]), sessions).failed
    narrow = light_spec([{**wide, "nat_gateways": "one", "gateway_endpoints": ["s3"]}])
    live, _ = plan_live(narrow, sessions)
    assert not live.plan.blocked, live.plan.blocked

    def at(*parts: str) -> str:
        return vpc_address("main", "app-dev", "us-east-1", *parts)

    assert {(c.address, c.action) for c in live.plan.changes} == {
        (at("endpoint", "dynamodb"), Action.DELETE),
        (at("nat-gateway", "b"), Action.DELETE),
        (at("route-table", "private", "a"), Action.DELETE),
        (at("route-table", "private", "b"), Action.DELETE),
        (at("route-table", "private"), Action.CREATE),
        (at("route", "private", "default"), Action.CREATE),
        (at("route-table-association", "private", "a"), Action.UPDATE),
        (at("route-table-association", "private", "b"), Action.UPDATE),
        (at("endpoint", "s3"), Action.UPDATE),
    }
    assert not apply(narrow, sessions, allow_destroy=True).failed
    ec2 = net_outsider.ec2("app-dev")
    vpc = net_outsider.vpc("main", "app-dev")
    nats = ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["NatGateways"]
    assert len([n for n in nats if n["State"] == "available"]) == 1
    assert len(ec2.describe_addresses()["Addresses"]) == 1  # the second NAT gateway's address was released
    again, _ = plan_live(narrow, sessions)
    assert again.plan.empty, [(c.address, c.action.value) for c in again.plan.changes]
