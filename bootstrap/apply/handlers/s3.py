"""Handlers for S3 buckets and bucket policies.

A bucket is created once (with Object Lock if the spec asks: it cannot be added later) and then each
setting is its own call, so an update repairs exactly the settings that drifted. Buckets are never
deleted or replaced. The log bucket's policy denies changing its settings to all but the break-glass role
(the plan warns of it, `bootstrap.plan.guards`), and the protect-log-archive guardrail denies the same to
every role but the bootstrap and break-glass roles; where AWS enforces either against the toolkit, the
error names both and how to proceed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.apply.context import ApplyContext, Outputs
from bootstrap.aws.retry import error_code, with_retries
from bootstrap.errors import AwsError, SafetyError
from bootstrap.plan.guards import ACTIONS, describe, reserved_to
from bootstrap.plan.model import Change
from bootstrap.resources import Resource


def _reserved(s3: Any, name: str, action: str) -> list[str] | None:
    """Who the bucket's live policy lets perform `action`; None if it does not restrict it (or is unreadable)."""
    try:
        policy = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])
    except ClientError as err:
        if error_code(err) in ("NoSuchBucketPolicy", "AccessDenied"):
            return None
        raise
    return reserved_to(policy, action)


def _denied(s3: Any, name: str, address: str, setting: str) -> AwsError:
    """AccessDenied on a setting: from the bucket policy or from a guardrail SCP. Name both possibilities,
    and who may make the change according to the bucket's live policy."""
    action = ACTIONS.get(setting, "the call")
    reserved = _reserved(s3, name, action) if setting in ACTIONS else None
    if reserved is None:
        cause = (
            f"the bucket policy does not reserve {action}, so a guardrail SCP (protect-log-archive) or an IAM "
            "policy denies it to the role the toolkit runs as in that account"
        )
        fix = (
            "Run `bootstrap apply` as the bootstrap role or the break-glass role, which the guardrails exempt "
            "(they do not exempt OrganizationAccountAccessRole, which the toolkit falls back to in an account "
            "without the bootstrap role)."
        )
    else:
        who = describe(reserved)
        cause = (
            f"either the bucket policy, which allows {action} only to {who}, or a guardrail SCP "
            "(protect-log-archive) denies it to the role the toolkit runs as in that account"
        )
        fix = f"Run `bootstrap apply` as {who}: the bucket policy and the guardrails both exempt it."
    return AwsError(
        f"S3 denied changing {setting} of {address}: {cause}",
        f"{fix} Then run `bootstrap apply` again to restore everything the spec describes.",
    )


def _merged_tags(s3: Any, name: str, wanted: list[dict[str, str]]) -> list[dict[str, str]]:
    """The bucket's tags with the toolkit's laid over them. The bucket may exist already (S3 answers
    `BucketAlreadyOwnedByYou`, or in us-east-1 simply succeeds): `put_bucket_tagging` replaces the whole
    set, and tags others put on it must stay."""
    try:
        current = s3.get_bucket_tagging(Bucket=name).get("TagSet", [])
    except ClientError as err:
        if error_code(err) != "NoSuchTagSet":
            raise
        current = []
    merged = {t["Key"]: t["Value"] for t in current} | {t["Key"]: t["Value"] for t in wanted}
    return [{"Key": key, "Value": value} for key, value in merged.items()]


def _outputs(name: str) -> Outputs:
    return Outputs(name, {"Arn": f"arn:aws:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com"})


def _versioning(s3: Any, name: str, value: dict[str, Any] | None) -> None:
    if value:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": value["Status"]})


def _object_lock(s3: Any, name: str, value: dict[str, Any] | None) -> None:
    if value:
        s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration=value)


def _encryption(s3: Any, name: str, value: dict[str, Any] | None) -> None:
    if not value:
        s3.delete_bucket_encryption(Bucket=name)
        return
    rules = [
        {
            "ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"],
            "BucketKeyEnabled": bool(rule.get("BucketKeyEnabled", False)),
        }
        for rule in value["ServerSideEncryptionConfiguration"]
    ]
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})


