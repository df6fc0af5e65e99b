"""Centralized root access for member accounts (`Bootstrap::IAM::CentralizedRootAccess`): how it is read,
compared, changed, and the IAM actions that takes.

Three settings of the organization, enabled from the management account in this order: IAM's trusted access
(`organizations:EnableAWSServiceAccess` for `iam.amazonaws.com`), root credentials management (the management
account can then delete a member account's root password, access keys, signing certificates and MFA devices, and
accounts created from then on have no root credentials) and root sessions (a short task-scoped root session in a
member account, `sts:AssumeRoot`, for the few tasks only root can do, such as unlocking a bucket policy). A member
account's root user is then no standing credential to steal: its recovery goes through the management account.

Reading: trusted access from `ListAWSServiceAccessForOrganization`, the features from
`ListOrganizationsFeatures`, which answers `ServiceAccessNotEnabledException` (nothing enabled) until trusted
access is on. The settings always exist (on or off), so a change is an update, and the plan says what it does.
Existing root credentials of member accounts are not removed by this: the runbook (`account-baseline.md`) says how.

The toolkit never disables any of them. The sandbox (moto) implements none of it (it even refuses trusted access
for IAM): there the plan says so (`unavailable`), plans nothing for it, and apply leaves it alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from blueprints.account_baseline import ROOT_FEATURES
from bootstrap.aws.retry import TRANSIENT, error_code, with_retries
from bootstrap.changes import Change
from bootstrap.errors import SafetyError
from bootstrap.names import IAM_PRINCIPAL
from bootstrap.observed import ObservedResource
from bootstrap.resources import Resource
from bootstrap.types.base import HandlerContext, Outputs, ReadScope, ResourceType, TypeRule, turned_off
from bootstrap.types.pages import pages

CENTRALIZED_ROOT_ACCESS = "Bootstrap::IAM::CentralizedRootAccess"
TRUSTED_ACCESS = "TrustedAccess"
NOTHING_ENABLED = frozenset(
    {"ServiceAccessNotEnabledException", "OrganizationNotFoundException", "AWSOrganizationsNotInUseException"}
)
"""What the reads answer while trusted access (or the organization itself) is not there yet: nothing is enabled."""
SETTLING = TRANSIENT | {"ServiceAccessNotEnabledException"}
"""Right after trusted access is enabled, IAM may not see it for a few seconds."""
NOT_IN_SANDBOX = (
    "centralized root access for member accounts is not available in the sandbox: it implements neither IAM's "
    "ListOrganizationsFeatures/EnableOrganizationsRoot* nor trusted access for iam.amazonaws.com, so it is neither "
    "read nor set here. On AWS, plan reads it and apply enables it"
)
WHAT_IT_DOES = (
    "members' root passwords, access keys and MFA devices can then be deleted centrally from the management "
    "account, new accounts are created without root credentials, and root-only tasks in a member account run as "
    "short root sessions from the management account (runbooks/account-baseline.md#member-root-credentials)"
)


def explain(live: Mapping[str, Any]) -> str:
    """What enabling it changes, said in the plan."""
    return f"enables centralized root access: {WHAT_IT_DOES}"


def _enabled_features(scope: ReadScope) -> list[str]:
    try:
        return [str(f) for f in scope.client("iam").list_organizations_features().get("EnabledFeatures", [])]
    except ClientError as err:
        if error_code(err) in NOTHING_ENABLED:
            return []
        raise


def _trusted(scope: ReadScope) -> bool:
    try:
        enabled = pages(
            scope.client("organizations"), "list_aws_service_access_for_organization", "EnabledServicePrincipals"
        )
    except ClientError as err:
        if error_code(err) in NOTHING_ENABLED:
            return False
        raise
    return any(p["ServicePrincipal"] == IAM_PRINCIPAL for p in enabled)


def read_root_access(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    trusted, features = scope.gather([lambda: _trusted(scope), lambda: _enabled_features(scope)])
    properties: dict[str, Any] = {
        TRUSTED_ACCESS: IAM_PRINCIPAL if trusted else None,
        **{feature: feature in features for feature in ROOT_FEATURES},
    }
    return {
        r.address: ObservedResource(r.address, r.type, "organization", dict(properties), owned=True) for r in resources
    }


class RootAccessHandler:
    """Trusted access first, then each feature that is off (each call is idempotent)."""

    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        changed = {d.name for d in change.diffs}
        if props.get(TRUSTED_ACCESS) and TRUSTED_ACCESS in changed:
            organizations = ctx.client("organizations", resource.location)
            with_retries(
                lambda: organizations.enable_aws_service_access(ServicePrincipal=IAM_PRINCIPAL), sleep=ctx.sleep
            )
        iam = ctx.client("iam", resource.location)
        if props.get("RootCredentialsManagement") and "RootCredentialsManagement" in changed:
            with_retries(iam.enable_organizations_root_credentials_management, codes=SETTLING, sleep=ctx.sleep)
        if props.get("RootSessions") and "RootSessions" in changed:
            with_retries(iam.enable_organizations_root_sessions, codes=SETTLING, sleep=ctx.sleep)
        return Outputs("organization")

    update = create

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never disables centralized root access ({change.address})",
            "Revert the spec change; disable it by hand (IAM console, Root access management) only if you must.",
        )


TYPES = (
    ResourceType(
        CENTRALIZED_ROOT_ACCESS,
        TypeRule(
            compared=(TRUSTED_ACCESS, *ROOT_FEATURES),
            deletable=False,
            explain=explain,
            weakens={TRUSTED_ACCESS: turned_off, **dict.fromkeys(ROOT_FEATURES, turned_off)},
        ),
        RootAccessHandler(),
        read_root_access,
        read_actions=("organizations:ListAWSServiceAccessForOrganization", "iam:ListOrganizationsFeatures"),
        write_actions=(
            "organizations:EnableAWSServiceAccess",
            "iam:EnableOrganizationsRootCredentialsManagement",
            "iam:EnableOrganizationsRootSessions",
        ),
        service="iam",
        not_in_sandbox=NOT_IN_SANDBOX,
    ),
)
