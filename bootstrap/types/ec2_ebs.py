"""EBS encryption by default in one account-region (`Bootstrap::EC2::EbsEncryptionByDefault`): how it is read,
compared, changed, and the IAM actions that takes.

Every new EBS volume (and snapshot copy) of the account-region is then encrypted, with the AWS managed key
`aws/ebs` or, with `network.ebs_encryption.customer_key`, the account-region's own customer managed key (a KMS
key and alias of `bootstrap.types.kms`, made by the network baseline blueprint).

Reading: `GetEbsEncryptionByDefault`, and `GetEbsDefaultKmsKeyId` only where the spec names a customer key (with
the AWS managed key, the toolkit leaves the default key alone: a team may have chosen its own); and the
account-region's one shared VPC listing, swept for the toolkit's VPCs the spec dropped (`ec2_orphans`). A region the
account has not enabled is skipped (`bootstrap.types.ec2_regions`): no volume can exist there, and the next run
after it is enabled turns encryption on.

Changing: `EnableEbsEncryptionByDefault`, and `ModifyEbsDefaultKmsKeyId` for a customer key. The toolkit never
turns encryption by default off, and never deletes the setting (the guardrail `deny-disable-ebs-encryption`
keeps everyone else from doing it in member accounts); turning it off is drift, repaired on the next run.
"""

from __future__ import annotations

from typing import Any

from bootstrap.changes import Change
from bootstrap.errors import SafetyError
from bootstrap.names import EBS_ENCRYPTION_PREFIX
from bootstrap.observed import Finding, ObservedResource
from bootstrap.resources import Resource
from bootstrap.types.base import HandlerContext, Outputs, ReadScope, ResourceType, TypeRule, turned_off
from bootstrap.types.ec2_orphans import SWEEP_READS, orphan_vpcs
from bootstrap.types.ec2_regions import enabled_regions, skipped_regions

EBS_ENCRYPTION_BY_DEFAULT = "Bootstrap::EC2::EbsEncryptionByDefault"
ENABLED = "EbsEncryptionByDefault"
KEY = "KmsKeyId"


def _note_skipped(scope: ReadScope) -> None:
    skipped = skipped_regions(scope, EBS_ENCRYPTION_BY_DEFAULT)
    scope.findings.append(
        Finding(
            f"{EBS_ENCRYPTION_PREFIX}{scope.location.account}",
            f"allowed region(s) not enabled in this account, skipped: {', '.join(skipped)}. No volume can exist "
            "there while they are off; once one is enabled, the next run turns EBS encryption by default on",
        )
    )


def read_ebs_encryption(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    """The setting always exists (on or off): it is observed with the region as its id."""
    region = scope.location.region
    if region not in enabled_regions(scope):
        scope.account_once("ec2.ebs.skipped", lambda: _note_skipped(scope))
        return {
            r.address: ObservedResource(r.address, EBS_ENCRYPTION_BY_DEFAULT, region, {ENABLED: True}, owned=True)
            for r in resources
        }
    ec2 = scope.client("ec2")
    properties: dict[str, Any] = {ENABLED: bool(ec2.get_ebs_encryption_by_default().get(ENABLED))}
    if any(KEY in r.properties for r in resources):
        properties[KEY] = ec2.get_ebs_default_kms_key_id().get(KEY)
    found = dict(orphan_vpcs(scope))  # the toolkit's VPCs the spec dropped, wherever the network layer reads
    for r in resources:
        found[r.address] = ObservedResource(r.address, EBS_ENCRYPTION_BY_DEFAULT, region, dict(properties), owned=True)
    return found


class EbsEncryptionHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        """Turn encryption by default on (idempotent), then point it at the customer key, if the spec names one."""
        ec2 = ctx.client("ec2", resource.location)
        changed = {d.name for d in change.diffs}
        if props.get(ENABLED) and (ENABLED in changed or not change.diffs):
            ec2.enable_ebs_encryption_by_default()
        if KEY in props and (KEY in changed or not change.diffs):
            ec2.modify_ebs_default_kms_key_id(KmsKeyId=str(props[KEY]))
        return Outputs(resource.location.region)

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        return self.create(ctx, resource, props, change)

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never turns EBS encryption by default off ({change.address})",
            "Revert the spec change; turn it off by hand only if you must (new volumes would be unencrypted).",
        )


TYPES = (
    ResourceType(
        EBS_ENCRYPTION_BY_DEFAULT,
        TypeRule(compared=(ENABLED, KEY), deletable=False, weakens={ENABLED: turned_off}),
        EbsEncryptionHandler(),
        read_ebs_encryption,
        read_actions=(
            "ec2:DescribeRegions",
            "ec2:GetEbsEncryptionByDefault",
            "ec2:GetEbsDefaultKmsKeyId",
            *SWEEP_READS,
        ),
        write_actions=("ec2:EnableEbsEncryptionByDefault", "ec2:ModifyEbsDefaultKmsKeyId"),
        service="ec2",
        reads_disabled_regions=True,
    ),
)
