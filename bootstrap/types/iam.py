"""IAM roles (the trail's delivery role and the landing zone's own roles, `blueprints/roles.py`): how they are
read, compared, changed, and the IAM actions that takes.

Reading: two paginated calls per account, whatever the number of roles (`_roles`). Changing: a role's trust
policy and inline policies are rewritten whole when they drift; inline policies the spec no longer names are
removed. A role of the toolkit's name that it did not create (no `bootstrap:managed` tag) is never adopted
unless the blueprint names it by `import_id`: its trust policy is someone else's.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code, with_retries
from bootstrap.changes import Change
from bootstrap.errors import SafetyError
from bootstrap.names import BOOTSTRAP, flow_logs_role_address, role_address
from bootstrap.observed import Finding, ObservedResource
from bootstrap.resources import ADDRESS_TAG, ADDRESS_TAG_PROPERTY, MANAGED_TAG, Location, Resource
from bootstrap.types.base import ClientFor, HandlerContext, Outputs, ReadScope, ResourceType, TypeRule
from bootstrap.types.mapping import tag_dict
from bootstrap.types.pages import pages

ROLE = "AWS::IAM::Role"
DROPPED_WHEN_UNUSED = (flow_logs_role_address,)
"""Addresses (per account) of roles that serve one purpose of the spec: once the spec no longer has it there (no
VPC of the account sends its flow logs to CloudWatch Logs), the role is an orphan the plan deletes."""


def _roles(scope: ReadScope) -> dict[str, dict[str, Any]]:
    """Every role of the account by name, with its policies and tags: `list_roles` (description, session
    duration) and `get_account_authorization_details` (trust, inline and managed policies, tags), two paginated
    calls per account instead of four per role."""

    def read() -> dict[str, dict[str, Any]]:
        iam = scope.client("iam")
        listed = {r["RoleName"]: r for r in pages(iam, "list_roles", "Roles")}
        if not listed:
            return {}
        details = pages(iam, "get_account_authorization_details", "RoleDetailList", Filter=["Role"])
        return {d["RoleName"]: {**listed.get(d["RoleName"], {}), **d} for d in details if d["RoleName"] in listed}

    return dict(scope.once("iam.roles", read))


def read_roles(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    """Roles by name. One of the toolkit's names without its ownership tag is someone else's: reported as
    an error that blocks the plan, because the trail would otherwise be pointed at a role whose trust
    policy the toolkit does not control, and adopting it would rewrite that policy."""
    roles = _roles(scope)
    found = {}
    for resource in resources:
        name = str(resource.properties["RoleName"])
        if name not in roles:
            continue
        role = detail = roles[name]
        policies = sorted(
            ({"PolicyName": p["PolicyName"], "PolicyDocument": p["PolicyDocument"]} for p in detail["RolePolicyList"]),
            key=lambda p: str(p["PolicyName"]),
        )
        role_tags = tag_dict(detail.get("Tags", []))
        owned = role_tags.get(MANAGED_TAG) == "true"
        path = str(role.get("Path") or "/")
        if path != str(resource.properties.get("Path") or "/"):
            scope.findings.append(
                Finding(
                    resource.address,
                    f"an IAM role named {name} already exists in this account under the path {path}: its ARN "
                    f"({role['Arn']}) is not the one the guardrails exempt or the policies trust, and a role "
                    "cannot be moved to another path, so the toolkit neither adopts nor replaces it. Delete it "
                    "(protect-landing-zone-roles keeps anyone but the bootstrap role from making it again), then "
                    "plan again",
                    "error",
                )
            )
        elif not owned and resource.import_id is None:  # a landing-zone role's name is adopted (blueprints/roles.py)
            scope.findings.append(
                Finding(
                    resource.address,
                    f"an IAM role named {name} already exists in this account but was not created by the toolkit "
                    f"(no {MANAGED_TAG} tag); it is not adopted, and its trust policy is left alone. Rename or "
                    "delete it, then plan again",
                    "error",
                )
            )
        found[resource.address] = ObservedResource(
            resource.address,
            resource.type,
            name,
            {
                "RoleName": name,
                "Description": role.get("Description", ""),
                "AssumeRolePolicyDocument": role["AssumeRolePolicyDocument"],
                "Policies": policies,
                "ManagedPolicyArns": sorted(p["PolicyArn"] for p in detail.get("AttachedManagedPolicies", [])),
                "MaxSessionDuration": role.get("MaxSessionDuration", 3600),
                ADDRESS_TAG_PROPERTY: role_tags.get(ADDRESS_TAG) if owned else None,
            },
            owned=owned,
            attributes={"Arn": role["Arn"], "RoleId": role["RoleId"]},
        )
    found.update(_dropped_roles(scope, roles))
    return found


def _dropped_roles(scope: ReadScope, roles: dict[str, dict[str, Any]]) -> dict[str, ObservedResource]:
    """Roles the toolkit made for a purpose the spec no longer has in this account (`DROPPED_WHEN_UNUSED`), as
    orphans for the plan to delete; the landing zone's own roles are never deleted this way."""
    account = scope.location.account
    orphans = {}
    for name, role in roles.items():
        tags = tag_dict(role.get("Tags", []))
        address = tags.get(ADDRESS_TAG, "")
        if tags.get(MANAGED_TAG) != "true" or address in scope.desired.by_address:
            continue
        if address not in {dropped(account) for dropped in DROPPED_WHEN_UNUSED}:
            continue
        policies = [{"PolicyName": p["PolicyName"]} for p in role.get("RolePolicyList", [])]
        managed = sorted(p["PolicyArn"] for p in role.get("AttachedManagedPolicies", []))
        orphans[address] = ObservedResource(
            address,
            ROLE,
            name,
            {"RoleName": name, "Policies": policies, "ManagedPolicyArns": managed},
            owned=True,
            location=scope.location,
        )
    return orphans


