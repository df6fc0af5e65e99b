"""Changing a VPC's subnet tiers and zones against in-process moto: a tier removed or added, zones 3 -> 2 and 2 -> 3,
a tier's size changed (its NAT gateway following it, on the same Elastic IP), a full VPC reusing the ranges it
frees. Each applies cleanly, every live subnet that still fits keeps its block, and the next plan is empty. A
subnet that must go while someone's network interface runs in it blocks the plan, naming the interface."""

from __future__ import annotations

from typing import Any

import pytest
from network_vpcs import LIGHT, light_spec

from bootstrap.aws.session import Sessions
from bootstrap.changes import Action
from bootstrap.errors import AwsError, SafetyError
from bootstrap.names import vpc_address
from bootstrap.workflow import plan_live

PUBLIC = {"tier": "public", "size": 24}
PRIVATE = {"tier": "private", "size": 24}
ONE = {**LIGHT, "ous": [], "accounts": ["app-dev"]}


def at(*parts: str) -> str:
    return vpc_address("main", "app-dev", "us-east-1", *parts)


def _subnets(net_outsider: Any) -> dict[str, str]:
    """Address -> block of every subnet of the VPC."""
    vpc = net_outsider.vpc("main", "app-dev")
    items = net_outsider.ec2("app-dev").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])
    tags = ({t["Key"]: t["Value"] for t in s.get("Tags", [])} for s in items["Subnets"])
    return {t.get("bootstrap:address", "?"): s["CidrBlock"] for t, s in zip(tags, items["Subnets"], strict=True)}


def _subnet_changes(plan: Any) -> set[tuple[str, Action]]:
    return {(c.address, c.action) for c in plan.changes if c.type == "AWS::EC2::Subnet"}


def _change_and_check(
    before: dict[str, Any], after: dict[str, Any], sessions: Sessions, apply: Any, net_outsider: Any
) -> tuple[dict[str, str], dict[str, str], Any]:
    """Apply `before`, plan and apply `after`: the blocks before and after, and the plan that changed them. The
    change applies cleanly and the next plan is empty."""
    assert not apply(light_spec([before]), sessions).failed
    first = _subnets(net_outsider)
    spec = light_spec([after])
    live, _ = plan_live(spec, sessions)
    assert not live.plan.blocked, live.plan.blocked
    result = apply(spec, sessions, allow_destroy=True)
    assert not result.failed, result.failed
    again, _ = plan_live(spec, sessions)
    assert again.plan.empty, [(c.address, c.action.value, c.diffs) for c in again.plan.changes]
    return first, _subnets(net_outsider), live.plan


def test_removing_a_tier_keeps_the_other_tiers_blocks(sessions: Sessions, apply: Any, net_outsider: Any) -> None:
    before, after, plan = _change_and_check(
        {**ONE, "subnets": [PUBLIC, PRIVATE]}, {**ONE, "subnets": [PRIVATE]}, sessions, apply, net_outsider
    )
    assert _subnet_changes(plan) == {
        (at("subnet", "public", "a"), Action.DELETE),
        (at("subnet", "public", "b"), Action.DELETE),
    }
    assert after == {a: c for a, c in before.items() if "/public/" not in a}
    assert after[at("subnet", "private", "a")] == "10.0.2.0/24"  # where [public, private] put it, not renumbered


def test_adding_a_tier_before_the_existing_one_goes_around_it(
    sessions: Sessions, apply: Any, net_outsider: Any
) -> None:
    before, after, plan = _change_and_check(
        {**ONE, "subnets": [PRIVATE]}, {**ONE, "subnets": [PUBLIC, PRIVATE]}, sessions, apply, net_outsider
    )
    assert _subnet_changes(plan) == {
        (at("subnet", "public", "a"), Action.CREATE),
        (at("subnet", "public", "b"), Action.CREATE),
    }
    assert {a: after[a] for a in before} == before
    assert (after[at("subnet", "public", "a")], after[at("subnet", "public", "b")]) == ("10.0.2.0/24", "10.0.3.0/24")


