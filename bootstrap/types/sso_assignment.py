"""IAM Identity Center account assignments (`AWS::SSO::Assignment`): a principal given a permission set in an
account. Each is placed at its target account's location (the plan lists access by account); Identity Center is
called in the management account.

Reading, in bulk: the permission sets and, per permission set the toolkit owns, every account it is provisioned
in (`list_accounts_for_provisioned_permission_set`), once per observation; then per account, one
`list_account_assignments` for each of the toolkit's permission sets provisioned there or wanted there, and none
elsewhere (AWS provisions a set to every account it is assigned in). An assignment of one of the toolkit's sets
that the spec does not list (access granted by hand) is an orphan: the plan proposes its removal as destructive
(`--allow-destroy`), naming the principal and the account. Assignments of sets the toolkit did not create are
never read or changed.

Changing: creating and deleting an assignment are asynchronous; the handler waits for each, bounded.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code
from bootstrap.changes import Change
from bootstrap.names import assignment_address
from bootstrap.observed import Finding, ObservedResource
from bootstrap.resources import Resource
from bootstrap.spec.model import MANAGEMENT
from bootstrap.types.base import HandlerContext, Outputs, ReadScope, ResourceType, TypeRule
from bootstrap.types.pages import pages
from bootstrap.types.sso_common import admin_location, groups, instance, permission_sets, provisioned, wait_for

ASSIGNMENT = "AWS::SSO::Assignment"
_KEYS = ("InstanceArn", "PermissionSetArn", "PrincipalId", "PrincipalType", "TargetId", "TargetType")


def _parts(address: str) -> tuple[str, str, str]:
    """(account, permission set, group) of an assignment's address."""
    account, permission_set, group = address.removeprefix("identity/assignment/").split("/", 2)
    return account, permission_set, group


def _account_id(scope: ReadScope, resources: list[Resource]) -> str | None:
    if scope.account_id is not None:
        return scope.account_id
    literal = next((r.properties.get("TargetId") for r in resources), None)
    return literal if isinstance(literal, str) else None


def _principal_label(scope: ReadScope, item: dict[str, Any], group_names: dict[str, str], store: str) -> str:
    """How the plan names a principal: a group by display name, a user by user name (one read per such user)."""
    kind, principal = str(item["PrincipalType"]), str(item["PrincipalId"])
    if kind == "GROUP":
        return f"group:{group_names.get(principal, principal)}"
    try:
        user = scope.management_client("identitystore").describe_user(IdentityStoreId=store, UserId=principal)
    except ClientError as err:
        if error_code(err) != "ResourceNotFoundException":
            raise
        return f"user:{principal}"
    return f"user:{user.get('UserName') or principal}"


