"""The network baseline blueprint: what the network layer sets in every account whatever its VPCs.

- **Default VPCs absent** (`network.remove_default_vpcs`): one `Bootstrap::EC2::DefaultVpcAbsent` per account
  (the management account and the spec's accounts, minus `except_accounts`) and candidate region: the regions
  listed, or with `regions: enabled` every region of the commercial partition, from botocore's region data (the
  source the spec's region check uses). Which of them an account has enabled is only known live: the reader
  skips the others and says so. Not only `allowed_regions`: the region guardrail stops new use elsewhere, but a
  default VPC left there is still attack surface, and fails CIS.
- **EBS encryption by default** (`network.ebs_encryption`): one `Bootstrap::EC2::EbsEncryptionByDefault` per
  account and allowed region; with `customer_key`, a KMS key (rotating, administered as every landing zone key
  is, usable only through EBS in its own account and region) and its alias `alias/<org>/ebs` beside each.

CloudFormation has no resource for either setting, and the keys live in every account-region rather than one
stack, so the template stays empty (nothing to render) and every resource is the engine's only (`add_native`).
A resource in a member account waits for that account (and, through the desired state, its bootstrap role).
"""

from __future__ import annotations

from typing import Any

from troposphere import AWS_ACCOUNT_ID, GetAtt, Ref, Template

from blueprints.binding import bind, engine_dependencies, iam_arn, location_bindings
from blueprints.common import Blueprint
from blueprints.keys import key_policy, managed_key
from bootstrap.names import (
    default_vpc_address,
    ebs_alias_address,
    ebs_encryption_address,
    ebs_key_address,
    logical_id,
)
from bootstrap.resources import Location, Resource
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec
from bootstrap.spec.network_model import ENABLED_REGIONS
from bootstrap.spec.values import COMMERCIAL, regions_by_partition

NAME = "network-baseline"
DEFAULT_VPC_ABSENT = "Bootstrap::EC2::DefaultVpcAbsent"
EBS_ENCRYPTION_BY_DEFAULT = "Bootstrap::EC2::EbsEncryptionByDefault"
ABSENT = "absent"
EBS_PURPOSE = "ebs"
EBS_KEY_USE = [
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
]
"""What EBS does with the key on behalf of the account's principals (as the AWS managed `aws/ebs` key allows)."""


def network_baseline_applies(spec: LandingZoneSpec) -> bool:
    network = spec.network
    return network.remove_default_vpcs.enabled or network.ebs_encryption.enabled


def accounts(spec: LandingZoneSpec) -> list[str]:
    """The management account, then the spec's accounts in order."""
    return [MANAGEMENT, *(a.name for a in spec.accounts)]


def default_vpc_regions(spec: LandingZoneSpec) -> list[str]:
    """Where default VPCs are looked for: the regions listed, or every region of the partition."""
    regions = spec.network.remove_default_vpcs.regions
    if regions != ENABLED_REGIONS:
        return list(regions)
    known = regions_by_partition().get(COMMERCIAL)
    if not known:  # no region data at hand: at least every region the spec uses
        return sorted({spec.organization.home_region, *spec.organization.allowed_regions})
    return sorted(known)


def ebs_key_policy(spec: LandingZoneSpec, account: str, region: str) -> dict[str, Any]:
    """Administered as the landing zone's other keys; used only by EBS, for principals of its own account."""
    use = {
        "Sid": "UseThroughEbsInThisAccount",
        "Effect": "Allow",
        "Principal": {"AWS": iam_arn(Ref(AWS_ACCOUNT_ID), "root")},
        "Action": EBS_KEY_USE,
        "Resource": "*",
        "Condition": {
            "StringEquals": {"kms:ViaService": f"ec2.{region}.amazonaws.com", "kms:CallerAccount": Ref(AWS_ACCOUNT_ID)}
        },
    }
    return key_policy(
        spec,
        account=Ref(AWS_ACCOUNT_ID),
        service_statements=[use],
        management=account == MANAGEMENT,
        readers=False,
    )


def _native(obj: Any, *, address: str, location: Location, spec: LandingZoneSpec, protected: bool = False) -> Resource:
    """A troposphere object as an engine-only resource, its account's id and partition bound."""
    resource = Resource.from_troposphere(obj, address=address, location=location, protected=protected)
    return Resource(
        address=resource.address,
        logical_id=resource.logical_id,
        type=resource.type,
        location=location,
        properties=bind(dict(resource.properties), location_bindings(spec, location)),
        depends_on=(*resource.depends_on, *engine_dependencies(location)),
        protected=protected,
    )


def _ebs(bp: Blueprint, spec: LandingZoneSpec, account: str, region: str) -> None:
    location = Location(account, region)
    properties: dict[str, Any] = {"EbsEncryptionByDefault": True}
    if spec.network.ebs_encryption.customer_key:
        key, alias = managed_key(
            spec,
            purpose=EBS_PURPOSE,
            title=logical_id("EbsKey", account, region),
            description=f"Landing zone '{spec.organization.name}': EBS encryption by default in {region}",
            policy=ebs_key_policy(spec, account, region),
            address=ebs_key_address(account, region),
        )
        key_address = ebs_key_address(account, region)
        bp.add_native(_native(key, address=key_address, location=location, spec=spec, protected=True))
        bp.add_native(_native(alias, address=ebs_alias_address(account, region), location=location, spec=spec))
        properties["KmsKeyId"] = GetAtt(key, "Arn").to_dict()
    bp.add_native(
        Resource(
            address=ebs_encryption_address(account, region),
            logical_id=logical_id("EbsEncryptionByDefault", account, region),
            type=EBS_ENCRYPTION_BY_DEFAULT,
            location=location,
            properties=properties,
            depends_on=engine_dependencies(location),
        )
    )


def build(spec: LandingZoneSpec) -> Blueprint:
    template = Template(
        Description=f"Landing zone '{spec.organization.name}': the network baseline (default VPCs removed, EBS "
        "encryption by default). Not expressible in CloudFormation: applied by the toolkit itself.",
    )
    bp = Blueprint(NAME, template)
    network = spec.network
    removal = network.remove_default_vpcs
    if removal.enabled:
        regions = default_vpc_regions(spec)
        for account in accounts(spec):
            if account in removal.except_accounts:
                continue
            for region in regions:
                location = Location(account, region)
                bp.add_native(
                    Resource(
                        address=default_vpc_address(account, region),
                        logical_id=logical_id("DefaultVpcAbsent", account, region),
                        type=DEFAULT_VPC_ABSENT,
                        location=location,
                        properties={"DefaultVpc": ABSENT},
                        depends_on=engine_dependencies(location),
                    )
                )
    if network.ebs_encryption.enabled:
        for account in accounts(spec):
            for region in spec.organization.allowed_regions:
                _ebs(bp, spec, account, region)
    return bp
