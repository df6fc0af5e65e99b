"""IAM Identity Center permission sets (`AWS::SSO::PermissionSet`): how they are read, compared, changed and
re-provisioned, and the IAM actions that takes.

Reading: the instance's permission sets once per observation (`sso_common.permission_sets`), then, per set of the
spec, its AWS managed policies, customer managed policy references, inline policy, permissions boundary and tags
at once. A boundary attached by hand is drift like any other part. Of the tags, only the keys the spec's `Tags`
hold are compared (a missing key or another value is drift); tags of other keys are other people's, left alone.
A set is the toolkit's when its description carries the ownership mark; one of the spec's names without it is
someone else's, and never changed. The toolkit's sets the spec no longer lists are orphans (deleted with
`--allow-destroy`).

Changing: a set's parts are set to the spec's, then the set is re-provisioned to every account it is provisioned
in (`ALL_PROVISIONED_ACCOUNTS`): until then the roles in those accounts keep the old permissions. Provisioning is
asynchronous; the handler waits for it, bounded (`sso_common.wait_for`). Tags are not part of those roles: a
change of tags alone is made with `TagResource` (the spec's keys only) and re-provisions nothing.

The sandbox (moto) has no tag or permissions-boundary calls (`ListTagsForResource`, `TagResource`,
`Get/Put/DeletePermissionsBoundary...`). There the reader calls neither, takes the spec's tags and boundary as
read (nothing is planned for them) and says so in one `unavailable` note; the handler never calls them (the tags
given at creation are kept: `CreatePermissionSet` takes them).
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from blueprints.identity import owner_of
from bootstrap.aws.retry import error_code
from bootstrap.changes import UNAVAILABLE, Change
from bootstrap.errors import SafetyError
from bootstrap.names import IDENTITY_PERMISSION_SETS_ADDRESS
from bootstrap.observed import Finding, ObservedResource
from bootstrap.resources import Resource
from bootstrap.types.base import HandlerContext, Outputs, ReadScope, ResourceType, TypeRule
from bootstrap.types.mapping import tag_dict
from bootstrap.types.pages import pages
from bootstrap.types.sso_common import instance, permission_sets, wait_for

PERMISSION_SET = "AWS::SSO::PermissionSet"
SET_PREFIX = "identity/permission-set/"
_SETTINGS = ("Description", "SessionDuration", "RelayStateType")
_NOT_PROVISIONED = frozenset({"Tags"})
"""Parts that are not in the roles Identity Center makes in the accounts: a change of them alone re-provisions
nothing."""
SANDBOX_NOTE = (
    "this endpoint cannot read a permission set's tags or permissions boundary (the sandbox has no "
    "ListTagsForResource, TagResource or permissions-boundary calls): a change to them, in the spec or by hand, is "
    "not seen here, and apply sets no boundary and re-tags nothing here. On AWS the toolkit reads both, compares "
    "them with the spec and repairs them"
)


def _compact(document: Any) -> str:
    """The inline policy as sent: compact JSON, what `validate` measured against AWS's 32,768 characters."""
    return json.dumps(document, separators=(",", ":"), sort_keys=True)


def _boundary(answer: dict[str, Any]) -> dict[str, Any] | None:
    boundary = answer.get("PermissionsBoundary") or {}
    if boundary.get("ManagedPolicyArn"):
        return {"ManagedPolicyArn": boundary["ManagedPolicyArn"]}
    ref = boundary.get("CustomerManagedPolicyReference")
    if ref:
        return {"CustomerManagedPolicyReference": {"Name": ref["Name"], "Path": ref.get("Path", "/")}}
    return None


