"""The organization trail and the organization settings it needs (trusted access for CloudTrail, a delegated
administrator): how they are read, compared, changed, and the IAM actions that takes.

Reading: one `describe_trails` per account-region, then the status, event selectors and tags of the trail the
spec names. Trusted access and delegated administrators are read from Organizations.

Changing: the trail is never deleted. Its settings are one `update_trail`, its event selectors one
`put_event_selectors`, and whether it is logging one `start_logging`/`stop_logging`, so each drift is repaired
by the call that owns it. Creating a trail right after its role, bucket policy or key policy can fail for a few
seconds while IAM and S3 catch up: those errors are retried.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.aws.retry import TRANSIENT, error_code, with_retries
from bootstrap.changes import Change
from bootstrap.errors import SafetyError
from bootstrap.observed import ObservedResource
from bootstrap.resources import MANAGED_TAG, Location, Resource
from bootstrap.types.base import (
    ClientFor,
    HandlerContext,
    Outputs,
    ReadScope,
    ResourceType,
    TypeRule,
    items_removed,
    turned_off,
)
from bootstrap.types.mapping import FieldMap, tag_dict
from bootstrap.types.pages import pages

TRAIL = "AWS::CloudTrail::Trail"
SERVICE_ACCESS = "Bootstrap::Organizations::ServiceAccess"
DELEGATED_ADMIN = "Bootstrap::CloudTrail::DelegatedAdministrator"

SETTLING = TRANSIENT | {
    "InsufficientS3BucketPolicyException",
    "InsufficientEncryptionPolicyException",
    "InvalidCloudWatchLogsRoleArnException",
    "InvalidCloudWatchLogsLogGroupArnException",
    "CloudTrailAccessNotEnabledException",
    "InsufficientSnsTopicPolicyException",
}
"""Errors a trail gets while what it points at is still propagating (IAM, bucket and key policies)."""

SETTINGS = FieldMap.of(
    ("S3BucketName", "S3BucketName"),
    ("IncludeGlobalServiceEvents", "IncludeGlobalServiceEvents"),
    ("IsMultiRegionTrail", "IsMultiRegionTrail"),
    ("EnableLogFileValidation", "EnableLogFileValidation", "LogFileValidationEnabled"),
    ("KMSKeyId", "KmsKeyId"),
    ("CloudWatchLogsLogGroupArn", "CloudWatchLogsLogGroupArn"),
    ("CloudWatchLogsRoleArn", "CloudWatchLogsRoleArn"),
    ("IsOrganizationTrail", "IsOrganizationTrail"),
    ("SnsTopicName", "SnsTopicName"),
)
"""The trail's settings that `create_trail`/`update_trail` take and `describe_trails` answers."""
FLAGS = ("IsOrganizationTrail", "IsMultiRegionTrail", "IncludeGlobalServiceEvents", "EnableLogFileValidation")


