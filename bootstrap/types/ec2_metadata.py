"""The account baseline's instance metadata defaults in one account-region (`Bootstrap::EC2::InstanceMetadataDefaults`):
how they are read, compared, changed, and the IAM actions that takes.

New EC2 instances of the account-region then require IMDSv2 (session tokens: `HttpTokens=required`) unless their
launch asks otherwise, which closes the server-side request forgery path to an instance role's credentials that
IMDSv1 leaves open; the hop limit (`HttpPutResponseHopLimit`) lets containers on the instance reach IMDS.

Reading: one `GetInstanceMetadataDefaults` per account-region (an account with no defaults answers an empty
`AccountLevel`: every setting absent, to be set). A region the account has not enabled is skipped, as EBS
encryption by default skips it (`bootstrap.types.ec2_regions`). Defaults managed by a declarative policy
(`ManagedBy: declarative-policy`) cannot be changed through the API: they are reported, never changed.

Changing: `ModifyInstanceMetadataDefaults` with both settings. The toolkit never removes the defaults.

The sandbox (moto) does not implement these calls: there the plan says so for every account-region
(`unavailable`), plans nothing for them, and apply leaves them alone.
"""

from __future__ import annotations

from typing import Any

from bootstrap.changes import UNAVAILABLE, Change
from bootstrap.errors import SafetyError
from bootstrap.names import instance_metadata_address
from bootstrap.observed import Finding, ObservedResource
from bootstrap.resources import Resource
from bootstrap.types.base import HandlerContext, Outputs, ReadScope, ResourceType, TypeRule
from bootstrap.types.ec2_regions import enabled_regions, skipped_regions
from bootstrap.types.mapping import FieldMap

INSTANCE_METADATA_DEFAULTS = "Bootstrap::EC2::InstanceMetadataDefaults"
SETTINGS = FieldMap.of(("HttpTokens", "HttpTokens"), ("HttpPutResponseHopLimit", "HttpPutResponseHopLimit"))
DECLARATIVE = "declarative-policy"
NOT_IN_SANDBOX = (
    "instance metadata defaults (IMDSv2 required) are not available in the sandbox: it does not implement EC2's "
    "GetInstanceMetadataDefaults/ModifyInstanceMetadataDefaults, so they are neither read nor set here. On AWS, "
    "plan reads them and apply sets them"
)


def tokens_optional(before: Any, after: Any) -> bool:
    """IMDSv1 allowed again by default."""
    return bool(before == "required" and after != "required")


def _note_skipped(scope: ReadScope) -> None:
    skipped = skipped_regions(scope, INSTANCE_METADATA_DEFAULTS)
    scope.findings.append(
        Finding(
            instance_metadata_address(scope.location.account, skipped[0]),
            f"allowed region(s) not enabled in this account, skipped: {', '.join(skipped)}. No instance can run "
            "there while they are off; once one is enabled, the next run requires IMDSv2 there by default",
        )
    )


def read_instance_metadata_defaults(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    region = scope.location.region
    if region not in enabled_regions(scope):
        scope.account_once("ec2.metadata.skipped", lambda: _note_skipped(scope))
        return {
            r.address: ObservedResource(r.address, r.type, region, dict(r.properties), owned=True) for r in resources
        }
    live = scope.client("ec2").get_instance_metadata_defaults().get("AccountLevel", {})
    properties = SETTINGS.to_cfn(live)
    if live.get("ManagedBy") == DECLARATIVE:
        why = live.get("ManagedExceptionMessage") or "set by a declarative policy of the organization"
        differs = [r for r in resources if any(properties.get(k) != r.properties.get(k) for k in SETTINGS.cfn_names)]
        scope.findings.extend(
            Finding(r.address, f"managed by a declarative policy ({why}): the API cannot change it", UNAVAILABLE)
            for r in differs
        )
        resources = [r for r in resources if r not in differs]
    if not properties:
        return {}
    return {r.address: ObservedResource(r.address, r.type, region, dict(properties), owned=True) for r in resources}


class InstanceMetadataDefaultsHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        """Both settings at once (idempotent: the same call creates and updates)."""
        ec2 = ctx.client("ec2", resource.location)
        ec2.modify_instance_metadata_defaults(**SETTINGS.to_api(props))
        return Outputs(resource.location.region)

    update = create

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never removes the instance metadata defaults ({change.address})",
            "Revert the spec change; new instances would accept IMDSv1 again.",
        )


TYPES = (
    ResourceType(
        INSTANCE_METADATA_DEFAULTS,
        TypeRule(compared=SETTINGS.cfn_names, deletable=False, weakens={"HttpTokens": tokens_optional}),
        InstanceMetadataDefaultsHandler(),
        read_instance_metadata_defaults,
        read_actions=("ec2:DescribeRegions", "ec2:GetInstanceMetadataDefaults"),
        write_actions=("ec2:ModifyInstanceMetadataDefaults",),
        service="ec2",
        not_in_sandbox=NOT_IN_SANDBOX,
    ),
)
