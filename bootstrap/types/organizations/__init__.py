"""AWS Organizations: the organization, its root's policy types, OUs, policies (SCPs, RCPs, the AI services
opt-out policy) and accounts: how they are compared, changed, and the IAM actions that takes.

They are read together, in one walk of the organization (`ORGANIZATION_TREE`, `bootstrap.observe.organizations`),
which runs first because it finds the member accounts every other reader reads in. Their handlers are in
`handlers.py`.
"""

from __future__ import annotations

from bootstrap.resources import ADDRESS_TAG_PROPERTY
from bootstrap.types.base import ORGANIZATION_TREE, ResourceType, TypeRule, items_removed
from bootstrap.types.organizations import handlers

ORG = "AWS::Organizations::Organization"
POLICY_TYPES = "Bootstrap::Organizations::RootPolicyTypes"
OU = "AWS::Organizations::OrganizationalUnit"
POLICY = "AWS::Organizations::Policy"
ACCOUNT = "AWS::Organizations::Account"

_TREE_READS = (
    "organizations:DescribeOrganization",
    "organizations:ListRoots",
    "organizations:ListOrganizationalUnitsForParent",
    "organizations:ListAccountsForParent",
    "organizations:ListTagsForResource",
    "organizations:ListCreateAccountStatus",
    "organizations:ListPolicies",
    "organizations:ListPoliciesForTarget",
    "organizations:ListTargetsForPolicy",
    "organizations:DescribePolicy",
)
"""The walk reads every Organizations type at once: each type is granted all of it."""

TYPES = (
    ResourceType(
        ORG,
        TypeRule(compared=("FeatureSet",), report_only=frozenset({"FeatureSet"}), deletable=False),
        handlers.OrganizationHandler(),
        ORGANIZATION_TREE,
        read_actions=_TREE_READS,
        write_actions=(
            "organizations:CreateOrganization", "organizations:DescribeOrganization", "iam:CreateServiceLinkedRole",
        ),
        service="organizations",
    ),
    ResourceType(
        POLICY_TYPES,
        TypeRule(compared=("PolicyTypes",), sets=frozenset({"PolicyTypes"}), deletable=False),
        handlers.RootPolicyTypesHandler(),
        ORGANIZATION_TREE,
        read_actions=_TREE_READS,
        write_actions=("organizations:EnablePolicyType", "organizations:ListRoots"),
        service="organizations",
    ),
    ResourceType(
        OU,
        TypeRule(
            compared=("Name", "ParentId", ADDRESS_TAG_PROPERTY),
            replace_on=frozenset({"ParentId"}),
            owned_only=frozenset({ADDRESS_TAG_PROPERTY}),
        ),
        handlers.OrganizationalUnitHandler(),
        ORGANIZATION_TREE,
        read_actions=_TREE_READS,
        write_actions=(
            "organizations:CreateOrganizationalUnit", "organizations:UpdateOrganizationalUnit",
            "organizations:DeleteOrganizationalUnit", "organizations:TagResource",
            "organizations:ListOrganizationalUnitsForParent", "organizations:ListAccountsForParent",
        ),
        service="organizations",
        tagger=handlers.tag,
    ),
    ResourceType(
        POLICY,
        TypeRule(
            compared=("Name", "Description", "Content", "TargetIds", ADDRESS_TAG_PROPERTY),
            sets=frozenset({"TargetIds"}),
            owned_only=frozenset({ADDRESS_TAG_PROPERTY}),
            shown_on_create=frozenset({"TargetIds"}),
            weakens={"TargetIds": items_removed},
            weakens_on_delete=True,
        ),
        handlers.PolicyHandler(),
        ORGANIZATION_TREE,
        read_actions=_TREE_READS,
        write_actions=(
            "organizations:CreatePolicy", "organizations:UpdatePolicy", "organizations:DeletePolicy",
            "organizations:AttachPolicy", "organizations:DetachPolicy", "organizations:TagResource",
            "organizations:ListPolicies", "organizations:DescribePolicy", "organizations:ListTagsForResource",
        ),
        service="organizations",
        tagger=handlers.tag,
    ),
    ResourceType(
        ACCOUNT,
        TypeRule(
            compared=("AccountName", "Email", "ParentIds"),
            sets=frozenset({"ParentIds"}),
            report_only=frozenset({"AccountName", "Email"}),
            deletable=False,
            shown_on_create=frozenset({"Email", "ParentIds"}),
        ),
        handlers.AccountHandler(),
        ORGANIZATION_TREE,
        read_actions=_TREE_READS,
        write_actions=(
            "organizations:CreateAccount", "organizations:DescribeCreateAccountStatus", "organizations:MoveAccount",
            "organizations:ListParents", "organizations:ListRoots", "organizations:TagResource", "sts:AssumeRole",
        ),
        service="organizations",
    ),
)  # fmt: skip
