"""S3 buckets and bucket policies: how they are read, compared, changed, and the IAM actions that takes.

Reading: buckets are found by name (one `list_buckets` per account) and owned when tagged `bootstrap:managed`.
Each setting (versioning, Object Lock, encryption, public access block, ownership, access logging) is a
`BucketSetting`: the call that reads it and the call that writes it, side by side, so the CloudFormation and
API spellings of a setting are written once.

Changing: a bucket is created once (with Object Lock if the spec asks: it cannot be added later) and then each
setting is its own call, so an update repairs exactly the settings that drifted. Buckets are never deleted or
replaced. The log bucket's policy denies changing its settings to all but the break-glass role (the plan warns
of it, `bootstrap.plan.guards`), and the protect-log-archive guardrail denies the same to every role but the
bootstrap and break-glass roles; where AWS enforces either against the toolkit, the error names both and how
to proceed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code, with_retries
from bootstrap.changes import Change
from bootstrap.errors import AwsError, SafetyError
from bootstrap.observed import ObservedResource
from bootstrap.resources import MANAGED_TAG, Location, Resource
from bootstrap.types.base import (
    ClientFor,
    HandlerContext,
    Outputs,
    ReadScope,
    ResourceType,
    TypeRule,
    any_flag_off,
    turned_off,
)
from bootstrap.types.mapping import FieldMap, tag_dict
from bootstrap.types.s3_reserved import ACTIONS, describe, reserved_to

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import TagTypeDef

BUCKET = "AWS::S3::Bucket"
BUCKET_POLICY = "AWS::S3::BucketPolicy"


def _get(call: Any, missing: tuple[str, ...], **kwargs: Any) -> dict[str, Any] | None:
    """A bucket sub-resource, or None where S3 says it is not configured."""
    try:
        return dict(call(**kwargs))
    except ClientError as err:
        if error_code(err) in missing:
            return None
        raise


@dataclass(frozen=True)
class BucketSetting:
    """One setting of `AWS::S3::Bucket`: read as its CloudFormation value (None when unset), and written."""

    name: str
    read: Callable[[Any, str], Any]
    write: Callable[[Any, str, Any], None]


def _read_object_lock(s3: Any, name: str) -> dict[str, Any] | None:
    lock = _get(s3.get_object_lock_configuration, ("ObjectLockConfigurationNotFoundError",), Bucket=name)
    conf = (lock or {}).get("ObjectLockConfiguration", {})
    if conf.get("ObjectLockEnabled") != "Enabled":
        return None
    out: dict[str, Any] = {"ObjectLockEnabled": "Enabled"}
    retention = conf.get("Rule", {}).get("DefaultRetention")
    if retention:
        out["Rule"] = {"DefaultRetention": {k: v for k, v in retention.items() if v}}  # moto adds Years: 0
    return out


def _write_object_lock(s3: Any, name: str, value: dict[str, Any] | None) -> None:
    if value:
        s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration=value)


def _read_versioning(s3: Any, name: str) -> dict[str, Any] | None:
    status = s3.get_bucket_versioning(Bucket=name).get("Status")
    return {"Status": status} if status else None


def _write_versioning(s3: Any, name: str, value: dict[str, Any] | None) -> None:
    if value:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": value["Status"]})


ENCRYPTION_RULE = FieldMap.of(
    ("ServerSideEncryptionByDefault", "ApplyServerSideEncryptionByDefault"), ("BucketKeyEnabled", "BucketKeyEnabled")
)
ENCRYPTION_DEFAULT = FieldMap.of(("SSEAlgorithm", "SSEAlgorithm"), ("KMSMasterKeyID", "KMSMasterKeyID"))


def _read_encryption(s3: Any, name: str) -> dict[str, Any] | None:
    answer = _get(s3.get_bucket_encryption, ("ServerSideEncryptionConfigurationNotFoundError",), Bucket=name)
    if not answer:
        return None
    rules = []
    for api_rule in answer["ServerSideEncryptionConfiguration"]["Rules"]:
        rule = ENCRYPTION_RULE.to_cfn(api_rule, unset=(None, False))
        rule["ServerSideEncryptionByDefault"] = ENCRYPTION_DEFAULT.to_cfn(rule.get("ServerSideEncryptionByDefault", {}))
        rules.append(rule)
    return {"ServerSideEncryptionConfiguration": rules}


def _write_encryption(s3: Any, name: str, value: dict[str, Any] | None) -> None:
    if not value:
        s3.delete_bucket_encryption(Bucket=name)
        return
    rules = [
        ENCRYPTION_RULE.to_api({"BucketKeyEnabled": False, **rule})
        for rule in value["ServerSideEncryptionConfiguration"]
    ]
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})


def _read_public_access_block(s3: Any, name: str) -> dict[str, Any] | None:
    block = _get(s3.get_public_access_block, ("NoSuchPublicAccessBlockConfiguration",), Bucket=name)
    return dict(block["PublicAccessBlockConfiguration"]) if block else None


def _write_public_access_block(s3: Any, name: str, value: dict[str, Any] | None) -> None:
    if value:
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=value)
    else:
        s3.delete_public_access_block(Bucket=name)


def _read_ownership(s3: Any, name: str) -> dict[str, Any] | None:
    ownership = _get(s3.get_bucket_ownership_controls, ("OwnershipControlsNotFoundError",), Bucket=name)
    return {"Rules": list(ownership["OwnershipControls"]["Rules"])} if ownership else None


def _write_ownership(s3: Any, name: str, value: dict[str, Any] | None) -> None:
    if value:
        s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=value)
    else:
        s3.delete_bucket_ownership_controls(Bucket=name)


LOGGING = FieldMap.of(("DestinationBucketName", "TargetBucket"), ("LogFilePrefix", "TargetPrefix"))


def _read_logging(s3: Any, name: str) -> dict[str, Any] | None:
    enabled = s3.get_bucket_logging(Bucket=name).get("LoggingEnabled")
    return {"LogFilePrefix": "", **LOGGING.to_cfn(enabled)} if enabled else None


def _write_logging(s3: Any, name: str, value: dict[str, Any] | None) -> None:
    status = {"LoggingEnabled": LOGGING.to_api({"LogFilePrefix": "", **value})} if value else {}
    s3.put_bucket_logging(Bucket=name, BucketLoggingStatus=status)


SETTINGS = (
    BucketSetting("VersioningConfiguration", _read_versioning, _write_versioning),
    BucketSetting("ObjectLockConfiguration", _read_object_lock, _write_object_lock),
    BucketSetting("BucketEncryption", _read_encryption, _write_encryption),
    BucketSetting("PublicAccessBlockConfiguration", _read_public_access_block, _write_public_access_block),
    BucketSetting("OwnershipControls", _read_ownership, _write_ownership),
    BucketSetting("LoggingConfiguration", _read_logging, _write_logging),
)
"""In the order a new bucket gets them (versioning before Object Lock rules)."""


def _bucket_names(scope: ReadScope) -> set[str]:
    def read() -> set[str]:
        return {b["Name"] for b in scope.client("s3").list_buckets().get("Buckets", [])}

    return set(scope.once("s3.buckets", read))


def read_buckets(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    names = _bucket_names(scope)
    s3 = scope.client("s3")
    owned_by_name: dict[str, bool] = scope.once("s3.owned", dict)  # read_bucket_policies follows ownership
    found = {}
    for bucket in resources:
        name = str(bucket.properties["BucketName"])
        if name not in names:
            continue
        tags, props = bucket_properties(scope, s3, name)
        owned_by_name[name] = tags.get(MANAGED_TAG) == "true"
        found[bucket.address] = ObservedResource(
            bucket.address, BUCKET, name, props, owned=owned_by_name[name], attributes=_outputs(name).attributes
        )
    return found


def bucket_properties(scope: ReadScope, s3: Any, name: str) -> tuple[dict[str, str], dict[str, Any]]:
    """A bucket's tags, and its settings in the properties of `AWS::S3::Bucket` (an unset setting is absent):
    seven reads at once."""

    def tags() -> dict[str, str]:
        return tag_dict((_get(s3.get_bucket_tagging, ("NoSuchTagSet",), Bucket=name) or {}).get("TagSet", []))

    def reading(setting: BucketSetting) -> Callable[[], Any]:
        return lambda: setting.read(s3, name)

    tagged, *values = scope.gather([tags, *(reading(setting) for setting in SETTINGS)])
    props: dict[str, Any] = {"BucketName": name}
    for setting, value in zip(SETTINGS, values, strict=True):
        if value is not None:
            props[setting.name] = value
    if "ObjectLockConfiguration" in props:
        props["ObjectLockEnabled"] = True
    return tagged, props


def read_bucket_policies(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    names = _bucket_names(scope)
    s3 = scope.client("s3")
    found = {}
    for policy in resources:
        bucket = scope.logical(policy.properties.get("Bucket"))
        name = str(bucket.properties["BucketName"]) if bucket else str(policy.properties.get("Bucket"))
        if name not in names:
            continue
        current = _get(s3.get_bucket_policy, ("NoSuchBucketPolicy",), Bucket=name)
        if current is None:
            continue
        found[policy.address] = ObservedResource(
            policy.address,
            BUCKET_POLICY,
            name,
            {"Bucket": name, "PolicyDocument": json.loads(current["Policy"])},
            owned=bool(scope.once("s3.owned", dict).get(name)),
        )
    return found


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


def _merged_tags(s3: Any, name: str, wanted: list[dict[str, str]]) -> list[TagTypeDef]:
    """The bucket's tags with the toolkit's laid over them. The bucket may exist already (S3 answers
    `BucketAlreadyOwnedByYou`, or in us-east-1 simply succeeds): `put_bucket_tagging` replaces the whole
    set, and tags others put on it must stay."""
    try:
        current = s3.get_bucket_tagging(Bucket=name).get("TagSet", [])
    except ClientError as err:
        if error_code(err) != "NoSuchTagSet":
            raise
        current = []
    merged = tag_dict(current) | tag_dict(wanted)
    return [{"Key": key, "Value": value} for key, value in merged.items()]


def _outputs(name: str) -> Outputs:
    return Outputs(name, {"Arn": f"arn:aws:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com"})


class BucketHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
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
        for setting in SETTINGS:
            if props.get(setting.name) is not None:
                self._set(s3, resource, setting, props.get(setting.name), ctx)
        return _outputs(name)

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        s3 = ctx.client("s3", resource.location)
        changed = {d.name for d in change.diffs}
        for setting in SETTINGS:
            if setting.name in changed:
                self._set(s3, resource, setting, props.get(setting.name), ctx)
        return _outputs(props["BucketName"])

    @staticmethod
    def _set(
        s3: Any,
        resource: Resource,
        setting: BucketSetting,
        value: Any,
        ctx: HandlerContext,
    ) -> None:
        name = str(resource.properties["BucketName"])
        try:
            with_retries(lambda: setting.write(s3, name, value), sleep=ctx.sleep)
        except ClientError as err:
            if error_code(err) == "AccessDenied":
                raise _denied(s3, name, resource.address, setting.name) from None
            raise

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never deletes or replaces buckets ({change.address}): they hold logs",
            "Revert the spec change, or move the data and delete the bucket by hand.",
        )


class BucketPolicyHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
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

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never removes a log bucket's policy ({change.address}): it is what protects the logs"
        )


def tag_bucket(client: ClientFor, where: Location, name: str, tags: dict[str, str]) -> None:
    s3 = client.client("s3", where)
    wanted = [{"Key": k, "Value": v} for k, v in tags.items()]
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _merged_tags(s3, name, wanted)})


def versioning_suspended(before: Any, after: Any) -> bool:
    return bool((before or {}).get("Status") == "Enabled" and (after or {}).get("Status") != "Enabled")


_SETTING_READS = (
    "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketVersioning",
    "s3:GetEncryptionConfiguration",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketOwnershipControls",
    "s3:GetBucketLogging",
)

TYPES = (
    ResourceType(
        BUCKET,
        TypeRule(
            compared=(
                "BucketName",
                "ObjectLockEnabled",
                "ObjectLockConfiguration",
                "VersioningConfiguration",
                "BucketEncryption",
                "PublicAccessBlockConfiguration",
                "OwnershipControls",
                "LoggingConfiguration",
            ),
            replace_on=frozenset({"BucketName", "ObjectLockEnabled"}),
            deletable=False,
            guarded_by_break_glass=True,
            weakens={
                "PublicAccessBlockConfiguration": any_flag_off,
                "BucketEncryption": turned_off,
                "VersioningConfiguration": versioning_suspended,
                "LoggingConfiguration": turned_off,
                "ObjectLockConfiguration": turned_off,
            },
        ),
        BucketHandler(),
        read_buckets,
        read_actions=("s3:ListAllMyBuckets", "s3:GetBucketTagging", *_SETTING_READS),
        write_actions=(
            "s3:CreateBucket", "s3:PutBucketTagging", "s3:GetBucketTagging", "s3:GetBucketPolicy",
            "s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
            "s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls", "s3:PutBucketLogging",
        ),
        service="s3",
        tagger=tag_bucket,
    ),
    ResourceType(
        BUCKET_POLICY,
        TypeRule(
            compared=("Bucket", "PolicyDocument"),
            replace_on=frozenset({"Bucket"}),
            deletable=False,
            guarded_by_break_glass=True,
        ),
        BucketPolicyHandler(),
        read_bucket_policies,
        read_actions=("s3:ListAllMyBuckets", "s3:GetBucketPolicy"),
        write_actions=("s3:PutBucketPolicy", "s3:GetBucketPolicy"),
        service="s3",
    ),
)  # fmt: skip
