"""The identity blueprints: IAM Identity Center permission sets, groups, and the assignments that give a group a
permission set in an account.

- `identity`: the permission sets of the spec (from the library in `permission_sets/` or its own) and, with the
  Identity Center directory as the identity source, its groups. The organization's Identity Center instance is
  enabled by hand (runbooks/identity-center.md) and found by the toolkit (`Bootstrap::SSO::Instance`); it enters
  the template as Parameters (`InstanceArn`, `IdentityStoreId`). With an external identity provider the groups
  are looked up by display name (`Bootstrap::IdentityStore::ExternalGroup`), never created.
- `identity-assignments`, `-2`, ...: one `AWS::SSO::Assignment` per group, permission set and account, at most
  100 accounts per template (CloudFormation's 200 Parameters and 500 resources). The engine places each in its
  target account's location, so the plan lists assignments by account; Identity Center itself is called in the
  management account.

Identity store groups carry no tags, and a permission set's tags need one more call per set to read, so the
toolkit marks what it owns in the description (`owned_description`), which every listing returns.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from troposphere import Parameter, Ref, Tags, Template
from troposphere.identitystore import Group
from troposphere.sso import Assignment, CustomerManagedPolicyReference, PermissionsBoundary, PermissionSet

from blueprints.binding import account_id_value, add_bound
from blueprints.common import Blueprint
from bootstrap.names import (
    IDENTITY_INSTANCE_ADDRESS,
    assignment_address,
    group_address,
    logical_id,
    permission_set_address,
)
from bootstrap.resources import Location, Resource, ownership_tags
from bootstrap.spec.identity_checks import assignment_accounts, compact_policy
from bootstrap.spec.identity_model import EXTERNAL
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec
from bootstrap.spec.permission_set_library import PermissionSetDefinition, spec_permission_sets

NAME = "identity"
ASSIGNMENTS = "identity-assignments"
INSTANCE = "Bootstrap::SSO::Instance"
EXTERNAL_GROUP = "Bootstrap::IdentityStore::ExternalGroup"
INSTANCE_ID = "IdentityCenterInstance"
ACCOUNTS_PER_TEMPLATE = 100
DESCRIPTION_MAX = 700
"""CreatePermissionSet's limit on a description (identity store groups take 1,024)."""
MARKER = "[managed by the landing zone toolkit: {address}]"


def owned_description(description: str, address: str) -> str:
    """A description that says who owns the object (the toolkit's ownership mark where tags are not readable)."""
    marker = MARKER.format(address=address)
    room = DESCRIPTION_MAX - len(marker) - 1
    text = description[:room].rstrip()
    return f"{text} {marker}" if text else marker


def owner_of(description: str | None) -> str | None:
    """The address an object's description marks it as the toolkit's, or None."""
    text = description or ""
    head, _, tail = MARKER.partition("{address}")
    start = text.rfind(head)
    if start < 0 or not text.endswith(tail):
        return None
    return text[start + len(head) : len(text) - len(tail)]


def permission_set_logical_id(name: str) -> str:
    return logical_id("PermissionSet", name)


def group_logical_id(name: str) -> str:
    return logical_id("Group", name)


def _instance(spec: LandingZoneSpec) -> Resource:
    return Resource(
        address=IDENTITY_INSTANCE_ADDRESS,
        logical_id=INSTANCE_ID,
        type=INSTANCE,
        location=Location(MANAGEMENT, spec.organization.home_region),
        properties={"Status": "ACTIVE"},
    )


def _instance_bindings() -> dict[str, Any]:
    return {
        "InstanceArn": {"Fn::GetAtt": [INSTANCE_ID, "InstanceArn"]},
        "IdentityStoreId": {"Fn::GetAtt": [INSTANCE_ID, "IdentityStoreId"]},
    }


def _permission_set(definition: PermissionSetDefinition) -> PermissionSet:
    address = permission_set_address(definition.name)
    props: dict[str, Any] = {
        "InstanceArn": Ref("InstanceArn"),
        "Name": definition.name,
        "Description": owned_description(definition.description, address),
        "SessionDuration": definition.session_duration,
        "ManagedPolicies": sorted(definition.managed_policies),
        "CustomerManagedPolicyReferences": [
            CustomerManagedPolicyReference(Name=name, Path=path)
            for name, path in sorted(definition.customer_managed_policies)
        ],
        "Tags": Tags({**definition.tags, **ownership_tags(address)}),
    }
    if definition.relay_state:
        props["RelayStateType"] = definition.relay_state
    if definition.inline_policy is not None:
        props["InlinePolicy"] = json.loads(compact_policy(definition.inline_policy))
    if definition.boundary_managed_arn:
        props["PermissionsBoundary"] = PermissionsBoundary(ManagedPolicyArn=definition.boundary_managed_arn)
    elif definition.boundary_customer:
        name, path = definition.boundary_customer
        props["PermissionsBoundary"] = PermissionsBoundary(
            CustomerManagedPolicyReference=CustomerManagedPolicyReference(Name=name, Path=path)
        )
    return PermissionSet(permission_set_logical_id(definition.name), **props)


