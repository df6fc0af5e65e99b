"""What `runbooks/network.md` shows: the default-VPC removal and EBS encryption scope, and for each custom VPC its
CIDR table (the allocation an empty organization would get: `render` reads no live state) and a Mermaid diagram
of its shape (VPC -> availability zones -> subnets per tier, with the internet gateway, NAT gateways and gateway
endpoints), drawn for the VPC's first account-region.
"""

from __future__ import annotations

from typing import Any

from bootstrap.render.mermaid import NodeIds, label
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec
from bootstrap.spec.network_model import VpcSpec
from bootstrap.spec.network_plan import VpcInstance, allocate, vpc_targets
from bootstrap.spec.network_zones import zone_names

ENDPOINT_NAMES = {"s3": "S3", "dynamodb": "DynamoDB"}
NAT_WORDS = {"none": "none", "one": "one, in the first zone", "per_az": "one per zone"}


def network_facts(spec: LandingZoneSpec) -> dict[str, Any]:
    """The `network` context of the runbook templates."""
    network = spec.network
    instances = allocate(spec)
    by_vpc: dict[str, list[VpcInstance]] = {}
    for instance in instances:
        by_vpc.setdefault(instance.spec.name, []).append(instance)
    attached = set(spec.organization.root_guardrails) | {g for ou in spec.organizational_units for g in ou.guardrails}
    removal = network.remove_default_vpcs
    return {
        "spec": network,
        "accounts": [MANAGEMENT, *(a.name for a in spec.accounts)],
        "removal_accounts": [
            name for name in [MANAGEMENT, *(a.name for a in spec.accounts)] if name not in removal.except_accounts
        ],
        "removal_regions": None if removal.regions == "enabled" else list(removal.regions),
        "default_vpc_guardrail": "deny-default-vpc-creation" in attached,
        "ebs_guardrail": "deny-disable-ebs-encryption" in attached,
        "vpcs": [_vpc_facts(spec, vpc, by_vpc.get(vpc.name, [])) for vpc in network.vpcs],
    }


def _vpc_facts(spec: LandingZoneSpec, vpc: VpcSpec, instances: list[VpcInstance]) -> dict[str, Any]:
    targets = vpc_targets(spec, vpc)
    return {
        "spec": vpc,
        "regions": vpc.regions or [spec.organization.home_region],
        "targets": targets,
        "instances": [
            {
                "account": i.account,
                "region": i.region,
                "cidr": i.cidr,
                "subnets": "<br>".join(f"{s.tier} {s.zone[len(i.region) :]} `{s.cidr}`" for s in i.subnets),
            }
            for i in instances
        ],
        "tiers": ", ".join(f"{t.tier} /{t.size}" for t in vpc.subnets),
        "nat": NAT_WORDS[vpc.nat_gateways],
        "routing": _routing(vpc),
        "internet_gateway": _has_gateway(vpc),
        "endpoints": ", ".join(ENDPOINT_NAMES[e] for e in vpc.gateway_endpoints) or "none",
        "diagram": vpc_diagram(vpc, instances[0] if instances else None, spec.organization.home_region),
    }


def _routing(vpc: VpcSpec) -> str:
    """Where each tier's route table sends traffic that leaves the VPC, in one sentence."""
    endpoints = bool(vpc.gateway_endpoints)
    also = " and to the gateway endpoints" if endpoints else ""
    closed = "route only to the gateway endpoints" if endpoints else "have no route out of the VPC"
    nat = {"none": "", "one": "the NAT gateway of the first zone", "per_az": "the NAT gateway of their own zone"}
    words = {
        "public": f"public subnets route to the internet gateway{also}",
        "private": f"private subnets route to {nat[vpc.nat_gateways]}{also}"
        if vpc.nat_gateways != "none"
        else f"private subnets {closed} (no NAT gateway)",
        "isolated": f"isolated subnets {closed}",
    }
    sentence = "; ".join(words[t.tier] for t in vpc.subnets)
    return sentence[:1].upper() + sentence[1:] + "."


def _has_gateway(vpc: VpcSpec) -> bool:
    public = any(t.tier == "public" for t in vpc.subnets)
    return public if vpc.internet_gateway is None else vpc.internet_gateway


def vpc_diagram(vpc: VpcSpec, example: VpcInstance | None, home_region: str) -> str:
    """A flowchart of the VPC's shape, with the blocks of `example` (or only the sizes when it has no account)."""
    ids = NodeIds()
    region = example.region if example else (vpc.regions or [home_region])[0]
    zones = example.zones if example else zone_names(region, vpc.availability_zones)
    cidrs = {(s.tier, s.zone): s.cidr for s in example.subnets} if example else {}
    where = f"{example.account} / {example.region}" if example else f"{region}, no account yet"
    block = example.cidr if example else f"/{vpc.cidr.split('/')[1] if vpc.cidr else vpc.size}"
    lines = ["flowchart TB"]
    internet = ids.new("Internet", "")
    vpc_id = ids.new("Vpc", vpc.name)
    if _has_gateway(vpc):
        lines.append(f"    {internet}(({label('Internet')}))")
    lines.append(f"    subgraph {vpc_id}[{label(f'VPC {vpc.name} {block}', where)}]")
    lines.append("        direction TB")
    gateway = ids.new("Igw", vpc.name) if _has_gateway(vpc) else None
    if gateway:
        lines.append(f"        {gateway}[{label('Internet gateway')}]")
    endpoints = [(ids.new("Endpoint", e), ENDPOINT_NAMES[e]) for e in vpc.gateway_endpoints]
    for node, name in endpoints:
        lines.append(f"        {node}[{label(f'Gateway endpoint {name}')}]")
    edges: list[str] = []
    subnet_ids: dict[tuple[str, str], str] = {}
    nat_ids: dict[str, str] = {}
    for index, zone in enumerate(zones):
        zone_id = ids.new("Zone", zone)
        lines.append(f"        subgraph {zone_id}[{label(zone)}]")
        for tier in vpc.subnets:
            node = ids.new("Subnet", f"{tier.tier} {zone}")
            subnet_ids[(tier.tier, zone)] = node
            lines.append(
                f"            {node}[{label(f'{tier.tier} subnet', cidrs.get((tier.tier, zone), f'/{tier.size}'))}]"
            )
        public = ("public", zone) in subnet_ids
        if public and (vpc.nat_gateways == "per_az" or (vpc.nat_gateways == "one" and index == 0)):
            nat_ids[zone] = ids.new("Nat", zone)
            lines.append(f"            {nat_ids[zone]}[{label('NAT gateway')}]")
            edges.append(f"    {nat_ids[zone]} --- {subnet_ids[('public', zone)]}")
        lines.append("        end")
    lines.append("    end")
    if gateway:
        edges.insert(0, f"    {internet} <--> {gateway}")
        edges += [f"    {subnet_ids[('public', z)]} --> {gateway}" for z in zones if ("public", z) in subnet_ids]
    for zone in zones:
        nat = nat_ids.get(zone) or next(iter(nat_ids.values()), None)
        if nat and ("private", zone) in subnet_ids:
            edges.append(f"    {subnet_ids[('private', zone)]} --> {nat}")
    for node, _ in endpoints:
        edges += [f"    {subnet_ids[key]} -.-> {node}" for key in subnet_ids if key[0] != "public"]
    return "\n".join(lines + edges) + "\n"