def _parts(scope: ReadScope, instance_arn: str, arn: str, resource: Resource) -> dict[str, Any]:
    sso = scope.management_client("sso-admin")
    at = {"InstanceArn": instance_arn, "PermissionSetArn": arn}
    calls = [
        partial(pages, sso, "list_managed_policies_in_permission_set", "AttachedManagedPolicies", **at),
        partial(pages, sso, "list_customer_managed_policy_references_in_permission_set",
                "CustomerManagedPolicyReferences", **at),
        partial(sso.get_inline_policy_for_permission_set, **at),
    ]  # fmt: skip
    if not scope.simulated:  # the sandbox has neither call: SANDBOX_NOTE
        calls.append(partial(_read_boundary, sso, at))
        calls.append(partial(pages, sso, "list_tags_for_resource", "Tags", InstanceArn=instance_arn, ResourceArn=arn))
    managed, customer, inline, *guarded = scope.gather(calls)
    tags: list[dict[str, str]] | None
    if guarded:
        boundary, tags = guarded[0], _spec_keys(resource, guarded[1])
    else:
        boundary, tags = resource.properties.get("PermissionsBoundary"), resource.properties.get("Tags")
    text = inline.get("InlinePolicy") or ""
    return {
        "ManagedPolicies": sorted(p["Arn"] for p in managed),
        "CustomerManagedPolicyReferences": sorted(
            ({"Name": c["Name"], "Path": c.get("Path", "/")} for c in customer), key=lambda c: (c["Path"], c["Name"])
        ),
        "InlinePolicy": json.loads(text) if text else None,
        "PermissionsBoundary": boundary,
        "Tags": tags,
    }


def _spec_keys(resource: Resource, live: list[dict[str, str]]) -> list[dict[str, str]]:
    """The live tags of the keys the spec's `Tags` hold, in the spec's order (a key missing live is left out, so
    it shows as drift); tags of other keys are someone else's and not compared."""
    values = tag_dict(live)
    wanted = [str(t["Key"]) for t in resource.properties.get("Tags") or []]
    return [{"Key": key, "Value": values[key]} for key in wanted if key in values]


def _read_boundary(sso: Any, at: dict[str, str]) -> dict[str, Any] | None:
    try:
        return _boundary(sso.get_permissions_boundary_for_permission_set(**at))
    except ClientError as err:
        if error_code(err) == "ResourceNotFoundException":
            return None
        raise


