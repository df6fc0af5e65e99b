"""KMS keys and aliases: how they are read, compared, changed, and the IAM actions that takes.

Reading: keys are found through their alias (one `list_aliases` per account-region) when the aliased key carries
the toolkit's tags for that address; a key whose alias was deleted (or taken by someone else's key) is still
found by its `bootstrap:address` tag, so the toolkit never creates a second key for a purpose, and never
mistakes another team's key for its own. A key reached only through the spec's alias, untagged, is observed as
not owned, which blocks the plan until it is adopted or the alias is fixed. Aliases cannot be tagged: one is
the toolkit's when it points at a key the toolkit owns; an alias of its name pointing elsewhere blocks the plan,
and is never retargeted.

Changing: keys are never deleted or replaced (the plan refuses it; `delete` refuses again). An update repairs
what drifted, one call per property: the key policy, rotation, a disabled key (a key scheduled for deletion
gets its deletion cancelled first), the description. An alias is only ever moved from one of the toolkit's
keys to another.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code, with_retries
from bootstrap.changes import Change
from bootstrap.errors import AwsError, SafetyError
from bootstrap.observed import Finding, ObservedResource
from bootstrap.resources import ADDRESS_TAG, MANAGED_TAG, Location, Resource
from bootstrap.types.base import ClientFor, HandlerContext, Outputs, ReadScope, ResourceType, TypeRule, turned_off
from bootstrap.types.mapping import FieldMap, tag_dict
from bootstrap.types.once import create_once, no_blind_retry

if TYPE_CHECKING:
    from mypy_boto3_kms.type_defs import TagTypeDef

KEY = "AWS::KMS::Key"
ALIAS = "AWS::KMS::Alias"
KMS_TAG = FieldMap.of(("Key", "TagKey"), ("Value", "TagValue"))
"""KMS spells a tag `{"TagKey", "TagValue"}`."""


def _kms_tag_list(tags: list[dict[str, str]]) -> list[TagTypeDef]:
    """CloudFormation's tags as KMS spells them."""
    return cast("list[TagTypeDef]", [KMS_TAG.to_api(t) for t in tags])


def _aliases(scope: ReadScope) -> dict[str, str]:
    """Alias name -> target key id, for every alias of the account-region."""

    def read() -> dict[str, str]:
        pages = scope.client("kms").get_paginator("list_aliases").paginate()
        return {a["AliasName"]: a.get("TargetKeyId", "") for page in pages for a in page["Aliases"]}

    return dict(scope.once("kms.aliases", read))


def _key_by_tag(scope: ReadScope, address: str) -> str | None:
    """The key tagged with `address` (only when its alias is gone: this lists every key's tags)."""
    return _tagged_key(scope.client("kms"), address)


def _tagged_key(kms: Any, address: str) -> str | None:
    for page in kms.get_paginator("list_keys").paginate():
        for entry in page["Keys"]:
            tags = _readable_tags(kms, entry["KeyId"]) or {}  # another team's key may not let us read them
            if _ours(tags, address):
                return str(entry["KeyId"])
    return None


def _duplicates(scope: ReadScope, resources: list[Resource]) -> None:
    """Two keys tagged with one address (a create repeated after its answer was lost, two applies at once)
    block the plan, naming both: which one holds the data is for a person to decide. One tagging-API call
    per account-region finds them, whatever the aliases say."""
    if not resources:
        return
    tagging = scope.client("resourcegroupstaggingapi")
    pages = tagging.get_paginator("get_resources").paginate(
        TagFilters=[{"Key": ADDRESS_TAG, "Values": [r.address for r in resources]}], ResourceTypeFilters=["kms:key"]
    )
    holders: dict[str, list[str]] = {}
    for page in pages:
        for mapping in page["ResourceTagMappingList"]:
            tags = tag_dict(mapping.get("Tags", []))
            if tags.get(MANAGED_TAG) == "true" and ADDRESS_TAG in tags:
                holders.setdefault(tags[ADDRESS_TAG], []).append(str(mapping["ResourceARN"]).rsplit("/", 1)[-1])
    for address, keys in sorted(holders.items()):
        if len(keys) > 1:
            scope.findings.append(
                Finding(
                    address,
                    f"{len(keys)} KMS keys carry this address's tags: {', '.join(sorted(keys))}. The toolkit "
                    "keeps one key per purpose and will not guess which holds the data: find the one the alias "
                    "and the trail use (aws kms list-aliases), remove the bootstrap: tags from the other (or "
                    "schedule its deletion if it encrypts nothing), then plan again",
                    "error",
                )
            )


