"""Handlers for S3 buckets and bucket policies.

A bucket is created once (with Object Lock if the spec asks: it cannot be added later) and then each
setting is its own call, so an update repairs exactly the settings that drifted. Buckets are never
deleted or replaced. The log bucket's policy denies policy, versioning and Object Lock changes to all but
the break-glass role; where AWS enforces that against the toolkit, the error says so and how to proceed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.apply.context import ApplyContext, Outputs
from bootstrap.aws.retry import error_code, with_retries
from bootstrap.errors import AwsError, SafetyError
from bootstrap.plan.model import Change
from bootstrap.resources import Resource


def _denied(address: str, setting: str) -> AwsError:
    return AwsError(
        f"S3 denied changing {setting} of {address}: the bucket policy reserves it for the break-glass role",
        "As the break-glass role (or the log archive account's root user) delete the bucket policy, or make "
        "the change yourself; then run `bootstrap apply` again to restore the policy the spec describes.",
    )


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
        s3.put_bucket_tagging(
            Bucket=name, Tagging={"TagSet": [{"Key": t["Key"], "Value": t["Value"]} for t in props.get("Tags", [])]}
        )
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
                raise _denied(resource.address, setting) from None
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
                raise _denied(resource.address, "the bucket policy") from None
            raise
        return Outputs(props["Bucket"])

    update = create

    def delete(self, ctx: ApplyContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never removes a log bucket's policy ({change.address}): it is what protects the logs"
        )