def read_permission_sets(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    found_instance = instance(scope)
    if found_instance is None:
        return {}
    instance_arn = str(found_instance["InstanceArn"])
    if scope.simulated and resources:
        scope.findings.append(Finding(IDENTITY_PERMISSION_SETS_ADDRESS, SANDBOX_NOTE, UNAVAILABLE))
    listed = permission_sets(scope)
    by_name = {ps["Name"]: ps for ps in listed.values()}
    wanted = {r.address for r in resources}
    found: dict[str, ObservedResource] = {}
    present = [(r, by_name[str(r.properties["Name"])]) for r in resources if str(r.properties["Name"]) in by_name]
    parts = scope.gather([partial(_parts, scope, instance_arn, ps["PermissionSetArn"], r) for r, ps in present])
    for (resource, ps), read in zip(present, parts, strict=True):
        arn = str(ps["PermissionSetArn"])
        found[resource.address] = ObservedResource(
            resource.address,
            resource.type,
            arn,
            {
                "InstanceArn": instance_arn,
                "Name": ps["Name"],
                "Description": ps.get("Description") or "",
                "SessionDuration": ps.get("SessionDuration"),
                "RelayStateType": ps.get("RelayState") or None,
                **read,
            },
            owned=ps["Owner"] == resource.address,
            attributes={"PermissionSetArn": arn},
        )
    for arn, ps in listed.items():
        owner = ps["Owner"]
        if owner and owner.startswith(SET_PREFIX) and owner not in wanted:
            found[owner] = ObservedResource(
                owner, PERMISSION_SET, arn, {"InstanceArn": instance_arn, "Name": ps["Name"]}, owned=True,
                location=scope.location,
            )  # fmt: skip
    names = {str(r.properties["Name"]) for r in resources}
    others = sorted(ps["Name"] for ps in listed.values() if not ps["Owner"] and ps["Name"] not in names)
    if others:
        scope.findings.append(
            Finding(
                IDENTITY_PERMISSION_SETS_ADDRESS,
                f"permission sets the toolkit did not create, left alone: {', '.join(others)}",
                "info",
            )
        )
    return found


class PermissionSetHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        sso = ctx.client("sso-admin", resource.location)
        instance_arn = props["InstanceArn"]
        arguments: dict[str, Any] = {
            "InstanceArn": instance_arn,
            "Name": props["Name"],
            "Description": props.get("Description", ""),
            "SessionDuration": props["SessionDuration"],
            "Tags": list(props.get("Tags", [])),
        }
        if props.get("RelayStateType"):
            arguments["RelayState"] = props["RelayStateType"]
        try:
            arn = sso.create_permission_set(**arguments)["PermissionSet"]["PermissionSetArn"]
            before: dict[str, Any] = {}
        except ClientError as err:
            if error_code(err) != "ConflictException":
                raise
            arn, before = self._resumed(sso, resource, props)
        self._set_parts(sso, instance_arn, arn, props, before, sandbox=ctx.sessions.target.simulated)
        return Outputs(arn, {"PermissionSetArn": arn})

    @staticmethod
    def _resumed(sso: Any, resource: Resource, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """A set of this name made since the plan was read: resumed if it carries the ownership mark of this
        address (an interrupted run of the toolkit made it), refused otherwise."""
        instance_arn = props["InstanceArn"]
        for arn in pages(sso, "list_permission_sets", "PermissionSets", InstanceArn=instance_arn):
            ps = sso.describe_permission_set(InstanceArn=instance_arn, PermissionSetArn=arn)["PermissionSet"]
            if ps["Name"] == props["Name"]:
                if owner_of(ps.get("Description")) != resource.address:
                    raise SafetyError(
                        f"a permission set named {props['Name']} ({resource.address}) already exists and was not "
                        "created by the toolkit: refusing to change it",
                        "Rename or delete that permission set, or rename the spec's, then run `bootstrap apply` again.",
                    )
                at = {"InstanceArn": instance_arn, "PermissionSetArn": arn}
                return arn, {
                    "ManagedPolicies": [
                        p["Arn"]
                        for p in pages(sso, "list_managed_policies_in_permission_set", "AttachedManagedPolicies", **at)
                    ],
                    "InlinePolicy": sso.get_inline_policy_for_permission_set(**at).get("InlinePolicy") or None,
                }
        raise SafetyError(
            f"creating the permission set {props['Name']} conflicts with one AWS does not list",
            "Run `bootstrap plan` again.",
        )

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        sso = ctx.client("sso-admin", resource.location)
        arn = str(change.physical_id)
        instance_arn = props["InstanceArn"]
        changed = {d.name for d in change.diffs}
        if changed & set(_SETTINGS):
            arguments = {
                "InstanceArn": instance_arn,
                "PermissionSetArn": arn,
                "Description": props.get("Description", ""),
                "SessionDuration": props["SessionDuration"],
            }
            if props.get("RelayStateType"):
                arguments["RelayState"] = props["RelayStateType"]
            sso.update_permission_set(**arguments)
        sandbox = ctx.sessions.target.simulated
        self._set_parts(sso, instance_arn, arn, props, change.before or {}, only=changed, sandbox=sandbox)
        if "Tags" in changed and not sandbox:  # the sandbox has no TagResource (SANDBOX_NOTE)
            sso.tag_resource(InstanceArn=instance_arn, ResourceArn=arn, Tags=list(props.get("Tags") or []))
        if changed <= _NOT_PROVISIONED:
            return Outputs(arn, {"PermissionSetArn": arn})
        request = sso.provision_permission_set(
            InstanceArn=instance_arn, PermissionSetArn=arn, TargetType="ALL_PROVISIONED_ACCOUNTS"
        )["PermissionSetProvisioningStatus"]
        request_id = str(request.get("RequestId"))
        wait_for(
            ctx,
            lambda: sso.describe_permission_set_provisioning_status(
                InstanceArn=instance_arn, ProvisionPermissionSetRequestId=request_id
            )["PermissionSetProvisioningStatus"],
            what=f"re-provisioning the permission set {props['Name']}",
            request_id=request_id,
            status=request,
        )
        return Outputs(arn, {"PermissionSetArn": arn})

    @staticmethod
    def _set_parts(
        sso: Any,
        instance_arn: str,
        arn: str,
        props: dict[str, Any],
        before: dict[str, Any],
        only: set[str] | None = None,
        sandbox: bool = False,
    ) -> None:
        """Attach what the spec has and the live set lacks, detach the rest: inline policy and additions first,
        so a set never passes through a moment with less than both the old and the new permissions allow. The
        sandbox has no permissions-boundary calls: there the boundary is left as it is (SANDBOX_NOTE says so)."""
        at = {"InstanceArn": instance_arn, "PermissionSetArn": arn}

        def wanted(name: str) -> bool:
            return only is None or name in only

        if wanted("InlinePolicy"):
            if props.get("InlinePolicy"):
                sso.put_inline_policy_to_permission_set(**at, InlinePolicy=_compact(props["InlinePolicy"]))
            elif before.get("InlinePolicy"):
                sso.delete_inline_policy_from_permission_set(**at)
        if wanted("ManagedPolicies"):
            new, old = list(props.get("ManagedPolicies") or []), list(before.get("ManagedPolicies") or [])
            for policy in new:
                if policy not in old:
                    sso.attach_managed_policy_to_permission_set(**at, ManagedPolicyArn=policy)
            for policy in old:
                if policy not in new:
                    sso.detach_managed_policy_from_permission_set(**at, ManagedPolicyArn=policy)
        if wanted("CustomerManagedPolicyReferences"):
            refs = [
                {"Name": r["Name"], "Path": r.get("Path", "/")}
                for r in props.get("CustomerManagedPolicyReferences") or []
            ]
            old_refs = list(before.get("CustomerManagedPolicyReferences") or [])
            for ref in refs:
                if ref not in old_refs:
                    sso.attach_customer_managed_policy_reference_to_permission_set(
                        **at, CustomerManagedPolicyReference=ref
                    )
            for ref in old_refs:
                if ref not in refs:
                    sso.detach_customer_managed_policy_reference_from_permission_set(
                        **at, CustomerManagedPolicyReference=ref
                    )
        if wanted("PermissionsBoundary") and not sandbox:
            if props.get("PermissionsBoundary"):
                sso.put_permissions_boundary_to_permission_set(**at, PermissionsBoundary=props["PermissionsBoundary"])
            elif before.get("PermissionsBoundary"):
                sso.delete_permissions_boundary_from_permission_set(**at)

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        sso = ctx.client("sso-admin", change.location)
        try:
            sso.delete_permission_set(
                InstanceArn=(change.before or {})["InstanceArn"], PermissionSetArn=str(change.physical_id)
            )
        except ClientError as err:
            if error_code(err) != "ResourceNotFoundException":
                raise


TYPES = (
    ResourceType(
        PERMISSION_SET,
        TypeRule(
            compared=(
                "InstanceArn", "Name", "Description", "SessionDuration", "RelayStateType", "ManagedPolicies",
                "CustomerManagedPolicyReferences", "InlinePolicy", "PermissionsBoundary", "Tags",
            ),
            sets=frozenset({"ManagedPolicies"}),
            replace_on=frozenset({"InstanceArn", "Name"}),
        ),
        PermissionSetHandler(),
        read_permission_sets,
        read_actions=(
            "sso:ListInstances", "sso:ListPermissionSets", "sso:DescribePermissionSet",
            "sso:ListManagedPoliciesInPermissionSet", "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
            "sso:GetInlinePolicyForPermissionSet", "sso:GetPermissionsBoundaryForPermissionSet",
            "sso:ListTagsForResource",
        ),
        write_actions=(
            "sso:CreatePermissionSet", "sso:UpdatePermissionSet", "sso:DeletePermissionSet", "sso:TagResource",
            "sso:AttachManagedPolicyToPermissionSet", "sso:DetachManagedPolicyFromPermissionSet",
            "sso:AttachCustomerManagedPolicyReferenceToPermissionSet",
            "sso:DetachCustomerManagedPolicyReferenceFromPermissionSet", "sso:PutInlinePolicyToPermissionSet",
            "sso:DeleteInlinePolicyFromPermissionSet", "sso:PutPermissionsBoundaryToPermissionSet",
            "sso:DeletePermissionsBoundaryFromPermissionSet", "sso:ProvisionPermissionSet",
            "sso:DescribePermissionSetProvisioningStatus", "sso:ListPermissionSets",
        ),
        service="sso-admin",
    ),
)  # fmt: skip