def read_trails(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    cloudtrail = scope.client("cloudtrail")
    trails = {t["Name"]: t for t in cloudtrail.describe_trails(includeShadowTrails=False)["trailList"]}
    found = {}
    for resource in resources:
        trail = trails.get(str(resource.properties["TrailName"]))
        if trail is None:
            continue
        arn = trail["TrailARN"]
        status, selected, listed = scope.gather(
            [
                partial(cloudtrail.get_trail_status, Name=arn),
                partial(cloudtrail.get_event_selectors, TrailName=arn),
                partial(cloudtrail.list_tags, ResourceIdList=[arn]),
            ]
        )
        selectors = selected.get("EventSelectors") or []
        tag_lists = listed.get("ResourceTagList", [])
        tags = tag_dict(tag_lists[0].get("TagsList", [])) if tag_lists else {}
        props: dict[str, Any] = {"TrailName": trail["Name"], **{f.cfn: trail.get(f.answer) for f in SETTINGS.fields}}
        props.update({flag: bool(props[flag]) for flag in FLAGS})
        props["SnsTopicName"] = props["SnsTopicName"] or None
        props["EventSelectors"] = [_selector(s) for s in selectors]
        props["IsLogging"] = bool(status.get("IsLogging"))
        found[resource.address] = ObservedResource(
            resource.address,
            resource.type,
            trail["Name"],
            props,
            owned=tags.get(MANAGED_TAG) == "true",
            attributes={"Arn": arn},
        )
    return found


def _selector(selector: Mapping[str, Any]) -> dict[str, Any]:
    """An event selector as CloudFormation writes it: empty lists are absent."""
    out: dict[str, Any] = {k: selector[k] for k in ("ReadWriteType", "IncludeManagementEvents") if k in selector}
    for key in ("DataResources", "ExcludeManagementEventSources"):
        if selector.get(key):
            out[key] = selector[key]
    return out


def _update_settings(props: dict[str, Any]) -> dict[str, Any]:
    """`update_trail` arguments: also an empty SnsTopicName, which turns delivery notifications off when
    the spec no longer asks for them (an absent argument would leave them on)."""
    return {"SnsTopicName": "", **SETTINGS.to_api(props)}


class TrailHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        cloudtrail = ctx.client("cloudtrail", resource.location)
        name = props["TrailName"]
        tags = list(props.get("Tags", []))
        try:
            trail = with_retries(
                lambda: cloudtrail.create_trail(Name=name, TagsList=tags, **SETTINGS.to_api(props)),
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

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        cloudtrail = ctx.client("cloudtrail", resource.location)
        changed = {d.name for d in change.diffs}
        name = props["TrailName"]
        if changed & set(SETTINGS.cfn_names):
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

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never deletes the organization trail ({change.address})",
            "Revert the spec change; delete the trail by hand only if you really mean to stop the audit log.",
        )


class ServiceAccessHandler:
    """Trusted access of an AWS service to the organization (an organization trail needs CloudTrail's)."""

    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        organizations = ctx.client("organizations", resource.location)
        principal = props["ServicePrincipal"]
        with_retries(lambda: organizations.enable_aws_service_access(ServicePrincipal=principal), sleep=ctx.sleep)
        return Outputs(principal)

    update = create

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError("the toolkit never disables a service's trusted access to the organization")


class DelegatedAdminHandler:
    """CloudTrail's delegated administrator, registered through CloudTrail (which also registers it with
    Organizations and creates the service-linked role it needs)."""

    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
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

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        return self.create(ctx, resource, props, change)

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        cloudtrail = ctx.client("cloudtrail", change.location)
        try:
            cloudtrail.deregister_organization_delegated_admin(DelegatedAdminAccountId=str(change.physical_id))
        except ClientError as err:
            if error_code(err) != "AccountNotRegisteredException":
                raise


def read_service_access(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    organizations = scope.client("organizations")
    try:
        enabled = {
            p["ServicePrincipal"]
            for p in pages(organizations, "list_aws_service_access_for_organization", "EnabledServicePrincipals")
        }
    except ClientError as err:
        if error_code(err) == "AWSOrganizationsNotInUseException":
            return {}
        raise
    return {
        r.address: ObservedResource(r.address, r.type, str(r.properties["ServicePrincipal"]), dict(r.properties), True)
        for r in resources
        if r.properties["ServicePrincipal"] in enabled
    }


def read_delegated_admins(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    organizations = scope.client("organizations")
    found = {}
    for resource in resources:
        principal = str(resource.properties["ServicePrincipal"])
        try:
            admins = pages(
                organizations, "list_delegated_administrators", "DelegatedAdministrators", ServicePrincipal=principal
            )
        except ClientError as err:
            if error_code(err) == "AWSOrganizationsNotInUseException":
                continue
            raise
        if admins:
            found[resource.address] = ObservedResource(
                resource.address,
                resource.type,
                str(admins[0]["Id"]),
                {"AccountId": str(admins[0]["Id"]), "ServicePrincipal": principal},
                owned=True,
            )
    return found


def tag_trail(client: ClientFor, where: Location, name: str, tags: dict[str, str]) -> None:
    cloudtrail = client.client("cloudtrail", where)
    arn = cloudtrail.get_trail(Name=name)["Trail"]["TrailARN"]
    cloudtrail.add_tags(ResourceId=arn, TagsList=[{"Key": k, "Value": v} for k, v in tags.items()])


TYPES = (
    ResourceType(
        TRAIL,
        TypeRule(
            compared=(
                "TrailName",
                "S3BucketName",
                "IsOrganizationTrail",
                "IsMultiRegionTrail",
                "IncludeGlobalServiceEvents",
                "EnableLogFileValidation",
                "KMSKeyId",
                "CloudWatchLogsLogGroupArn",
                "CloudWatchLogsRoleArn",
                "EventSelectors",
                "IsLogging",
                "SnsTopicName",
            ),
            replace_on=frozenset({"TrailName"}),
            deletable=False,
            weakens={
                "IsLogging": turned_off,
                "EnableLogFileValidation": turned_off,
                "IsMultiRegionTrail": turned_off,
                "IncludeGlobalServiceEvents": turned_off,
                "IsOrganizationTrail": turned_off,
                "KMSKeyId": turned_off,
                "CloudWatchLogsLogGroupArn": turned_off,
                "EventSelectors": items_removed,
            },
        ),
        TrailHandler(),
        read_trails,
        read_actions=(
            "cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors",
            "cloudtrail:ListTags",
        ),
        write_actions=(
            "cloudtrail:CreateTrail", "cloudtrail:AddTags", "cloudtrail:UpdateTrail", "cloudtrail:GetTrail",
            "cloudtrail:PutEventSelectors", "cloudtrail:StartLogging", "cloudtrail:StopLogging",
            # an organization trail: CloudTrail checks the organization and makes its service-linked role
            "organizations:DescribeOrganization", "organizations:ListAWSServiceAccessForOrganization",
            "iam:CreateServiceLinkedRole", "iam:GetRole", "iam:PassRole",
        ),
        service="cloudtrail",
        tagger=tag_trail,
    ),
    ResourceType(
        SERVICE_ACCESS,
        TypeRule(compared=("ServicePrincipal",), deletable=False),
        ServiceAccessHandler(),
        read_service_access,
        read_actions=("organizations:ListAWSServiceAccessForOrganization",),
        write_actions=("organizations:EnableAWSServiceAccess",),
        service="organizations",
    ),
    ResourceType(
        DELEGATED_ADMIN,
        TypeRule(compared=("AccountId", "ServicePrincipal"), replace_on=frozenset({"AccountId"}), deletable=False),
        DelegatedAdminHandler(),
        read_delegated_admins,
        read_actions=("organizations:ListDelegatedAdministrators",),
        write_actions=(
            "cloudtrail:RegisterOrganizationDelegatedAdmin", "cloudtrail:DeregisterOrganizationDelegatedAdmin",
            "organizations:RegisterDelegatedAdministrator", "organizations:DeregisterDelegatedAdministrator",
            "iam:CreateServiceLinkedRole",
        ),
        service="cloudtrail",
    ),
)  # fmt: skip
