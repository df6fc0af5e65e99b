"""The models of the spec's `identity` section: IAM Identity Center permission sets, groups and assignments.

What the section means for the rest of the toolkit (the permission sets resolved against the library shipped in
`permission_sets/`, the accounts an assignment lands in, the checks `validate` runs) is in
`bootstrap.spec.identity_checks` and `bootstrap.spec.permission_set_library`; this module needs only the field
types, so `model.py` can import it without a cycle.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from bootstrap.spec.types import Model, OuPath

IDENTITY_CENTER: Literal["identity_center"] = "identity_center"
EXTERNAL: Literal["external"] = "external"


class CustomerManagedPolicyRef(Model):
    """A customer managed policy by name and path: it must exist in every account the set is assigned in."""

    name: str = Field(description="The IAM policy's name.")
    path: str = Field("/", description="The IAM policy's path.")


class PermissionsBoundarySpec(Model):
    """A permissions boundary for the roles a permission set creates: an AWS managed policy, or a customer
    managed policy by name and path."""

    managed_policy_arn: str | None = Field(None, description="An AWS managed policy ARN.")
    customer_managed_policy: CustomerManagedPolicyRef | None = Field(
        None, description="A customer managed policy by name and path."
    )


class PermissionSetSpec(Model):
    """A permission set of the spec's own (a library one is named by its id alone)."""

    name: str = Field(description="The permission set's name (1-32 of letters, digits and +=,.@_-).")
    description: str = Field("", description="What the permission set is for.")
    managed_policies: list[str] = Field(default_factory=list, description="AWS managed policy ARNs.")
    customer_managed_policies: list[CustomerManagedPolicyRef] = Field(
        default_factory=list, description="Customer managed policies, by name and path."
    )
    inline_policy: dict[str, Any] | str | None = Field(
        None, description="An IAM policy document (a mapping, or its JSON text)."
    )
    permissions_boundary: PermissionsBoundarySpec | None = None
    session_duration: str = Field("PT1H", description="ISO 8601 duration, 1 to 12 hours (PT1H, PT4H, PT12H).")
    relay_state: str = Field("", description="Where the console opens after sign-in (a URL).")
    tags: dict[str, str] = Field(default_factory=dict, description="Tags of the permission set.")


class GroupSpec(Model):
    """A group that receives access. With the Identity Center directory the toolkit creates it; with an external
    identity provider it only looks it up by display name (the IdP provisions it through SCIM)."""

    name: str = Field(description="The group's display name.")
    description: str = Field("", description="What the group is for.")


class AssignmentSpec(Model):
    """A group given a permission set in accounts: named ones and every account in the OUs and below."""

    group: str = Field(description="A group of `groups`.")
    permission_set: str = Field(description="A permission set of `permission_sets` (library id or own name).")
    ous: list[OuPath] = Field(
        default_factory=list,
        description="OU paths: every account of the spec in the OU or below it, including accounts added later.",
    )
    accounts: list[str] = Field(
        default_factory=list,
        description="Account names; 'management' only with identity.allow_management_account: true.",
    )


class IdentitySpec(Model):
    """IAM Identity Center: who signs in where, with which permissions. The organization instance itself is
    enabled by hand (runbooks/identity-center.md); the toolkit finds it in the home region."""

    enabled: bool = Field(True, description="Build this layer at all (it builds nothing without permission sets).")
    source: Literal["identity_center", "external"] = Field(
        IDENTITY_CENTER,
        description="identity_center: the toolkit creates the groups in the Identity Center directory. external: "
        "an identity provider provisions them (SCIM); the toolkit only looks them up by display name.",
    )
    allow_management_account: bool = Field(
        False,
        description="Allow assignments to the management account (AWS advises against them; the plan marks them).",
    )
    permission_sets: list[str | PermissionSetSpec] = Field(
        default_factory=list,
        description="Library permission sets by id (administrator, power-user, read-only, security-audit, "
        "billing, break-glass-viewer), or the spec's own.",
    )
    groups: list[GroupSpec] = Field(default_factory=list, description="Groups that receive access.")
    assignments: list[AssignmentSpec] = Field(default_factory=list, description="Group x permission set x targets.")
    operator_permission_set: str | None = Field(
        "administrator",
        description="The permission set whose sessions in the management account may run the toolkit (added to "
        "the operators the bootstrap role trusts); none to add nothing.",
    )