def test_three_zones_become_two(sessions: Sessions, apply: Any, net_outsider: Any) -> None:
    before, after, plan = _change_and_check(
        {**ONE, "availability_zones": 3}, {**ONE, "availability_zones": 2}, sessions, apply, net_outsider
    )
    assert _subnet_changes(plan) == {(at("subnet", "private", "c"), Action.DELETE)}
    assert after == {a: c for a, c in before.items() if not a.endswith("/c")}


def test_two_zones_become_three(sessions: Sessions, apply: Any, net_outsider: Any) -> None:
    before, after, plan = _change_and_check(
        {**ONE, "subnets": [PUBLIC, PRIVATE]},
        {**ONE, "subnets": [PUBLIC, PRIVATE], "availability_zones": 3},
        sessions,
        apply,
        net_outsider,
    )
    assert _subnet_changes(plan) == {
        (at("subnet", "public", "c"), Action.CREATE),
        (at("subnet", "private", "c"), Action.CREATE),
    }
    assert {a: after[a] for a in before} == before
    assert (after[at("subnet", "public", "c")], after[at("subnet", "private", "c")]) == ("10.0.4.0/24", "10.0.5.0/24")


def test_a_tier_resized_is_replaced_around_the_live_subnets_and_its_nat_gateway_follows(
    sessions: Sessions, apply: Any, net_outsider: Any
) -> None:
    """The public tier holds the NAT gateway: the gateway is made again in the new subnet, on the same Elastic
    IP; the subnets' associations and the private tier's default route follow."""
    wide = {**ONE, "subnets": [PUBLIC, PRIVATE], "nat_gateways": "one"}
    assert not apply(light_spec([wide]), sessions).failed
    ec2 = net_outsider.ec2("app-dev")
    (address,) = ec2.describe_addresses()["Addresses"]
    narrow = {**wide, "subnets": [{"tier": "public", "size": 26}, PRIVATE]}
    before, after, plan = _change_and_check(wide, narrow, sessions, apply, net_outsider)
    replaced = {(c.address, c.action) for c in plan.changes if c.action is Action.REPLACE}
    assert replaced == {
        (at("subnet", "public", "a"), Action.REPLACE),
        (at("subnet", "public", "b"), Action.REPLACE),
        (at("route-table-association", "public", "a"), Action.REPLACE),
        (at("route-table-association", "public", "b"), Action.REPLACE),
        (at("nat-gateway", "a"), Action.REPLACE),
    }
    assert (at("route", "private", "default"), Action.UPDATE) in {(c.address, c.action) for c in plan.changes}
    assert (after[at("subnet", "public", "a")], after[at("subnet", "public", "b")]) == ("10.0.4.0/26", "10.0.4.64/26")
    assert {a: after[a] for a in before if "/private/" in a} == {a: c for a, c in before.items() if "/private/" in a}
    (kept,) = ec2.describe_addresses()["Addresses"]
    assert kept["PublicIp"] == address["PublicIp"]
    nats = [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] == "available"]
    new_a = net_outsider.tagged("app-dev", "subnets", "Subnets", at("subnet", "public", "a"))
    assert [n["SubnetId"] for n in nats] == [new_a["SubnetId"]]


def test_a_full_vpc_resized_reuses_each_subnets_own_range(sessions: Sessions, apply: Any, net_outsider: Any) -> None:
    full = {**ONE, "size": 24, "subnets": [{"tier": "private", "size": 25}]}
    before, after, _ = _change_and_check(
        full, {**full, "subnets": [{"tier": "private", "size": 26}]}, sessions, apply, net_outsider
    )
    assert before == {at("subnet", "private", "a"): "10.0.0.0/25", at("subnet", "private", "b"): "10.0.0.128/25"}
    assert after == {at("subnet", "private", "a"): "10.0.0.0/26", at("subnet", "private", "b"): "10.0.0.128/26"}


