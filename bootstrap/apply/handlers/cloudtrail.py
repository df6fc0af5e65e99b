"""Handlers for the organization trail and the organization settings it needs (trusted access for
CloudTrail, a delegated administrator).

The trail is never deleted. Its settings are one `update_trail`, its event selectors one
`put_event_selectors`, and whether it is logging one `start_logging`/`stop_logging`, so each drift is
repaired by the call that owns it. Creating a trail right after its role, bucket policy or key policy
can fail for a few seconds while IAM and S3 catch up: those errors are retried.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from bootstrap.apply.context import ApplyContext, Outputs
from bootstrap.aws.retry import TRANSIENT, error_code, with_retries
from bootstrap.errors import SafetyError
from bootstrap.plan.model import Change
from bootstrap.resources import Resource

SETTLING = TRANSIENT | {
    "InsufficientS3BucketPolicyException",
    "InsufficientEncryptionPolicyException",
    "InvalidCloudWatchLogsRoleArnException",
    "InvalidCloudWatchLogsLogGroupArnException",
    "CloudTrailAccessNotEnabledException",
    "InsufficientSnsTopicPolicyException",
}
"""Errors a trail gets while what it points at is still propagating (IAM, bucket and key policies)."""

SETTINGS = (
    "S3BucketName",
    "IncludeGlobalServiceEvents",
    "IsMultiRegionTrail",
    "EnableLogFileValidation",
    "KMSKeyId",
    "CloudWatchLogsLogGroupArn",
    "CloudWatchLogsRoleArn",
    "IsOrganizationTrail",
    "SnsTopicName",
)


def _settings(props: dict[str, Any]) -> dict[str, Any]:
    api = {"KMSKeyId": "KmsKeyId"}
    return {api.get(k, k): props[k] for k in SETTINGS if props.get(k) is not None}


def _update_settings(props: dict[str, Any]) -> dict[str, Any]:
    """`update_trail` arguments: also an empty SnsTopicName, which turns delivery notifications off when
    the spec no longer asks for them (an absent argument would leave them on)."""
    return {"SnsTopicName": "", **_settings(props)}


class TrailHandler:
    def create(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        cloudtrail = ctx.client("cloudtrail", resource.location)
        name = props["TrailName"]
        tags = [{"Key": t["Key"], "Value": t["Value"]} for t in props.get("Tags", [])]
        try:
            trail = with_retries(
                lambda: cloudtrail.create_trail(Name=name, TagsList=tags, **_settings(props)),
                codes=SETTLING,
                base_delay=2.0,
                sleep=ctx.sleep,
            )
        except ClientError as err:
            if error_code(err) != "TrailAlreadyExistsException":
                raise
            trail = cloudtrail.update_trail(Name=name, **_update_settings(props))
        arn = trail["TrailARN"]
        self._selectors(cloudtrail, name, props)
        self._logging(cloudtrail, name, props)
        return Outputs(name, {"Arn": arn})

    def update(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        cloudtrail = ctx.client("cloudtrail", resource.location)
        changed = {d.name for d in change.diffs}
        name = props["TrailName"]
        if changed & set(SETTINGS):
            with_retries(
                lambda: cloudtrail.update_trail(Name=name, **_update_settings(props)),
                codes=SETTLING,
                base_delay=2.0,
                sleep=ctx.sleep,
            )
        if "EventSelectors" in changed:
            self._selectors(cloudtrail, name, props)
        if "IsLogging" in changed:
            self._logging(cloudtrail, name, props)
        arn = cloudtrail.get_trail(Name=name)["Trail"]["TrailARN"]
        return Outputs(name, {"Arn": arn})

    @staticmethod
    def _selectors(cloudtrail: Any, trail: str, props: dict[str, Any]) -> None:
        if props.get("EventSelectors"):
            cloudtrail.put_event_selectors(TrailName=trail, EventSelectors=props["EventSelectors"])

    @staticmethod
    def _logging(cloudtrail: Any, trail: str, props: dict[str, Any]) -> None:
        if props.get("IsLogging", True):
            cloudtrail.start_logging(Name=trail)
        else:
            cloudtrail.stop_logging(Name=trail)

    def delete(self, ctx: ApplyContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never deletes the organization trail ({change.address})",
            "Revert the spec change; delete the trail by hand only if you really mean to stop the audit log.",
        )


class ServiceAccessHandler:
    """Trusted access of an AWS service to the organization (an organization trail needs CloudTrail's)."""

    def create(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        organizations = ctx.client("organizations", resource.location)
        principal = props["ServicePrincipal"]
        with_retries(lambda: organizations.enable_aws_service_access(ServicePrincipal=principal), sleep=ctx.sleep)
        return Outputs(principal)

    update = create

    def delete(self, ctx: ApplyContext, change: Change) -> None:
        raise SafetyError("the toolkit never disables a service's trusted access to the organization")


class DelegatedAdminHandler:
    """CloudTrail's delegated administrator, registered through CloudTrail (which also registers it with
    Organizations and creates the service-linked role it needs)."""

    def create(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        cloudtrail = ctx.client("cloudtrail", resource.location)
        try:
            with_retries(
                lambda: cloudtrail.register_organization_delegated_admin(MemberAccountId=props["AccountId"]),
                sleep=ctx.sleep,
            )
        except ClientError as err:
            if error_code(err) != "AccountRegisteredException":
                raise
        return Outputs(props["AccountId"])

    def update(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        return self.create(ctx, resource, props, change)

    def delete(self, ctx: ApplyContext, change: Change) -> None:
        cloudtrail = ctx.client("cloudtrail", change.location)
        try:
            cloudtrail.deregister_organization_delegated_admin(DelegatedAdminAccountId=change.physical_id)
        except ClientError as err:
            if error_code(err) != "AccountNotRegisteredException":
                raise
