"""Readers for KMS keys and aliases, S3 buckets and bucket policies, in CloudFormation's vocabulary.

Keys are found through their alias (one `list_aliases` per account-region) when the aliased key carries
the toolkit's tags for that address; a key whose alias was deleted (or taken by someone else's key) is
still found by its `bootstrap:address` tag, so the toolkit never creates a second key for a purpose, and
never mistakes another team's key for its own. A key reached only through the spec's alias, untagged, is
observed as not owned, which blocks the plan until it is adopted or the alias is fixed. Aliases cannot be
tagged: one is the toolkit's when it points at a key the toolkit owns; an alias of its name pointing
elsewhere blocks the plan, and is never retargeted.
Buckets are found by name (one `list_buckets` per account) and owned when tagged `bootstrap:managed`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code
from bootstrap.observe.state import ObservedResource
from bootstrap.resources import ADDRESS_TAG, MANAGED_TAG, Resource

if TYPE_CHECKING:
    from bootstrap.observe.logging import Scope

KEY = "AWS::KMS::Key"
ALIAS = "AWS::KMS::Alias"
BUCKET = "AWS::S3::Bucket"
BUCKET_POLICY = "AWS::S3::BucketPolicy"


def _aliases(scope: Scope) -> dict[str, str]:
    """Alias name -> target key id, for every alias of the account-region."""

    def read() -> dict[str, str]:
        pages = scope.client("kms").get_paginator("list_aliases").paginate()
        return {a["AliasName"]: a.get("TargetKeyId", "") for page in pages for a in page["Aliases"]}

    return dict(scope.once("kms.aliases", read))


def _key_by_tag(scope: Scope, address: str) -> str | None:
    """The key tagged with `address` (only when its alias is gone: this lists every key's tags)."""
    kms = scope.client("kms")
    for page in kms.get_paginator("list_keys").paginate():
        for entry in page["Keys"]:
            tags = _readable_tags(kms, entry["KeyId"]) or {}  # another team's key may not let us read them
            if _ours(tags, address):
                return str(entry["KeyId"])
    return None


def _ours(tags: dict[str, str] | None, address: str) -> bool:
    return tags is not None and tags.get(MANAGED_TAG) == "true" and tags.get(ADDRESS_TAG) == address


def _kms_tags(kms: Any, key_id: str) -> dict[str, str]:
    pages = kms.get_paginator("list_resource_tags").paginate(KeyId=key_id)
    return {t["TagKey"]: t["TagValue"] for page in pages for t in page["Tags"]}


def _readable_tags(kms: Any, key_id: str) -> dict[str, str] | None:
    """A key's tags, or None for a key whose policy does not let the toolkit read them (not its key)."""
    try:
        return _kms_tags(kms, key_id)
    except ClientError as err:
        if error_code(err) in ("AccessDeniedException", "NotFoundException"):
            return None
        raise


def _owned_keys(scope: Scope) -> set[str]:
    """Ids of the keys `read_keys` found to be the toolkit's (shared with `read_aliases`)."""
    owned: set[str] = scope.once("kms.owned", set)
    return owned


def read_keys(scope: Scope, resources: list[Resource]) -> dict[str, ObservedResource]:
    aliases = _aliases(scope)
    kms = scope.client("kms")
    found = {}
    for key in resources:
        alias = next(
            (r for r in scope.desired.of_type(ALIAS) if scope.logical(r.properties.get("TargetKeyId")) is key),
            None,
        )
        aliased = aliases.get(str(alias.properties["AliasName"])) if alias else None
        key_id, tags = aliased, _readable_tags(kms, aliased) if aliased else None
        if not _ours(tags, key.address):  # no alias, or it points at a key that is not this resource
            key_id = _key_by_tag(scope, key.address)
            tags = _kms_tags(kms, key_id) if key_id else None
        if not key_id and aliased:
            # Found only through the spec's alias, without the toolkit's tags: the landing zone's key with its
            # tags removed, or someone else's. Observed as not owned, it blocks the plan (`bootstrap adopt`):
            # never a second key for the purpose, never someone else's key used as this one.
            key_id, tags = aliased, _readable_tags(kms, aliased) or {}
        if not key_id or tags is None:
            continue
        if not _ours(tags, key.address):
            found[key.address] = ObservedResource(key.address, KEY, key_id, {}, owned=False)
            continue
        meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
        _owned_keys(scope).add(meta["KeyId"])
        policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
        rotation = kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]
        found[key.address] = ObservedResource(
            key.address,
            KEY,
            meta["KeyId"],
            {
                "Description": meta.get("Description", ""),
                "Enabled": meta["KeyState"] == "Enabled",
                "EnableKeyRotation": bool(rotation),
                "KeyPolicy": policy,
                "KeySpec": meta.get("KeySpec", "SYMMETRIC_DEFAULT"),
                "KeyUsage": meta.get("KeyUsage", "ENCRYPT_DECRYPT"),
                "MultiRegion": bool(meta.get("MultiRegion", False)),
                "KeyState": meta["KeyState"],
            },
            owned=True,
            attributes={"Arn": meta["Arn"], "KeyId": meta["KeyId"]},
        )
    return found


