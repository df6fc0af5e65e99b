"""Identity store groups: `AWS::IdentityStore::Group` (made by the toolkit, with the Identity Center directory as
the identity source) and `Bootstrap::IdentityStore::ExternalGroup` (provisioned by an external identity provider
through SCIM, only looked up by display name).

Reading: one paginated `list_groups` per observation (`sso_common.groups`). Groups carry no tags: the toolkit's
are marked in their description (`blueprints.identity.owned_description`). A group the toolkit did not make is
never changed; an external group not there yet is a `waiting` finding, never an error and never created.

Changing: a group's description is changed in place with `UpdateGroup` (its display name is how it is found, and
its identity store is the instance's: a change of either replaces it). The sandbox (moto) has no `UpdateGroup`:
there a description that differs from the spec's is an `unavailable` note naming both, and nothing is planned
for the group (apply could not change it there).
"""

from __future__ import annotations

from typing import Any

from blueprints.identity import EXTERNAL_GROUP, owner_of
from bootstrap.changes import UNAVAILABLE, WAITING, Change
from bootstrap.errors import AwsError, SafetyError
from bootstrap.names import IDENTITY_GROUPS_ADDRESS
from bootstrap.observed import Finding, ObservedResource
from bootstrap.resources import Resource
from bootstrap.types.base import HandlerContext, Outputs, ReadScope, ResourceType, TypeRule
from bootstrap.types.sso_common import groups

GROUP = "AWS::IdentityStore::Group"
GROUP_PREFIX = "identity/group/"


def _observed(resource: Resource, group: dict[str, Any], owned: bool) -> ObservedResource:
    return ObservedResource(
        resource.address,
        resource.type,
        str(group["GroupId"]),
        {
            "DisplayName": group.get("DisplayName"),
            "Description": group.get("Description", ""),
            "IdentityStoreId": group.get("IdentityStoreId"),
        },
        owned=owned,
        attributes={"GroupId": str(group["GroupId"])},
    )


def read_groups(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    listed = groups(scope)
    by_name = {g.get("DisplayName"): g for g in listed}
    found: dict[str, ObservedResource] = {}
    for resource in resources:
        group = by_name.get(resource.properties["DisplayName"])
        if group is not None:
            found[resource.address] = _observed(resource, group, owner_of(group.get("Description")) == resource.address)
            if scope.simulated and found[resource.address].owned:
                _unchangeable_here(scope, resource, found[resource.address])
    wanted = {r.address for r in resources}
    for group in listed:
        owner = owner_of(group.get("Description"))
        if owner and owner.startswith(GROUP_PREFIX) and owner not in wanted:
            found[owner] = ObservedResource(
                owner, GROUP, str(group["GroupId"]), {"DisplayName": group.get("DisplayName"),
                "IdentityStoreId": group.get("IdentityStoreId")}, owned=True, location=scope.location,
            )  # fmt: skip
    if resources and any(owner_of(g.get("Description")) is None for g in listed):
        others = sorted(str(g.get("DisplayName")) for g in listed if owner_of(g.get("Description")) is None)
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        scope.findings.append(
            Finding(IDENTITY_GROUPS_ADDRESS, f"groups the toolkit did not create, left alone: {shown}", "info")
        )
    return found


def _unchangeable_here(scope: ReadScope, resource: Resource, live: ObservedResource) -> None:
    """In the sandbox, which has no `UpdateGroup`: a description that differs from the spec's is said plainly,
    and the note (`unavailable`) keeps the plan from listing an update apply could not make there."""
    wanted, found = resource.properties.get("Description", ""), live.properties["Description"]
    if found != wanted:
        scope.findings.append(
            Finding(
                resource.address,
                f"the group's description is {found!r} live but {wanted!r} in the spec, and this endpoint cannot "
                "change it (the sandbox has no identitystore UpdateGroup): not planned here. On AWS, apply updates "
                "it in place",
                UNAVAILABLE,
            )
        )


def read_external_groups(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    by_name = {g.get("DisplayName"): g for g in groups(scope)}
    found: dict[str, ObservedResource] = {}
    for resource in resources:
        name = str(resource.properties["DisplayName"])
        group = by_name.get(name)
        if group is None:
            scope.findings.append(
                Finding(
                    resource.address,
                    f"waiting for group {name} from your identity provider (SCIM): nothing is assigned to it until "
                    "it exists. Create or sync it there, then plan again",
                    WAITING,
                )
            )
            continue
        found[resource.address] = _observed(resource, group, owned=True)  # looked up, used as it is, never changed
    return found


class GroupHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        store = ctx.client("identitystore", resource.location)
        group_id = store.create_group(
            IdentityStoreId=props["IdentityStoreId"],
            DisplayName=props["DisplayName"],
            Description=props.get("Description", ""),
        )["GroupId"]
        return Outputs(group_id, {"GroupId": group_id})

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        store = ctx.client("identitystore", resource.location)
        group_id = str(change.physical_id)
        store.update_group(
            IdentityStoreId=props["IdentityStoreId"],
            GroupId=group_id,
            Operations=[
                {"AttributePath": "description", "AttributeValue": props.get("Description", "")},
                {"AttributePath": "displayName", "AttributeValue": props["DisplayName"]},
            ],
        )
        return Outputs(group_id, {"GroupId": group_id})

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        store = ctx.client("identitystore", change.location)
        store.delete_group(IdentityStoreId=(change.before or {})["IdentityStoreId"], GroupId=str(change.physical_id))


class ExternalGroupHandler:
    """Never makes or changes a group: the identity provider owns them. Reached only if the group appeared
    between plan and apply, which the planner's fingerprint refuses anyway."""

    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        store = ctx.client("identitystore", resource.location)
        listed = store.list_groups(IdentityStoreId=props["IdentityStoreId"])["Groups"]
        group = next((g for g in listed if g.get("DisplayName") == props["DisplayName"]), None)
        if group is None:
            raise AwsError(
                f"group {props['DisplayName']} is not in the identity store yet",
                "Provision it from your identity provider (SCIM), then run `bootstrap apply` again.",
            )
        return Outputs(str(group["GroupId"]), {"GroupId": str(group["GroupId"])})

    update = create

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError(
            f"{change.address}: the toolkit never deletes a group your identity provider made",
            "Remove it in the identity provider.",
        )


TYPES = (
    ResourceType(
        GROUP,
        TypeRule(
            compared=("DisplayName", "Description", "IdentityStoreId"),
            replace_on=frozenset({"IdentityStoreId", "DisplayName"}),
        ),
        GroupHandler(),
        read_groups,
        read_actions=("sso:ListInstances", "identitystore:ListGroups"),
        write_actions=("identitystore:CreateGroup", "identitystore:UpdateGroup", "identitystore:DeleteGroup"),
        service="identitystore",
    ),
    ResourceType(
        EXTERNAL_GROUP,
        TypeRule(compared=("DisplayName",), deletable=False),
        ExternalGroupHandler(),
        read_external_groups,
        read_actions=("sso:ListInstances", "identitystore:ListGroups"),
        write_actions=("identitystore:ListGroups",),
        service="identitystore",
    ),
)
