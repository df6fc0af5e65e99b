"""`with_live_network`: the plan's allocation of custom VPC blocks against what the readers saw (pure: no AWS)."""

from __future__ import annotations

from ipaddress import ip_network

from variants import default_spec, network_spec

from bootstrap.desired import desired_state
from bootstrap.names import vpc_address
from bootstrap.observed import ObservedResource, ObservedState
from bootstrap.types.ec2_common import VPC_CIDRS
from bootstrap.types.ec2_vpc import VPC
from bootstrap.workflow import with_live_network


def _cidr(desired: object, *parts: str) -> str:
    return str(desired.by_address[vpc_address(*parts)].properties["CidrBlock"])  # type: ignore[attr-defined]


def test_live_blocks_are_kept_and_new_vpcs_avoid_every_block_seen() -> None:
    spec = network_spec(default_spec())
    rendered = desired_state(spec)
    assert _cidr(rendered, "main", "app-prod", "us-east-1") == "10.0.0.0/20"
    assert _cidr(rendered, "main", "app-dev", "us-east-1") == "10.0.16.0/20"
    prod = vpc_address("main", "app-prod", "us-east-1")
    observed = ObservedState(
        resources={prod: ObservedResource(prod, VPC, "vpc-ours", {"CidrBlock": "10.0.64.0/20"}, owned=True)},
        facts={
            VPC_CIDRS: [
                {"VpcId": "vpc-ours", "CidrBlock": "10.0.64.0/20"},
                {"VpcId": "vpc-theirs", "CidrBlock": "10.0.0.0/19"},
                {"VpcId": "vpc-default", "CidrBlock": "172.31.0.0/16"},
            ]
        },
    )
    live = with_live_network(spec, rendered, observed)
    assert _cidr(live, "main", "app-prod", "us-east-1") == "10.0.64.0/20"  # kept
    assert _cidr(live, "main", "app-dev", "us-east-1") == "10.0.32.0/20"  # lowest free, past someone else's /19
    subnet = ip_network(_cidr(live, "main", "app-prod", "us-east-1", "subnet", "public", "a"))
    assert subnet.subnet_of(ip_network("10.0.64.0/20"))  # type: ignore[arg-type]  # its subnets follow it
    assert {r.address for r in live.resources} == {r.address for r in rendered.resources}


def test_with_no_vpc_in_any_account_the_desired_state_is_left_as_it_is() -> None:
    spec = default_spec()  # its workloads VPC targets the Workloads OU, which holds no account
    desired = desired_state(spec)
    assert with_live_network(spec, desired, ObservedState()) is desired
