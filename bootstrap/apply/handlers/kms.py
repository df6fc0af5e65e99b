"""Handlers for KMS keys and aliases.

Keys are never deleted or replaced (the plan refuses it; `delete` refuses again). An update repairs what
drifted, one call per property: the key policy, rotation, a disabled key (a key scheduled for deletion
gets its deletion cancelled first), the description. An alias is only ever moved from one of the
toolkit's keys to another: an alias of its name that points at someone else's key is left as it is.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.apply.context import ApplyContext, Outputs
from bootstrap.aws.retry import error_code, with_retries
from bootstrap.errors import AwsError, SafetyError
from bootstrap.plan.model import Change
from bootstrap.resources import MANAGED_TAG, Resource


def _policy_error(err: ClientError, resource: Resource) -> AwsError:
    return AwsError(
        f"KMS refused the policy of {resource.address}: {err.response['Error'].get('Message', err)}",
        "KMS refuses a key policy that would lock the caller out: run the toolkit as a role the key policy names "
        "as administrator, the bootstrap role (in every account; accounts the toolkit adopted rather than "
        "created may lack it, and the toolkit then enters them as OrganizationAccountAccessRole, which the "
        "policy does not name: create the bootstrap role there) or the break-glass role.",
    )


class KeyHandler:
    def create(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        kms = ctx.client("kms", resource.location)
        try:
            meta = with_retries(
                lambda: kms.create_key(
                    Description=props.get("Description", ""),
                    KeyUsage=props.get("KeyUsage", "ENCRYPT_DECRYPT"),
                    KeySpec=props.get("KeySpec", "SYMMETRIC_DEFAULT"),
                    MultiRegion=bool(props.get("MultiRegion", False)),
                    Policy=json.dumps(props["KeyPolicy"]),
                    Tags=[{"TagKey": t["Key"], "TagValue": t["Value"]} for t in props.get("Tags", [])],
                ),
                sleep=ctx.sleep,
            )["KeyMetadata"]
        except ClientError as err:
            if error_code(err) == "MalformedPolicyDocumentException":
                raise _policy_error(err, resource) from None
            raise
        ctx.journal.record(resource.address, key_id=meta["KeyId"])
        if props.get("EnableKeyRotation"):
            kms.enable_key_rotation(KeyId=meta["KeyId"])
        if props.get("Enabled") is False:
            kms.disable_key(KeyId=meta["KeyId"])
        return Outputs(meta["KeyId"], {"Arn": meta["Arn"], "KeyId": meta["KeyId"]})

    def update(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        kms = ctx.client("kms", resource.location)
        key_id = str(change.physical_id)
        changed = {d.name for d in change.diffs}
        if "Enabled" in changed:
            if props.get("Enabled", True):
                if (change.before or {}).get("KeyState") == "PendingDeletion":
                    kms.cancel_key_deletion(KeyId=key_id)
                kms.enable_key(KeyId=key_id)
            else:
                kms.disable_key(KeyId=key_id)
        if "KeyPolicy" in changed:
            try:
                kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(props["KeyPolicy"]))
            except ClientError as err:
                if error_code(err) == "MalformedPolicyDocumentException":
                    raise _policy_error(err, resource) from None
                raise
        if "EnableKeyRotation" in changed:
            if props.get("EnableKeyRotation"):
                kms.enable_key_rotation(KeyId=key_id)
            else:
                kms.disable_key_rotation(KeyId=key_id)
        if "Description" in changed:
            kms.update_key_description(KeyId=key_id, Description=props.get("Description", ""))
        meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
        return Outputs(key_id, {"Arn": meta["Arn"], "KeyId": key_id})

    def delete(self, ctx: ApplyContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never deletes or replaces KMS keys ({change.address})",
            "Data encrypted with a deleted key is lost for good; schedule deletion by hand if you mean it.",
        )


def _owned(kms: Any, key_id: str) -> bool:
    try:
        pages = kms.get_paginator("list_resource_tags").paginate(KeyId=key_id)
        tags = {t["TagKey"]: t["TagValue"] for page in pages for t in page["Tags"]}
    except ClientError as err:
        if error_code(err) in ("AccessDeniedException", "NotFoundException"):
            return False
        raise
    return tags.get(MANAGED_TAG) == "true"


class AliasHandler:
    def create(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        kms = ctx.client("kms", resource.location)
        name = props["AliasName"]
        try:
            kms.create_alias(AliasName=name, TargetKeyId=props["TargetKeyId"])
        except ClientError as err:
            if error_code(err) != "AlreadyExistsException":
                raise
            self._existing(kms, resource, name, props["TargetKeyId"])
        return Outputs(name)

    @staticmethod
    def _existing(kms: Any, resource: Resource, name: str, wanted: str) -> None:
        """An alias made since the plan was read: by an interrupted run of the toolkit (moved to the wanted
        key if need be), or by someone else, for a key the toolkit does not own (refused, left as it is)."""
        current = kms.describe_key(KeyId=name)["KeyMetadata"]
        if wanted in (current["KeyId"], current["Arn"]):
            return
        if not _owned(kms, current["KeyId"]):
            raise SafetyError(
                f"the alias {name} ({resource.address}) already exists and points at key {current['KeyId']}, "
                "which the toolkit does not own: it is left as it is, not retargeted",
                f"If that alias is yours to give up, delete it (aws kms delete-alias --alias-name {name}) and run "
                "`bootstrap apply` again; otherwise keep it, and the toolkit's key stays without that alias.",
            )
        kms.update_alias(AliasName=name, TargetKeyId=wanted)

    def update(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ctx.client("kms", resource.location).update_alias(
            AliasName=props["AliasName"], TargetKeyId=props["TargetKeyId"]
        )
        return Outputs(props["AliasName"])

    def delete(self, ctx: ApplyContext, change: Change) -> None:
        try:
            ctx.client("kms", change.location).delete_alias(AliasName=change.physical_id)
        except ClientError as err:
            if error_code(err) != "NotFoundException":
                raise