def read_assignments(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    found_instance = instance(scope)
    account_id = _account_id(scope, resources)
    if found_instance is None or account_id is None:
        return {}
    instance_arn, store = str(found_instance["InstanceArn"]), str(found_instance["IdentityStoreId"])
    sets = permission_sets(scope)
    name_of = {arn: str(ps["Name"]) for arn, ps in sets.items()}
    arn_of = {name: arn for arn, name in name_of.items()}
    owned = {arn for arn, ps in sets.items() if ps["Owner"]}
    wanted_sets = {arn_of[_parts(r.address)[1]] for r in resources if _parts(r.address)[1] in arn_of}
    to_read = sorted((provisioned(scope).get(account_id, set()) & owned) | wanted_sets)
    sso = scope.management_client("sso-admin")
    listings = scope.gather(
        [partial(pages, sso, "list_account_assignments", "AccountAssignments", InstanceArn=instance_arn,
                 AccountId=account_id, PermissionSetArn=arn) for arn in to_read]
    )  # fmt: skip
    group_list = groups(scope)
    group_ids = {str(g.get("DisplayName")): str(g["GroupId"]) for g in group_list}
    group_names = {v: k for k, v in group_ids.items()}
    wanted = {}
    for resource in resources:
        _, set_name, group = _parts(resource.address)
        key = (arn_of.get(set_name), "GROUP", group_ids.get(group))
        wanted[key] = resource
        if resource.location.account == MANAGEMENT:
            scope.findings.append(
                Finding(
                    resource.address,
                    f"gives {group} {set_name} in the management account (identity.allow_management_account): AWS "
                    "advises against access there beyond what only the management account can do",
                    "info",
                )
            )
    found: dict[str, ObservedResource] = {}
    for arn, listing in zip(to_read, listings, strict=True):
        for item in listing:
            key = (arn, str(item["PrincipalType"]), str(item["PrincipalId"]))
            properties = {
                "InstanceArn": instance_arn,
                "PermissionSetArn": arn,
                "PrincipalId": str(item["PrincipalId"]),
                "PrincipalType": str(item["PrincipalType"]),
                "TargetId": account_id,
                "TargetType": "AWS_ACCOUNT",
            }
            physical = "/".join((account_id, arn, *key[1:]))
            match = wanted.get(key)
            if match is not None:
                found[match.address] = ObservedResource(
                    match.address, ASSIGNMENT, physical, properties, owned=arn in owned
                )
            elif arn in owned:
                label = _principal_label(scope, item, group_names, store)
                address = assignment_address(scope.location.account, name_of[arn], label)
                found[address] = ObservedResource(
                    address, ASSIGNMENT, physical, properties, owned=True, location=scope.location
                )
    return found


class AssignmentHandler:
    """Creates and deletes assignments, waiting for each asynchronous request (bounded)."""

    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        sso = ctx.client("sso-admin", admin_location(resource.location))
        arguments = {k: props[k] for k in _KEYS}
        status = sso.create_account_assignment(**arguments)["AccountAssignmentCreationStatus"]
        request_id = str(status.get("RequestId"))
        wait_for(
            ctx,
            lambda: sso.describe_account_assignment_creation_status(
                InstanceArn=props["InstanceArn"], AccountAssignmentCreationRequestId=request_id
            )["AccountAssignmentCreationStatus"],
            what=f"creating {resource.address}",
            request_id=request_id,
            status=status,
        )
        return Outputs(
            "/".join((props["TargetId"], props["PermissionSetArn"], props["PrincipalType"], props["PrincipalId"]))
        )

    update = create  # every property is replace-on: an update never happens

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        sso = ctx.client("sso-admin", admin_location(change.location))
        before = change.before or {}
        try:
            status = sso.delete_account_assignment(**{k: before[k] for k in _KEYS})["AccountAssignmentDeletionStatus"]
        except ClientError as err:
            if error_code(err) == "ResourceNotFoundException":
                return
            raise
        request_id = str(status.get("RequestId"))
        wait_for(
            ctx,
            lambda: sso.describe_account_assignment_deletion_status(
                InstanceArn=before["InstanceArn"], AccountAssignmentDeletionRequestId=request_id
            )["AccountAssignmentDeletionStatus"],
            what=f"removing {change.address}",
            request_id=request_id,
            status=status,
        )


TYPES = (
    ResourceType(
        ASSIGNMENT,
        TypeRule(compared=_KEYS, replace_on=frozenset(_KEYS)),
        AssignmentHandler(),
        read_assignments,
        read_actions=(
            "sso:ListInstances", "sso:ListPermissionSets", "sso:DescribePermissionSet",
            "sso:ListAccountsForProvisionedPermissionSet", "sso:ListAccountAssignments",
            "identitystore:ListGroups", "identitystore:DescribeUser",
        ),
        write_actions=(
            "sso:CreateAccountAssignment", "sso:DescribeAccountAssignmentCreationStatus",
            "sso:DeleteAccountAssignment", "sso:DescribeAccountAssignmentDeletionStatus",
        ),
        service="sso-admin",
    ),
)  # fmt: skip
