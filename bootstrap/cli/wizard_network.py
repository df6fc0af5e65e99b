"""`bootstrap init`'s network questions: default VPCs, EBS encryption by default, and a custom VPC for the
workload accounts (its address pool, size, zones and NAT gateways), asked through the same `Draft` as the rest,
so each answer is checked against the whole spec as it is given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import questionary

from bootstrap.spec.answers import WORKLOADS_OU
from bootstrap.spec.network_checks import RANGES_TEXT, parse_block
from bootstrap.spec.network_zones import zone_count

if TYPE_CHECKING:
    from bootstrap.cli.wizard import Draft


def _pool(text: str) -> str:
    problem = parse_block(text)[1]
    if problem is not None:
        raise ValueError(f"{problem}; use a block of {RANGES_TEXT}")
    return text


NAT_CHOICES = [
    ("none", "none: private subnets reach AWS services through the gateway endpoints only"),
    ("one", "one: a NAT gateway in the first zone (cheaper; that zone is a single point of failure)"),
    ("per_az", "per_az: a NAT gateway in each zone (highly available)"),
]


def ask_network(draft: Draft, home: str, ous: list[str]) -> None:
    """Default VPCs, EBS encryption, and the workload VPC (asked only when there is a Workloads OU)."""
    draft.ask(
        "remove_default_vpcs",
        questionary.confirm("Remove the default VPC in every account and region (recommended)?", default=True),
    )
    draft.ask(
        "ebs_encryption",
        questionary.confirm("Turn on EBS encryption by default in every account and allowed region?", default=True),
    )
    if not any(p == WORKLOADS_OU or p.startswith(WORKLOADS_OU + "/") for p in ous):
        draft.fields["workload_vpc"] = False
        return
    if not draft.ask(
        "workload_vpc",
        questionary.confirm(f"Create a custom VPC in {home} for every account in the {WORKLOADS_OU} OU?", default=True),
    ):
        return
    draft.ask(
        "vpc_ip_pool",
        questionary.text(
            "Address pool the VPCs are allocated from:",
            default="10.0.0.0/8",
            validate=draft.check("vpc_ip_pool", _pool),
        ),
    )
    sizes = [questionary.Choice(f"/{n} ({2 ** (32 - n):,} addresses)", value=n) for n in range(16, 25)]
    draft.ask(
        "vpc_size",
        questionary.select(
            "Size of each account's VPC:",
            choices=sizes,
            default=sizes[20 - 16],
        ),
    )
    zones = min(3, zone_count(home))
    if zones > 2:
        counts = [questionary.Choice(str(n), value=n) for n in (2, 3)]
        draft.ask(
            "vpc_availability_zones",
            questionary.select("Availability zones per VPC:", choices=counts, default=counts[0]),
        )
    nat = [questionary.Choice(label, value=value) for value, label in NAT_CHOICES]
    draft.ask(
        "vpc_nat_gateways",
        questionary.select(
            "NAT gateways (outbound internet for the private subnets):",
            choices=nat,
            default=nat[0],
        ),
    )