def build(spec: LandingZoneSpec) -> list[Blueprint]:
    """The identity template, then the assignment templates."""
    return [_build_sets(spec), *_build_assignments(spec)]


def _build_sets(spec: LandingZoneSpec) -> Blueprint:
    template = Template(
        Description=f"Landing zone '{spec.organization.name}': IAM Identity Center permission sets and groups. The "
        "instance is the organization's (enabled by hand, see runbooks/identity-center.md)."
    )
    template.add_parameter(Parameter("InstanceArn", Type="String", Description="The Identity Center instance."))
    bp = Blueprint(NAME, template)
    bp.add_native(_instance(spec))
    home = Location(MANAGEMENT, spec.organization.home_region)
    bindings = _instance_bindings()
    for definition in spec_permission_sets(spec):
        add_bound(
            bp, _permission_set(definition), bindings=bindings, address=permission_set_address(definition.name),
            location=home,
        )  # fmt: skip
    if spec.identity.source == EXTERNAL:
        for group in spec.identity.groups:
            bp.add_native(
                Resource(
                    address=group_address(group.name),
                    logical_id=group_logical_id(group.name),
                    type=EXTERNAL_GROUP,
                    location=home,
                    properties={
                        "IdentityStoreId": bindings["IdentityStoreId"],
                        "DisplayName": group.name,
                    },
                )
            )
        return bp
    if spec.identity.groups:
        template.add_parameter(Parameter("IdentityStoreId", Type="String", Description="The instance's directory."))
    for group in spec.identity.groups:
        address = group_address(group.name)
        add_bound(
            bp,
            Group(
                group_logical_id(group.name),
                IdentityStoreId=Ref("IdentityStoreId"),
                DisplayName=group.name,
                Description=owned_description(group.description, address),
            ),
            bindings=bindings,
            address=address,
            location=home,
        )
    return bp


def assignments(spec: LandingZoneSpec) -> list[tuple[str, str, str]]:
    """(account, permission set, group) of every assignment the spec asks for, in spec order, each once."""
    found: dict[tuple[str, str, str], None] = {}
    for index, assignment in enumerate(spec.identity.assignments):
        for account in assignment_accounts(spec, index):
            found[(account, assignment.permission_set, assignment.group)] = None
    return list(found)


def _chunks(spec: LandingZoneSpec) -> Iterator[list[tuple[str, str, str]]]:
    by_account: dict[str, list[tuple[str, str, str]]] = {}
    for item in assignments(spec):
        by_account.setdefault(item[0], []).append(item)
    accounts = list(by_account)
    for start in range(0, len(accounts), ACCOUNTS_PER_TEMPLATE):
        yield [item for account in accounts[start : start + ACCOUNTS_PER_TEMPLATE] for item in by_account[account]]


def _build_assignments(spec: LandingZoneSpec) -> list[Blueprint]:
    blueprints = []
    for number, chunk in enumerate(_chunks(spec), start=1):
        name = ASSIGNMENTS if number == 1 else f"{ASSIGNMENTS}-{number}"
        template = Template(
            Description=f"Landing zone '{spec.organization.name}': who may sign in where (IAM Identity Center "
            f"assignments), part {number}."
        )
        template.add_parameter(Parameter("InstanceArn", Type="String", Description="The Identity Center instance."))
        bp = Blueprint(name, template)
        bindings: dict[str, Any] = dict(_instance_bindings())
        for account, permission_set, group in chunk:
            set_param = logical_id("PermissionSetArn", permission_set)
            group_param = logical_id("GroupId", group)
            account_param = logical_id("AccountId", account)
            for param, value in (
                (set_param, {"Fn::GetAtt": [permission_set_logical_id(permission_set), "PermissionSetArn"]}),
                (group_param, {"Fn::GetAtt": [group_logical_id(group), "GroupId"]}),
                (account_param, account_id_value(spec, account)),
            ):
                if param not in bindings:
                    template.add_parameter(Parameter(param, Type="String"))
                    bindings[param] = value
            location = Location(account, spec.organization.home_region)
            add_bound(
                bp,
                Assignment(
                    logical_id("Assignment", account, permission_set, group),
                    InstanceArn=Ref("InstanceArn"),
                    PermissionSetArn=Ref(set_param),
                    PrincipalId=Ref(group_param),
                    PrincipalType="GROUP",
                    TargetId=Ref(account_param),
                    TargetType="AWS_ACCOUNT",
                ),
                bindings=bindings,
                address=assignment_address(account, permission_set, group),
                location=location,
            )
        blueprints.append(bp)
    return blueprints