def _ours(tags: dict[str, str] | None, address: str) -> bool:
    return tags is not None and tags.get(MANAGED_TAG) == "true" and tags.get(ADDRESS_TAG) == address


def _kms_tags(kms: Any, key_id: str) -> dict[str, str]:
    pages = kms.get_paginator("list_resource_tags").paginate(KeyId=key_id)
    return tag_dict((t for page in pages for t in page["Tags"]), *KMS_TAG.api_names)


def _readable_tags(kms: Any, key_id: str) -> dict[str, str] | None:
    """A key's tags, or None for a key whose policy does not let the toolkit read them (not its key)."""
    try:
        return _kms_tags(kms, key_id)
    except ClientError as err:
        if error_code(err) in ("AccessDeniedException", "NotFoundException"):
            return None
        raise


def _owned_keys(scope: ReadScope) -> set[str]:
    """Ids of the keys `read_keys` found to be the toolkit's (shared with `read_aliases`)."""
    owned: set[str] = scope.once("kms.owned", set)
    return owned


def read_keys(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    _duplicates(scope, resources)
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
        described, policy_text, rotation_status = scope.gather(
            [
                partial(kms.describe_key, KeyId=key_id),
                partial(kms.get_key_policy, KeyId=key_id, PolicyName="default"),
                partial(kms.get_key_rotation_status, KeyId=key_id),
            ]
        )
        meta = described["KeyMetadata"]
        _owned_keys(scope).add(meta["KeyId"])
        policy = json.loads(policy_text["Policy"])
        rotation = rotation_status["KeyRotationEnabled"]
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


def read_aliases(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
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


def _policy_error(err: ClientError, resource: Resource) -> AwsError:
    return AwsError(
        f"KMS refused the policy of {resource.address}: {err.response['Error'].get('Message', err)}",
        "KMS refuses a key policy that would lock the caller out: run the toolkit as a role the key policy names "
        "as administrator, the bootstrap role (in every account; accounts the toolkit adopted rather than "
        "created may lack it, and the toolkit then enters them as OrganizationAccountAccessRole, which the "
        "policy does not name: create the bootstrap role there) or the break-glass role.",
    )


def _usable(kms: Any, key_id: str, address: str) -> dict[str, Any] | None:
    """The metadata of a key an earlier run noted, if it is still there and still the toolkit's."""
    tags = _readable_tags(kms, key_id)
    if not _ours(tags, address):
        return None
    meta = dict(kms.describe_key(KeyId=key_id)["KeyMetadata"])
    return meta if meta["KeyState"] not in ("PendingDeletion", "PendingReplicaDeletion") else None


class KeyHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        """CreateKey takes no client token: it is sent once (`bootstrap.types.once`). A key an interrupted run
        made (its id in the journal) or a call whose answer was lost made (found by its address tag) is used,
        never a second one made."""
        kms = ctx.client("kms", resource.location)
        no_blind_retry(kms, "CreateKey")
        address = resource.address

        def find() -> dict[str, Any] | None:
            key_id = _tagged_key(kms, address)
            return dict(kms.describe_key(KeyId=key_id)["KeyMetadata"]) if key_id else None

        noted = ctx.resumed(address).get("key_id")
        meta: Mapping[str, Any] | None = _usable(kms, str(noted), address) if noted else None
        if meta is None:
            try:
                meta = create_once(
                    lambda: with_retries(
                        lambda: kms.create_key(
                            Description=props.get("Description", ""),
                            KeyUsage=props.get("KeyUsage", "ENCRYPT_DECRYPT"),
                            KeySpec=props.get("KeySpec", "SYMMETRIC_DEFAULT"),
                            MultiRegion=bool(props.get("MultiRegion", False)),
                            Policy=json.dumps(props["KeyPolicy"]),
                            Tags=_kms_tag_list(props.get("Tags", [])),
                        ),
                        sleep=ctx.sleep,
                    )["KeyMetadata"],
                    find,
                    what=f"the KMS key {address}",
                )
            except ClientError as err:
                if error_code(err) == "MalformedPolicyDocumentException":
                    raise _policy_error(err, resource) from None
                raise
            ctx.journal.record(address, key_id=meta["KeyId"])
        if props.get("EnableKeyRotation"):
            kms.enable_key_rotation(KeyId=meta["KeyId"])
        if props.get("Enabled") is False:
            kms.disable_key(KeyId=meta["KeyId"])
        return Outputs(meta["KeyId"], {"Arn": meta["Arn"], "KeyId": meta["KeyId"]})

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
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

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never deletes or replaces KMS keys ({change.address})",
            "Data encrypted with a deleted key is lost for good; schedule deletion by hand if you mean it.",
        )


class AliasHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
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
        if (_readable_tags(kms, current["KeyId"]) or {}).get(MANAGED_TAG) != "true":
            raise SafetyError(
                f"the alias {name} ({resource.address}) already exists and points at key {current['KeyId']}, "
                "which the toolkit does not own: it is left as it is, not retargeted",
                f"If that alias is yours to give up, delete it (aws kms delete-alias --alias-name {name}) and run "
                "`bootstrap apply` again; otherwise keep it, and the toolkit's key stays without that alias.",
            )
        kms.update_alias(AliasName=name, TargetKeyId=wanted)

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        ctx.client("kms", resource.location).update_alias(
            AliasName=props["AliasName"], TargetKeyId=props["TargetKeyId"]
        )
        return Outputs(props["AliasName"])

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        try:
            ctx.client("kms", change.location).delete_alias(AliasName=str(change.physical_id))
        except ClientError as err:
            if error_code(err) != "NotFoundException":
                raise


def tag_key(client: ClientFor, where: Location, key_id: str, tags: dict[str, str]) -> None:
    client.client("kms", where).tag_resource(
        KeyId=key_id, Tags=_kms_tag_list([{"Key": k, "Value": v} for k, v in tags.items()])
    )


def explain_key_state(live: Mapping[str, Any]) -> str:
    """A key that is not simply enabled: say what its state is and what apply does about it."""
    state = live.get("KeyState")
    if state == "PendingDeletion":
        return "KeyState PendingDeletion: apply cancels the deletion and enables the key"
    if state == "Disabled":
        return "KeyState Disabled: apply enables the key"
    return ""


TYPES = (
    ResourceType(
        KEY,
        TypeRule(
            compared=(
                "Description", "Enabled", "EnableKeyRotation", "KeyPolicy", "KeySpec", "KeyUsage", "MultiRegion"
            ),
            replace_on=frozenset({"KeySpec", "KeyUsage", "MultiRegion"}),
            deletable=False,
            explain=explain_key_state,
            weakens={"EnableKeyRotation": turned_off, "Enabled": turned_off},
        ),
        KeyHandler(),
        read_keys,
        read_actions=(
            "kms:ListAliases", "kms:ListKeys", "kms:ListResourceTags", "kms:DescribeKey", "kms:GetKeyPolicy",
            "kms:GetKeyRotationStatus", "tag:GetResources",
        ),
        write_actions=(
            "kms:CreateKey", "kms:TagResource", "kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:EnableKey",
            "kms:DisableKey", "kms:CancelKeyDeletion", "kms:PutKeyPolicy", "kms:UpdateKeyDescription",
        ),
        service="kms",
        tagger=tag_key,
    ),
    ResourceType(
        ALIAS,
        TypeRule(compared=("AliasName", "TargetKeyId"), replace_on=frozenset({"AliasName"})),
        AliasHandler(),
        read_aliases,
        read_actions=("kms:ListAliases", "kms:ListResourceTags", "kms:DescribeKey"),
        write_actions=("kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"),
        service="kms",
    ),
)  # fmt: skip
