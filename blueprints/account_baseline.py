"""The account baseline blueprint: settings every account of the organization gets, whatever its layer.

Today one: S3 Block Public Access at the account level, all four flags, in the management account and in
every member account the spec declares. It covers every bucket and access point an account will ever have,
where a bucket's own block covers that bucket only (and the guardrail `deny-s3-public-access-changes`
keeps anyone but the toolkit and break-glass roles from turning it off in member accounts).

CloudFormation has no resource for it, so the blueprint's template stays empty (nothing to render) and
its resources are of the toolkit's own type `Bootstrap::S3::AccountPublicAccessBlock`, read and written
through the S3 Control API (`get_public_access_block` / `put_public_access_block` with the `AccountId`).
A resource in a member account waits for that account to be created.
"""

from __future__ import annotations

from troposphere import Template

from blueprints.binding import account_id_value, engine_dependencies
from blueprints.common import Blueprint
from bootstrap.names import logical_id, public_access_block_address
from bootstrap.resources import Location, Resource
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec

NAME = "account-baseline"
ACCOUNT_PUBLIC_ACCESS_BLOCK = "Bootstrap::S3::AccountPublicAccessBlock"
PUBLIC_ACCESS_BLOCK_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
"""The four settings of S3 Block Public Access, named as the S3 Control API and CloudFormation name them."""


def accounts(spec: LandingZoneSpec) -> list[str]:
    """Every account the baseline applies to: the management account, then the spec's accounts in order."""
    return [MANAGEMENT, *(a.name for a in spec.accounts)]


def build(spec: LandingZoneSpec) -> Blueprint:
    template = Template(
        Description=f"Landing zone '{spec.organization.name}': the account baseline (S3 Block Public Access "
        "in every account). Not expressible in CloudFormation: applied by the toolkit itself.",
    )
    bp = Blueprint(NAME, template)
    for account in accounts(spec):
        location = Location(account, spec.organization.home_region)
        bp.add_native(
            Resource(
                address=public_access_block_address(account),
                logical_id=logical_id("S3AccountPublicAccessBlock", account),
                type=ACCOUNT_PUBLIC_ACCESS_BLOCK,
                location=location,
                properties={
                    "AccountId": account_id_value(spec, account),
                    **dict.fromkeys(PUBLIC_ACCESS_BLOCK_FLAGS, True),
                },
                depends_on=engine_dependencies(location),
            )
        )
    return bp