class RoleHandler:
    """IAM roles: the trail's delivery role and the landing zone's own roles (`blueprints/roles.py`).

    A role the blueprint names by `import_id` is adopted when it exists untagged (its trust and policies
    set to the spec's, its tags stamped); any other untagged role of a wanted name is refused. Inline
    policies are written before managed policies are detached, so an administrator role never passes
    through a moment without its permissions. Once the bootstrap role of a member account is in place, the
    toolkit enters that account through it (`Sessions.enter_as`)."""

    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        iam = ctx.client("iam", resource.location)
        name = props["RoleName"]
        try:
            with_retries(
                lambda: iam.create_role(
                    RoleName=name,
                    AssumeRolePolicyDocument=json.dumps(props["AssumeRolePolicyDocument"]),
                    Description=props.get("Description", ""),
                    MaxSessionDuration=int(props.get("MaxSessionDuration", 3600)),
                    Tags=list(props.get("Tags", [])),
                ),
                sleep=ctx.sleep,
            )
            before: dict[str, Any] = {}
        except ClientError as err:
            if error_code(err) != "EntityAlreadyExists":
                raise
            before = self._existing(iam, resource, name)
            iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(props["AssumeRolePolicyDocument"]))
            iam.update_role(
                RoleName=name,
                Description=props.get("Description", ""),
                MaxSessionDuration=int(props.get("MaxSessionDuration", 3600)),
            )
            iam.tag_role(RoleName=name, Tags=list(props.get("Tags", [])))
        self._policies(iam, name, props, before=before.get("Policies") or [])
        self._managed(iam, name, props, before=before.get("ManagedPolicyArns") or [])
        return self._done(ctx, iam, resource, name)

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        iam = ctx.client("iam", resource.location)
        name = props["RoleName"]
        changed = {d.name for d in change.diffs}
        before = change.before or {}
        if "AssumeRolePolicyDocument" in changed:
            iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(props["AssumeRolePolicyDocument"]))
        if changed & {"Description", "MaxSessionDuration"}:
            iam.update_role(
                RoleName=name,
                Description=props.get("Description", ""),
                MaxSessionDuration=int(props.get("MaxSessionDuration", 3600)),
            )
        if "Policies" in changed:
            self._policies(iam, name, props, before=before.get("Policies") or [])
        if "ManagedPolicyArns" in changed:
            self._managed(iam, name, props, before=before.get("ManagedPolicyArns") or [])
        if ADDRESS_TAG_PROPERTY in changed:
            iam.tag_role(RoleName=name, Tags=list(props.get("Tags", [])))
        return self._done(ctx, iam, resource, name)

    @staticmethod
    def _done(ctx: HandlerContext, iam: Any, resource: Resource, name: str) -> Outputs:
        role = iam.get_role(RoleName=name)["Role"]
        account_id = ctx.account_id(resource.location.account)
        if account_id is not None and resource.address == role_address(BOOTSTRAP, resource.location.account):
            ctx.sessions.enter_as(account_id, name, timeout=ctx.wait_timeout, sleep=ctx.sleep)
        return Outputs(name, {"Arn": role["Arn"], "RoleId": role["RoleId"]})

    @staticmethod
    def _existing(iam: Any, resource: Resource, name: str) -> dict[str, Any]:
        """A role of this name made since the plan was read: resumed if an interrupted run of the toolkit
        made it (it carries the ownership tag) or adopted if the blueprint names it (`import_id`), refused
        otherwise. Returns what it holds now, for the policies to be brought to the spec."""
        role = iam.get_role(RoleName=name)["Role"]
        tags = tag_dict(role.get("Tags", []))
        if tags.get(MANAGED_TAG) != "true" and resource.import_id is None:
            raise SafetyError(
                f"an IAM role named {name} ({resource.address}) already exists and was not created by the toolkit "
                f"(no {MANAGED_TAG} tag): refusing to adopt it or rewrite its trust policy",
                "Rename or delete that role if it is not needed, then run `bootstrap apply` again.",
            )
        inline = iam.get_paginator("list_role_policies").paginate(RoleName=name)
        attached = iam.get_paginator("list_attached_role_policies").paginate(RoleName=name)
        return {
            "Policies": [{"PolicyName": n} for page in inline for n in page["PolicyNames"]],
            "ManagedPolicyArns": [a["PolicyArn"] for page in attached for a in page["AttachedPolicies"]],
        }

    @staticmethod
    def _policies(iam: Any, name: str, props: dict[str, Any], before: list[dict[str, Any]]) -> None:
        wanted = {p["PolicyName"]: p["PolicyDocument"] for p in props.get("Policies", [])}
        for policy, document in wanted.items():
            iam.put_role_policy(RoleName=name, PolicyName=policy, PolicyDocument=json.dumps(document))
        for old in before:
            if old["PolicyName"] not in wanted:
                iam.delete_role_policy(RoleName=name, PolicyName=old["PolicyName"])

    @staticmethod
    def _managed(iam: Any, name: str, props: dict[str, Any], before: list[str]) -> None:
        wanted = list(props.get("ManagedPolicyArns") or [])
        for arn in wanted:
            if arn not in before:
                iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        for arn in before:
            if arn not in wanted:
                iam.detach_role_policy(RoleName=name, PolicyArn=arn)

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        iam = ctx.client("iam", change.location)
        name = str(change.physical_id)
        for policy in (change.before or {}).get("Policies") or []:
            iam.delete_role_policy(RoleName=name, PolicyName=policy["PolicyName"])
        for arn in (change.before or {}).get("ManagedPolicyArns") or []:
            iam.detach_role_policy(RoleName=name, PolicyArn=arn)
        try:
            iam.delete_role(RoleName=name)
        except ClientError as err:
            if error_code(err) != "NoSuchEntity":
                raise


def tag_role(client: ClientFor, where: Location, name: str, tags: dict[str, str]) -> None:
    client.client("iam", where).tag_role(RoleName=name, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])


TYPES = (
    ResourceType(
        ROLE,
        TypeRule(
            compared=(
                "RoleName",
                "Description",
                "AssumeRolePolicyDocument",
                "Policies",
                "ManagedPolicyArns",
                "MaxSessionDuration",
                ADDRESS_TAG_PROPERTY,
            ),
            sets=frozenset({"ManagedPolicyArns"}),
            replace_on=frozenset({"RoleName"}),
            owned_only=frozenset({ADDRESS_TAG_PROPERTY}),
        ),
        RoleHandler(),
        read_roles,
        read_actions=("iam:ListRoles", "iam:GetAccountAuthorizationDetails"),
        write_actions=(
            "iam:CreateRole", "iam:TagRole", "iam:GetRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole",
            "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
            "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:DeleteRole", "sts:AssumeRole",
        ),
        service="iam",
        tagger=tag_role,
    ),
)  # fmt: skip
