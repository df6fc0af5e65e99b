"""The rules of the spec's `network` section that need more than one field, all checked by `validate` without an
AWS call: address blocks AWS or the organization's plan would refuse, VPC shapes that cannot be built, targets the
spec does not have, and a pool too small for every VPC (`network_problems`); and what is valid but worth a second
look (`network_warnings`).
"""

from __future__ import annotations

import difflib
import ipaddress

from bootstrap.spec.log_archive import logging_enabled
from bootstrap.spec.logging_model import LOG_GROUP_RETENTION_DAYS
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec
from bootstrap.spec.network_blocks import AllocationError
from bootstrap.spec.network_model import MAX_PREFIX, MIN_PREFIX, VpcSpec
from bootstrap.spec.network_plan import allocate, vpc_targets
from bootstrap.spec.network_subnets import tier_need
from bootstrap.spec.network_zones import ZONE_LETTERS, zone_count

Problem = tuple[tuple[str | int, ...], str, str]
"""(field path, message, fix), turned into `checks.Problem` by `check_spec`."""

Loc = tuple[str | int, ...]

PRIVATE_RANGES = tuple(
    ipaddress.IPv4Network(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
)
"""RFC 1918 and the shared address space (RFC 6598) custom VPCs may use."""
RANGES_TEXT = "10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (RFC 1918), or 100.64.0.0/10"


def parse_block(text: str) -> tuple[ipaddress.IPv4Network | None, str | None]:
    """The IPv4 block `text` names, or why it is not one the network section accepts."""
    try:
        block = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None, f"'{text}' is not an IPv4 block in CIDR notation"
    if not isinstance(block, ipaddress.IPv4Network) or "/" not in text:
        return None, f"'{text}' is not an IPv4 block in CIDR notation"
    if str(block) != text:
        return None, f"'{text}' has address bits set past its prefix length: the block is {block}"
    if not any(block.subnet_of(allowed) for allowed in PRIVATE_RANGES):
        return None, f"{text} is not private address space: the network section takes {RANGES_TEXT}"
    return block, None


def _did_you_mean(value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1)
    return f"Did you mean '{close[0]}'? " if close else ""


def network_problems(spec: LandingZoneSpec) -> list[Problem]:
    network = spec.network
    problems: list[Problem] = []
    names = [a.name for a in spec.accounts]
    for j, name in enumerate(network.remove_default_vpcs.except_accounts):
        if name != MANAGEMENT and name not in names:
            problems.append(
                (
                    ("network", "remove_default_vpcs", "except_accounts", j),
                    f"account '{name}' is not in accounts",
                    f"{_did_you_mean(name, [MANAGEMENT, *names])}Name an account listed under `accounts`, or "
                    "'management'.",
                )
            )
    pool, why = parse_block(network.ip_pool)
    if why is not None:
        problems.append((("network", "ip_pool"), why, f"Set network.ip_pool to a block of {RANGES_TEXT}."))
    seen: dict[str, int] = {}
    for i, vpc in enumerate(network.vpcs):
        first = seen.setdefault(vpc.name, i)
        if first != i:
            problems.append(
                (
                    ("network", "vpcs", i, "name"),
                    f"network.vpcs lists a VPC named {vpc.name} twice (also network.vpcs[{first}])",
                    "Give each VPC its own name: the name identifies it in every account.",
                )
            )
        problems.extend(_vpc_problems(spec, i, vpc))
    problems.extend(_overlapping_cidrs(spec))
    if problems or pool is None:
        return problems
    try:
        allocate(spec)
    except AllocationError as err:
        problems.append((err.loc, str(err), err.fix))
    return problems


def _vpc_problems(spec: LandingZoneSpec, i: int, vpc: VpcSpec) -> list[Problem]:
    at: Loc = ("network", "vpcs", i)
    problems: list[Problem] = []
    problems.extend(_target_problems(spec, at, vpc))
    prefix = vpc.size
    if vpc.cidr is not None:
        block, why = parse_block(vpc.cidr)
        targets = vpc_targets(spec, vpc)
        if why is not None:
            problems.append(((*at, "cidr"), why, f"Write a block of {RANGES_TEXT}, for example 10.20.0.0/20."))
        elif block is not None and not MIN_PREFIX <= block.prefixlen <= MAX_PREFIX:
            problems.append(
                (
                    (*at, "cidr"),
                    f"{vpc.cidr} is a /{block.prefixlen}; AWS accepts VPC blocks from /{MIN_PREFIX} to /{MAX_PREFIX}",
                    f"Use a block of /{MIN_PREFIX} (65,536 addresses) to /{MAX_PREFIX} (16 addresses).",
                )
            )
        elif block is not None:
            prefix = block.prefixlen
        if len(targets) > 1:
            shown = ", ".join(f"{account} / {region}" for account, region in targets[:4])
            more = f" and {len(targets) - 4} more" if len(targets) > 4 else ""
            problems.append(
                (
                    (*at, "cidr"),
                    f"an explicit cidr is one block, but VPC {vpc.name} lands in {len(targets)} account-regions "
                    f"({shown}{more})",
                    "Remove `cidr` to give each account-region its own block from network.ip_pool (set `size`), or "
                    "narrow the VPC to one account and one region.",
                )
            )
    problems.extend(_shape_problems(spec, at, vpc, prefix))
    retention = vpc.flow_logs.retention_days
    if retention not in LOG_GROUP_RETENTION_DAYS:
        close = min(LOG_GROUP_RETENTION_DAYS, key=lambda days: (abs(days - retention), days))
        problems.append(
            (
                (*at, "flow_logs", "retention_days"),
                f"{retention} is not a retention CloudWatch Logs accepts (the nearest is {close})",
                f"Use one of {', '.join(str(d) for d in LOG_GROUP_RETENTION_DAYS)}.",
            )
        )
    if vpc.flow_logs.destination == "s3" and not logging_enabled(spec) and vpc_targets(spec, vpc):
        why_off = (
            "logging.enabled is false"
            if not spec.logging.enabled
            else f"no account named {spec.logging.account} is in accounts"
        )
        problems.append(
            (
                (*at, "flow_logs", "destination"),
                f"flow logs to s3 go to the log archive bucket, and this spec builds no logging layer ({why_off})",
                "Set flow_logs.destination: cloudwatch (a log group in each VPC's account), or build the logging "
                "layer (a log-archive account and logging.enabled: true).",
            )
        )
    return problems


def _target_problems(spec: LandingZoneSpec, at: Loc, vpc: VpcSpec) -> list[Problem]:
    problems: list[Problem] = []
    known_ous = spec.all_ou_paths()
    for j, ou in enumerate(vpc.ous):
        if ou not in known_ous:
            problems.append(
                (
                    (*at, "ous", j),
                    f"OU '{ou}' is not listed in organizational_units",
                    f"{_did_you_mean(ou, known_ous)}Use one of: {', '.join(known_ous)}.",
                )
            )
    names = [MANAGEMENT, *(a.name for a in spec.accounts)]
    for j, name in enumerate(vpc.accounts):
        if name not in names:
            problems.append(
                (
                    (*at, "accounts", j),
                    f"account '{name}' is not in accounts",
                    f"{_did_you_mean(name, names)}Name an account listed under `accounts`, or 'management'.",
                )
            )
    allowed = spec.organization.allowed_regions
    for j, region in enumerate(vpc.regions):
        if region in vpc.regions[:j]:
            problems.append(((*at, "regions", j), f"regions lists {region} twice", "Remove the second entry."))
        elif region not in allowed:
            problems.append(
                (
                    (*at, "regions", j),
                    f"{region} is not in organization.allowed_regions, where the region guardrail denies the VPC",
                    f"Add {region} to organization.allowed_regions, or use one of: {', '.join(allowed)}.",
                )
            )
    return problems


def _shape_problems(spec: LandingZoneSpec, at: Loc, vpc: VpcSpec, prefix: int) -> list[Problem]:
    problems: list[Problem] = []
    for region in dict.fromkeys(vpc.regions or [spec.organization.home_region]):
        if region in ZONE_LETTERS and zone_count(region) < vpc.availability_zones:
            problems.append(
                (
                    (*at, "availability_zones"),
                    f"{region} has {zone_count(region)} availability zones; the VPC asks for {vpc.availability_zones}",
                    f"Set availability_zones: {zone_count(region)}, or leave {region} out of the VPC's regions.",
                )
            )
    tiers = [tier.tier for tier in vpc.subnets]
    for j, tier in enumerate(vpc.subnets):
        if tier.tier in tiers[:j]:
            problems.append(
                (
                    (*at, "subnets", j, "tier"),
                    f"subnets lists the {tier.tier} tier twice",
                    "Keep one entry per tier; its size sets the size of each of its subnets.",
                )
            )
        elif tier.size < prefix:
            problems.append(
                (
                    (*at, "subnets", j, "size"),
                    f"a /{tier.size} subnet is larger than its /{prefix} VPC",
                    f"Use a subnet size of /{prefix} or more (a larger number is a smaller block).",
                )
            )
    capacity = 2 ** (32 - prefix)
    if not problems and tier_need(vpc) > capacity:
        parts = " + ".join(f"{vpc.availability_zones} x /{t.size} ({t.tier})" for t in vpc.subnets)
        problems.append(
            (
                (*at, "subnets"),
                f"the subnet tiers need {parts} = {tier_need(vpc):,} addresses; the /{prefix} VPC holds {capacity:,}",
                "Make the subnets smaller (a larger `size` on the tiers), or the VPC larger (a smaller `size`).",
            )
        )
    public = "public" in tiers
    gateway = public if vpc.internet_gateway is None else vpc.internet_gateway
    if public and not gateway:
        problems.append(
            (
                (*at, "internet_gateway"),
                "a public tier with internet_gateway: false has no route to the internet",
                "Remove internet_gateway (a public tier gets one), or make the tier private or isolated.",
            )
        )
    if vpc.nat_gateways != "none" and not public:
        problems.append(
            (
                (*at, "nat_gateways"),
                f"nat_gateways: {vpc.nat_gateways}, but a NAT gateway sits in a public subnet and the VPC has no "
                "public tier",
                "Add a public tier to subnets (for example {tier: public, size: 26}), or set nat_gateways: none.",
            )
        )
    return problems


def _overlapping_cidrs(spec: LandingZoneSpec) -> list[Problem]:
    """Explicit blocks that overlap, each pair named once (a sweep over the blocks sorted by address)."""
    blocks: list[tuple[int, int, int, str]] = []
    for i, vpc in enumerate(spec.network.vpcs):
        if vpc.cidr is not None:
            block = parse_block(vpc.cidr)[0]
            if block is not None:
                blocks.append((int(block.network_address), int(block.broadcast_address), i, vpc.name))
    problems: list[Problem] = []
    widest: tuple[int, int, int, str] | None = None
    for start, end, i, name in sorted(blocks):
        if widest is not None and start <= widest[1]:
            other = spec.network.vpcs[widest[2]]
            problems.append(
                (
                    ("network", "vpcs", i, "cidr"),
                    f"VPC {name}'s cidr {spec.network.vpcs[i].cidr} overlaps VPC {other.name}'s cidr {other.cidr} "
                    f"(network.vpcs[{widest[2]}])",
                    "Give the VPCs blocks that do not overlap, so they can be peered or joined to a transit "
                    "gateway later; or remove `cidr` to allocate from network.ip_pool.",
                )
            )
        if widest is None or end > widest[1]:
            widest = (start, end, i, name)
    return problems


def network_warnings(spec: LandingZoneSpec) -> list[str]:
    """Valid but worth a second look; `bootstrap validate` prints these."""
    found: list[str] = []
    for i, vpc in enumerate(spec.network.vpcs):
        if not vpc_targets(spec, vpc):
            where = ", ".join([*vpc.ous, *vpc.accounts]) or "no OU or account"
            found.append(
                f"network.vpcs[{i}] ({vpc.name}) lands in no account yet ({where}): it is built in each account "
                "added to its targets later."
            )
            if vpc.flow_logs.destination == "s3" and not logging_enabled(spec):
                found.append(
                    f"network.vpcs[{i}] ({vpc.name}) sends flow logs to s3, the log archive, which this spec does "
                    "not build: validate refuses it once an account lands in the VPC. Set flow_logs.destination: "
                    "cloudwatch, or build the logging layer."
                )
        if vpc.flow_logs.destination == "none":
            found.append(
                f"network.vpcs[{i}] ({vpc.name}) has no flow logs (flow_logs.destination: none): its traffic is not "
                "recorded, which fails CIS 3.7."
            )
    return found


def unplaced_vpcs(spec: LandingZoneSpec) -> list[str]:
    """What `init` says of each VPC that lands in no account yet (the default spec's Workloads VPC, until an
    account is put in that OU): a new user otherwise finds no custom VPC after the first apply."""
    notes = []
    for vpc in spec.network.vpcs:
        if vpc_targets(spec, vpc) or not vpc.ous:
            continue
        under = [p for p in spec.all_ou_paths() if any(p == o or p.startswith(o + "/") for o in vpc.ous)]
        ou = min(under, key=lambda p: (-p.count("/"), "NonProd" not in p, p)) if under else vpc.ous[0]
        notes.append(
            f"the VPC {vpc.name} is built in every account of {', '.join(vpc.ous)}, which holds none yet: add a "
            f"workload account to accounts: (e.g. name app-dev, ou {ou}) and the next apply builds it there."
        )
    return notes
