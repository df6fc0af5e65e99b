"""The live side of the CIDR plan: what the readers saw of the custom VPCs and their subnets, as the allocation
takes it (`bootstrap.spec.network_plan.allocate`). Pure: it reads only the observed state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bootstrap.names import vpc_address
from bootstrap.observed import ObservedState
from bootstrap.spec.network_plan import VpcInstance
from bootstrap.spec.network_subnets import LiveSubnet
from bootstrap.types.ec2_common import SUBNET_CIDRS, VPC_CIDRS

VpcKey = tuple[str, str, str]


@dataclass
class LiveNetwork:
    """`allocate`'s live arguments."""

    live: dict[VpcKey, str] = field(default_factory=dict)
    """(VPC name, account, region) -> the block of the spec's VPC that exists there."""
    taken: list[str] = field(default_factory=list)
    """Every other VPC block seen in the organization, the toolkit's or not."""
    subnets: dict[VpcKey, list[LiveSubnet]] = field(default_factory=dict)
    """The live subnets of each of the spec's VPCs that exists."""


def live_network(rendered: Sequence[VpcInstance], observed: ObservedState) -> LiveNetwork:
    """What the readers saw, for the VPC instances of the spec (`rendered`: their keys are what matters)."""
    result = LiveNetwork()
    ours: dict[str, VpcKey] = {}
    for vpc in rendered:
        found = observed.resources.get(vpc_address(*vpc.key))
        if found is not None and found.physical_id and found.properties.get("CidrBlock"):
            result.live[vpc.key] = str(found.properties["CidrBlock"])
            ours[found.physical_id] = vpc.key
    result.taken = [str(f["CidrBlock"]) for f in observed.facts.get(VPC_CIDRS, []) if f["VpcId"] not in ours]
    for fact in observed.facts.get(SUBNET_CIDRS, []):
        key = ours.get(str(fact["VpcId"]))
        if key is not None:
            result.subnets.setdefault(key, []).append(_subnet(key, fact))
    for subnets in result.subnets.values():
        subnets.sort(key=lambda s: s.cidr)  # facts arrive in the readers' order; the plan must not depend on it
    return result


def _subnet(key: VpcKey, fact: dict[str, object]) -> LiveSubnet:
    """A live subnet, with the spec's tier and zone of the address it carries (under its own VPC's address)."""
    _, _, region = key
    prefix = vpc_address(*key, "subnet") + "/"
    address = str(fact.get("Address") or "")
    tier, _, letter = address.removeprefix(prefix).partition("/")
    at = address.startswith(prefix) and bool(tier) and len(letter) == 1
    return LiveSubnet(
        str(fact["CidrBlock"]),
        tier if at else None,
        f"{region}{letter}" if at else None,
        freeable=bool(fact.get("Freeable")),
    )