def test_a_full_vpc_gives_a_new_tier_the_range_a_dropped_one_frees_first(
    sessions: Sessions, apply: Any, net_outsider: Any
) -> None:
    full = {**ONE, "size": 24, "subnets": [{"tier": "public", "size": 26}, {"tier": "private", "size": 26}]}
    swapped = {**full, "subnets": [{"tier": "isolated", "size": 26}, {"tier": "private", "size": 26}]}
    before, after, plan = _change_and_check(full, swapped, sessions, apply, net_outsider)
    deletes = {c.address: c for c in plan.changes if c.type == "AWS::EC2::Subnet" and c.action is Action.DELETE}
    assert set(deletes) == {at("subnet", "public", "a"), at("subnet", "public", "b")}
    assert all(c.depends_on == () for c in deletes.values())
    creates = [c for c in plan.changes if c.type == "AWS::EC2::Subnet" and c.action is Action.CREATE]
    assert {c.address: set(deletes) & set(c.depends_on) for c in creates} == {
        at("subnet", "isolated", "a"): {at("subnet", "public", "a")},
        at("subnet", "isolated", "b"): {at("subnet", "public", "b")},
    }
    assert after[at("subnet", "isolated", "a")] == before[at("subnet", "public", "a")]
    assert {a: after[a] for a in before if "/private/" in a} == {a: c for a, c in before.items() if "/private/" in a}


def test_a_subnet_to_replace_that_holds_an_interface_blocks_the_plan(
    sessions: Sessions, apply: Any, net_outsider: Any
) -> None:
    assert not apply(light_spec([ONE]), sessions).failed
    subnet = net_outsider.tagged("app-dev", "subnets", "Subnets", at("subnet", "private", "a"))
    eni = net_outsider.ec2("app-dev").create_network_interface(SubnetId=subnet["SubnetId"], Description="a queue")
    spec = light_spec([{**ONE, "subnets": [{"tier": "private", "size": 25}]}])
    live, _ = plan_live(spec, sessions)
    (blocked,) = live.plan.blocked
    assert blocked.address == at("subnet", "private", "a")
    assert eni["NetworkInterface"]["NetworkInterfaceId"] in blocked.message and "a queue" in blocked.message
    assert "/25" in blocked.message
    assert at("subnet", "private", "a") not in {c.address for c in live.plan.changes}
    with pytest.raises(SafetyError):
        apply(spec, sessions, allow_destroy=True)
    assert (
        net_outsider.tagged("app-dev", "subnets", "Subnets", at("subnet", "private", "a"))["CidrBlock"]
        == (subnet["CidrBlock"])
    )


def test_an_interface_that_appears_between_plan_and_apply_stops_that_subnets_deletion(
    sessions: Sessions, apply: Any, run_plan: Any, net_outsider: Any
) -> None:
    """Checked again right before the deletion: that subnet stays, named with what runs in it; the rest of the
    plan is made, and the next plan still shows it."""
    assert not apply(light_spec([{**ONE, "subnets": [PUBLIC, PRIVATE]}]), sessions).failed
    spec = light_spec([{**ONE, "subnets": [PRIVATE]}])
    live, ctx = plan_live(spec, sessions)
    subnet = net_outsider.tagged("app-dev", "subnets", "Subnets", at("subnet", "public", "a"))
    eni = net_outsider.ec2("app-dev").create_network_interface(SubnetId=subnet["SubnetId"], Description="a lambda")
    with pytest.raises(AwsError) as failed:
        run_plan(live.plan, ctx, allow_destroy=True)
    assert f"{at('subnet', 'public', 'a')} (app-dev / us-east-1)" in failed.value.message
    assert eni["NetworkInterface"]["NetworkInterfaceId"] in failed.value.message
    assert net_outsider.tagged("app-dev", "subnets", "Subnets", at("subnet", "public", "a"))["SubnetId"]
    assert at("subnet", "public", "b") not in _subnets(net_outsider)
    again, _ = plan_live(spec, sessions)
    (blocked,) = again.plan.blocked
    assert blocked.address == at("subnet", "public", "a") and "a lambda" in blocked.message
