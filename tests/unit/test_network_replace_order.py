"""The planner on subnets that must go (pure: a hand-built observed state): a replaced subnet renews what refers to
it in the same plan, and a subnet deleted to free a range runs before the subnet that needs the range."""

from __future__ import annotations

from rich.console import Console
from variants import default_spec, network_spec

from bootstrap.changes import Action
from bootstrap.desired import desired_state
from bootstrap.names import vpc_address
from bootstrap.observed import ObservedResource, ObservedState
from bootstrap.plan.diff import make_plan
from bootstrap.plan.refs import UNKNOWN
from bootstrap.plan.render import print_plan
from bootstrap.resources import ADDRESS_TAG_PROPERTY, Location

TIERS = [{"tier": "public", "size": 24}, {"tier": "private", "size": 24}]
VPC = {
    "name": "main",
    "accounts": ["app-dev"],
    "subnets": TIERS,
    "nat_gateways": "one",
    "gateway_endpoints": [],
    "flow_logs": {"destination": "none"},
}
HERE = Location("app-dev", "us-east-1")


def at(*parts: str) -> str:
    return vpc_address("main", "app-dev", "us-east-1", *parts)


def _live(address: str, type_: str, physical_id: str, **props: object) -> ObservedResource:
    """An owned object as the EC2 readers report it: tagged types with their address tag, an Elastic IP with its
    allocation id (what `Fn::GetAtt` of it resolves to)."""
    tagged = {ADDRESS_TAG_PROPERTY: address} if type_ != "AWS::EC2::SubnetRouteTableAssociation" else {}
    attributes = {"AllocationId": physical_id} if type_ == "AWS::EC2::EIP" else {}
    return ObservedResource(address, type_, physical_id, {**props, **tagged}, owned=True, attributes=attributes)


def _observed() -> ObservedState:
    """The VPC with its public subnet in zone a a /25 (the spec now says /24), its association and NAT gateway, and
    a subnet of a dropped tier holding the range the resized subnet's new block needs."""
    subnet = {"VpcId": "vpc-1", "AvailabilityZone": "us-east-1a", "MapPublicIpOnLaunch": False}
    resources = [
        _live(at(), "AWS::EC2::VPC", "vpc-1", CidrBlock="10.0.0.0/20", EnableDnsSupport=True, EnableDnsHostnames=True),
        _live(at("subnet", "public", "a"), "AWS::EC2::Subnet", "subnet-pa", CidrBlock="10.0.0.0/25", **subnet),
        _live(
            at("route-table-association", "public", "a"),
            "AWS::EC2::SubnetRouteTableAssociation",
            "rtbassoc-pa",
            SubnetId="subnet-pa",
            RouteTableId="rtb-public",
        ),
        _live(at("route-table", "public"), "AWS::EC2::RouteTable", "rtb-public", VpcId="vpc-1", OtherRoutes=None),
        _live(at("nat-gateway", "a"), "AWS::EC2::NatGateway", "nat-a", SubnetId="subnet-pa", AllocationId="eipalloc-a"),
        _live(at("eip", "a"), "AWS::EC2::EIP", "eipalloc-a", Domain="vpc"),
    ]
    dropped = ObservedResource(
        at("subnet", "isolated", "a"),
        "AWS::EC2::Subnet",
        "subnet-ia",
        {"VpcId": "vpc-1", "CidrBlock": "10.0.0.128/25", "AvailabilityZone": "us-east-1a"},
        owned=True,
        location=HERE,
    )
    return ObservedState(resources={r.address: r for r in resources}, orphans={dropped.address: dropped})


def test_a_replaced_subnet_renews_its_dependents_after_the_range_is_freed() -> None:
    desired = desired_state(network_spec(default_spec(), [VPC]))
    assert desired.by_address[at("subnet", "public", "a")].properties["CidrBlock"] == "10.0.0.0/24"
    plan = make_plan(desired, _observed())
    changes = {c.address: c for c in plan.changes if c.address.startswith(at())}
    subnet = changes[at("subnet", "public", "a")]
    assert subnet.action is Action.REPLACE
    assert [(d.name, d.before, d.after) for d in subnet.diffs] == [("CidrBlock", "10.0.0.0/25", "10.0.0.0/24")]
    dropped = changes[at("subnet", "isolated", "a")]
    assert dropped.action is Action.DELETE and dropped.depends_on == ()  # it frees 10.0.0.128/25: it goes first
    assert "frees 10.0.0.128/25 in us-east-1a" in dropped.reason
    assert at("subnet", "isolated", "a") in subnet.depends_on
    association = changes[at("route-table-association", "public", "a")]
    assert association.action is Action.REPLACE and at("subnet", "public", "a") in association.depends_on
    assert ("SubnetId", "subnet-pa", UNKNOWN) in [(d.name, d.before, d.after) for d in association.diffs]
    nat = changes[at("nat-gateway", "a")]
    assert nat.action is Action.REPLACE and at("subnet", "public", "a") in nat.depends_on
    route = changes[at("route", "private", "default")]  # to the NAT gateway: made after it, with its new id
    assert route.action is Action.CREATE and at("nat-gateway", "a") in route.depends_on
    assert at("eip", "a") not in changes  # the replaced NAT gateway keeps its Elastic IP
    order = [c.address for c in plan.changes]
    assert order.index(at("subnet", "isolated", "a")) < order.index(at("subnet", "public", "a"))
    assert order.index(at("subnet", "public", "a")) < order.index(at("nat-gateway", "a"))


def test_without_a_replacement_nothing_refers_to_an_unknown_id() -> None:
    desired = desired_state(network_spec(default_spec(), [VPC]))
    observed = _observed()
    kept = observed.resources[at("subnet", "public", "a")]
    observed.resources[kept.address] = ObservedResource(
        kept.address, kept.type, kept.physical_id, {**kept.properties, "CidrBlock": "10.0.0.0/24"}, owned=True
    )
    del observed.orphans[at("subnet", "isolated", "a")]
    plan = make_plan(desired, observed)
    touched = {c.address: c.action for c in plan.changes if c.address.startswith(at())}
    for address in ("subnet/public/a", "route-table-association/public/a", "nat-gateway/a", "eip/a"):
        assert at(*address.split("/")) not in touched, touched


def test_the_printed_plan_shows_each_subnets_blocks() -> None:
    """A reviewer sees the block each new subnet gets, the old and new block of a replaced one, and what a deleted
    one frees."""
    plan = make_plan(desired_state(network_spec(default_spec(), [VPC])), _observed())
    console = Console(record=True, width=200)
    print_plan(plan, console, allow_destroy=True)
    printed = console.export_text()
    assert "CidrBlock: 10.0.0.0/25 → 10.0.0.0/24" in printed
    assert "frees 10.0.0.128/25 in us-east-1a" in printed
    created = printed[printed.index(at("subnet", "private", "b")) :].splitlines()
    assert created[1].split() == ["CidrBlock:", "(none)", "→", "10.0.3.0/24"]