def read_aliases(scope: Scope, resources: list[Resource]) -> dict[str, ObservedResource]:
    """An alias is the toolkit's when its target key is: aliases carry no tags of their own."""
    aliases = _aliases(scope)
    kms = scope.client("kms")
    owned_keys = _owned_keys(scope)
    found = {}
    for alias in resources:
        name = str(alias.properties["AliasName"])
        if name not in aliases:
            continue
        target = aliases[name]
        if target and target not in owned_keys:
            tags = _readable_tags(kms, target) or {}
            if tags.get(MANAGED_TAG) == "true":
                owned_keys.add(target)
        found[alias.address] = ObservedResource(
            alias.address,
            ALIAS,
            name,
            {"AliasName": name, "TargetKeyId": target},
            owned=bool(target) and target in owned_keys,
        )
    return found


def _bucket_names(scope: Scope) -> set[str]:
    def read() -> set[str]:
        return {b["Name"] for b in scope.client("s3").list_buckets().get("Buckets", [])}

    return set(scope.once("s3.buckets", read))


def _get(call: Any, missing: tuple[str, ...], **kwargs: Any) -> dict[str, Any] | None:
    """A bucket sub-resource, or None where S3 says it is not configured."""
    try:
        return dict(call(**kwargs))
    except ClientError as err:
        if error_code(err) in missing:
            return None
        raise


def read_buckets(scope: Scope, resources: list[Resource]) -> dict[str, ObservedResource]:
    names = _bucket_names(scope)
    s3 = scope.client("s3")
    owned_by_name: dict[str, bool] = scope.once("s3.owned", dict)  # read_bucket_policies follows ownership
    found = {}
    for bucket in resources:
        name = str(bucket.properties["BucketName"])
        if name not in names:
            continue
        tagging = _get(s3.get_bucket_tagging, ("NoSuchTagSet",), Bucket=name) or {}
        tags = {t["Key"]: t["Value"] for t in tagging.get("TagSet", [])}
        owned_by_name[name] = tags.get(MANAGED_TAG) == "true"
        found[bucket.address] = ObservedResource(
            bucket.address,
            BUCKET,
            name,
            bucket_properties(s3, name),
            owned=owned_by_name[name],
            attributes={"Arn": f"arn:aws:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com"},
        )
    return found


def bucket_properties(s3: Any, name: str) -> dict[str, Any]:
    """A bucket's settings in the properties of `AWS::S3::Bucket`; an unset setting is absent."""
    props: dict[str, Any] = {"BucketName": name}
    lock = _get(s3.get_object_lock_configuration, ("ObjectLockConfigurationNotFoundError",), Bucket=name)
    lock_conf = (lock or {}).get("ObjectLockConfiguration", {})
    if lock_conf.get("ObjectLockEnabled") == "Enabled":
        props["ObjectLockEnabled"] = True
        conf: dict[str, Any] = {"ObjectLockEnabled": "Enabled"}
        retention = lock_conf.get("Rule", {}).get("DefaultRetention")
        if retention:
            conf["Rule"] = {"DefaultRetention": {k: v for k, v in retention.items() if v}}  # moto adds Years: 0
        props["ObjectLockConfiguration"] = conf
    versioning = s3.get_bucket_versioning(Bucket=name)
    if versioning.get("Status"):
        props["VersioningConfiguration"] = {"Status": versioning["Status"]}
    encryption = _get(s3.get_bucket_encryption, ("ServerSideEncryptionConfigurationNotFoundError",), Bucket=name)
    if encryption:
        props["BucketEncryption"] = {
            "ServerSideEncryptionConfiguration": [
                _encryption_rule(rule) for rule in encryption["ServerSideEncryptionConfiguration"]["Rules"]
            ]
        }
    block = _get(s3.get_public_access_block, ("NoSuchPublicAccessBlockConfiguration",), Bucket=name)
    if block:
        props["PublicAccessBlockConfiguration"] = dict(block["PublicAccessBlockConfiguration"])
    ownership = _get(s3.get_bucket_ownership_controls, ("OwnershipControlsNotFoundError",), Bucket=name)
    if ownership:
        props["OwnershipControls"] = {"Rules": list(ownership["OwnershipControls"]["Rules"])}
    logging = s3.get_bucket_logging(Bucket=name).get("LoggingEnabled")
    if logging:
        props["LoggingConfiguration"] = {
            "DestinationBucketName": logging["TargetBucket"],
            "LogFilePrefix": logging.get("TargetPrefix", ""),
        }
    return props


def _encryption_rule(rule: dict[str, Any]) -> dict[str, Any]:
    default = rule.get("ApplyServerSideEncryptionByDefault", {})
    out: dict[str, Any] = {
        "ServerSideEncryptionByDefault": {k: v for k, v in default.items() if k in ("SSEAlgorithm", "KMSMasterKeyID")}
    }
    if rule.get("BucketKeyEnabled"):
        out["BucketKeyEnabled"] = True
    return out


def read_bucket_policies(scope: Scope, resources: list[Resource]) -> dict[str, ObservedResource]:
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
