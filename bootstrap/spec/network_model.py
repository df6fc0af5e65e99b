"""The models of the spec's `network` section: default VPCs removed, EBS encryption by default, and custom VPCs
allocated from one address pool.

What the section means for the rest of the toolkit (which account-regions a VPC lands in, the CIDR each gets, the
cross-field rules that need the whole spec) is in `bootstrap.spec.network_plan`; this module needs only the field
types, so `model.py` can import it without a cycle.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from bootstrap.spec.types import Model, OuPath, Region, Slug, value_error

MIN_PREFIX = 16
MAX_PREFIX = 28
"""AWS accepts VPC and subnet blocks from /16 (65,536 addresses) to /28 (16)."""


def _prefix(value: int) -> int:
    if not MIN_PREFIX <= value <= MAX_PREFIX:
        raise value_error(
            f"/{value} is a size AWS refuses: VPC and subnet blocks are /{MIN_PREFIX} (65,536 addresses) to "
            f"/{MAX_PREFIX} (16 addresses)",
            f"Use a prefix length from {MIN_PREFIX} to {MAX_PREFIX} (a larger number is a smaller block).",
        )
    return value


PrefixLength = Annotated[
    int, AfterValidator(_prefix), Field(json_schema_extra={"minimum": MIN_PREFIX, "maximum": MAX_PREFIX})
]

ENABLED_REGIONS: Literal["enabled"] = "enabled"
"""`remove_default_vpcs.regions`: every region enabled in each account (opt-in regions not enabled are skipped)."""


class DefaultVpcRemovalSpec(Model):
    """Default VPCs (public subnets, an open default security group, in every region of every account) removed."""

    enabled: bool = Field(True, description="Remove default VPCs at all.")
    except_accounts: list[Slug] = Field(
        default_factory=list,
        description="Accounts (by name, or 'management') whose default VPCs are left alone.",
    )
    regions: Literal["enabled"] | list[Region] = Field(
        ENABLED_REGIONS,
        description="'enabled': every region enabled in each account, not only allowed_regions (a default VPC "
        "left in a region the region guardrail closes is still attack surface, and fails CIS); or a list.",
    )


class EbsEncryptionSpec(Model):
    """EBS encryption by default in every account and allowed region (the `deny-disable-ebs-encryption`
    guardrail keeps it on)."""

    enabled: bool = Field(True, description="Turn EBS encryption by default on in every account and allowed region.")
    customer_key: bool = Field(
        False,
        description="Encrypt new volumes with a customer managed key of each account (created per account and "
        "region) instead of the AWS managed key aws/ebs.",
    )


GatewayEndpoint = Literal["s3", "dynamodb"]

SubnetTier = Literal["public", "private", "isolated"]
"""public: routed to an internet gateway. private: out through a NAT gateway, if any. isolated: no route out."""


class SubnetTierSpec(Model):
    """One tier of subnets: one subnet of this size in each availability zone of the VPC."""

    tier: SubnetTier
    size: PrefixLength = Field(24, description="Prefix length of each subnet of the tier (/16 to /28).")


class FlowLogsSpec(Model):
    """VPC flow logs, all traffic."""

    destination: Literal["s3", "cloudwatch", "none"] = Field(
        "s3",
        description="s3: the log archive bucket (AWS writes under AWSLogs/<account id>/); cloudwatch: a log "
        "group in the VPC's account; none: no flow logs (fails CIS 3.7).",
    )
    retention_days: int = Field(365, description="Retention of the CloudWatch Logs group (cloudwatch only).")


class VpcSpec(Model):
    """A custom VPC, created in every account-region it targets."""

    name: Slug
    ous: list[OuPath] = Field(
        default_factory=list,
        description="OU paths: every account of the spec in the OU or below it, including accounts added later.",
    )
    accounts: list[Slug] = Field(default_factory=list, description="Account names (or 'management').")
    regions: list[Region] = Field(default_factory=list, description="Regions; default: the home region.")
    size: PrefixLength = Field(20, description="Prefix length of the VPC's block from the pool (/16 to /28).")
    cidr: str | None = Field(
        None, description="An explicit block instead of one from the pool (only for a single account-region)."
    )
    availability_zones: int = Field(2, ge=2, le=3, description="Availability zones the subnets are spread over.")
    subnets: list[SubnetTierSpec] = Field(
        default_factory=lambda: [SubnetTierSpec(tier="private", size=24)],
        min_length=1,
        description="Subnet tiers, each with one subnet per availability zone.",
    )
    nat_gateways: Literal["none", "one", "per_az"] = Field(
        "none", description="NAT gateways for the private tier: none, one in the first zone, or one per zone."
    )
    internet_gateway: bool | None = Field(
        None,
        description="An internet gateway for the public tier; default: when there is a public tier. A public tier "
        "or a NAT gateway needs one.",
    )
    gateway_endpoints: list[GatewayEndpoint] = Field(
        default_factory=lambda: list[GatewayEndpoint](["s3"]),
        description="Gateway endpoints routed from every subnet's route table.",
    )
    flow_logs: FlowLogsSpec = FlowLogsSpec()


class NetworkSpec(Model):
    """The network layer."""

    remove_default_vpcs: DefaultVpcRemovalSpec = DefaultVpcRemovalSpec()
    ebs_encryption: EbsEncryptionSpec = EbsEncryptionSpec()
    ip_pool: str = Field(
        "10.0.0.0/8",
        description="The address space custom VPCs are allocated from (RFC 1918 or 100.64.0.0/10).",
    )
    vpcs: list[VpcSpec] = Field(default_factory=list, description="Custom VPCs.")