def _public_access_block(s3: Any, name: str, value: dict[str, Any] | None) -> None:
    if value:
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=value)
    else:
        s3.delete_public_access_block(Bucket=name)


def _ownership(s3: Any, name: str, value: dict[str, Any] | None) -> None:
    if value:
        s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=value)
    else:
        s3.delete_bucket_ownership_controls(Bucket=name)


def _logging(s3: Any, name: str, value: dict[str, Any] | None) -> None:
    status: dict[str, Any] = {}
    if value:
        status = {
            "LoggingEnabled": {
                "TargetBucket": value["DestinationBucketName"],
                "TargetPrefix": value.get("LogFilePrefix", ""),
            }
        }
    s3.put_bucket_logging(Bucket=name, BucketLoggingStatus=status)


SETTERS: dict[str, Callable[[Any, str, Any], None]] = {
    "VersioningConfiguration": _versioning,
    "ObjectLockConfiguration": _object_lock,
    "BucketEncryption": _encryption,
    "PublicAccessBlockConfiguration": _public_access_block,
    "OwnershipControls": _ownership,
    "LoggingConfiguration": _logging,
}
"""One call per setting, in the order a new bucket gets them (versioning before Object Lock rules)."""


class BucketHandler:
    def create(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        s3 = ctx.client("s3", resource.location)
        name = props["BucketName"]
        request: dict[str, Any] = {"Bucket": name, "ObjectLockEnabledForBucket": bool(props.get("ObjectLockEnabled"))}
        if resource.location.region != "us-east-1":
            request["CreateBucketConfiguration"] = {"LocationConstraint": resource.location.region}
        try:
            s3.create_bucket(**request)
        except ClientError as err:
            if error_code(err) == "BucketAlreadyExists":
                raise AwsError(
                    f"the bucket name {name} is taken by another AWS account (bucket names are global)",
                    "Set logging.bucket_name / logging.access_log_bucket_name in the spec to a free name.",
                ) from None
            if error_code(err) != "BucketAlreadyOwnedByYou":
                raise
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _merged_tags(s3, name, props.get("Tags", []))})
        for setting, setter in SETTERS.items():
            if props.get(setting) is not None:
                self._set(s3, resource, setting, setter, props.get(setting), ctx)
        return _outputs(name)

    def update(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        s3 = ctx.client("s3", resource.location)
        changed = {d.name for d in change.diffs}
        for setting, setter in SETTERS.items():
            if setting in changed:
                self._set(s3, resource, setting, setter, props.get(setting), ctx)
        return _outputs(props["BucketName"])

    @staticmethod
    def _set(
        s3: Any,
        resource: Resource,
        setting: str,
        setter: Callable[[Any, str, Any], None],
        value: Any,
        ctx: ApplyContext,
    ) -> None:
        name = str(resource.properties["BucketName"])
        try:
            with_retries(lambda: setter(s3, name, value), sleep=ctx.sleep)
        except ClientError as err:
            if error_code(err) == "AccessDenied":
                raise _denied(s3, name, resource.address, setting) from None
            raise

    def delete(self, ctx: ApplyContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never deletes or replaces buckets ({change.address}): they hold logs",
            "Revert the spec change, or move the data and delete the bucket by hand.",
        )


class BucketPolicyHandler:
    def create(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        s3 = ctx.client("s3", resource.location)
        try:
            with_retries(
                lambda: s3.put_bucket_policy(Bucket=props["Bucket"], Policy=json.dumps(props["PolicyDocument"])),
                sleep=ctx.sleep,
            )
        except ClientError as err:
            if error_code(err) == "AccessDenied":
                raise _denied(s3, props["Bucket"], resource.address, "PolicyDocument") from None
            raise
        return Outputs(props["Bucket"])

    update = create

    def delete(self, ctx: ApplyContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never removes a log bucket's policy ({change.address}): it is what protects the logs"
        )
