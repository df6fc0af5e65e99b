"""The account baseline's IAM password policy (`Bootstrap::IAM::AccountPasswordPolicy`): how it is read, compared,
changed, and the IAM actions that takes.

CloudFormation has no resource for an account's password policy, so it is one of the toolkit's own types, one
per account, at the account's global location (IAM is global).

Reading: one `GetAccountPasswordPolicy` per account. An account without a policy answers `NoSuchEntity`: the
policy is absent (to be created). Changing: `UpdateAccountPasswordPolicy` replaces the whole policy (a parameter
left out goes back to AWS's default, which is weaker), so every property is sent on every create or update. The
toolkit never deletes the policy: without one, IAM accepts passwords of 8 characters of any kind.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code, with_retries
from bootstrap.changes import Change
from bootstrap.errors import SafetyError
from bootstrap.observed import ObservedResource
from bootstrap.resources import Resource
from bootstrap.types.base import HandlerContext, Outputs, ReadScope, ResourceType, TypeRule, lowered, turned_off
from bootstrap.types.mapping import FieldMap

PASSWORD_POLICY = "Bootstrap::IAM::AccountPasswordPolicy"
ABSENT = "NoSuchEntity"

POLICY = FieldMap.of(
    ("MinimumPasswordLength", "MinimumPasswordLength"),
    ("RequireSymbols", "RequireSymbols"),
    ("RequireNumbers", "RequireNumbers"),
    ("RequireUppercaseCharacters", "RequireUppercaseCharacters"),
    ("RequireLowercaseCharacters", "RequireLowercaseCharacters"),
    ("AllowUsersToChangePassword", "AllowUsersToChangePassword"),
    ("PasswordReusePrevention", "PasswordReusePrevention"),
    ("MaxPasswordAge", "MaxPasswordAge"),
)
"""The policy's settings: the resource's properties carry the API's own names (there is no CloudFormation type)."""


def max_age_raised(before: Any, after: Any) -> bool:
    """Passwords that expired now live longer, or never expire."""
    return isinstance(before, int) and (after is None or (isinstance(after, int) and after > before))


def read_password_policies(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    """The account's one policy, observed for each desired resource of the scope (there is one)."""
    iam = scope.client("iam")
    try:
        live = iam.get_account_password_policy()["PasswordPolicy"]
    except ClientError as err:
        if error_code(err) in (ABSENT, "NoSuchEntityException"):
            return {}
        raise
    properties = POLICY.to_cfn(live, unset=(None, 0))  # no expiry: absent on AWS, 0 in moto
    return {
        r.address: ObservedResource(r.address, r.type, r.location.account, dict(properties), owned=True)
        for r in resources
    }


class PasswordPolicyHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        """The whole policy at once (a parameter left out would fall back to AWS's weaker default)."""
        iam = ctx.client("iam", resource.location)
        arguments = POLICY.to_api(props)
        with_retries(lambda: iam.update_account_password_policy(**arguments), sleep=ctx.sleep)
        return Outputs(resource.location.account)

    update = create

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never deletes an account's password policy ({change.address})",
            "Revert the spec change; without a policy IAM accepts any password of 8 characters.",
        )


TYPES = (
    ResourceType(
        PASSWORD_POLICY,
        TypeRule(
            compared=POLICY.cfn_names,
            deletable=False,
            weakens={
                "MinimumPasswordLength": lowered,
                "PasswordReusePrevention": lowered,
                "MaxPasswordAge": max_age_raised,
                "RequireSymbols": turned_off,
                "RequireNumbers": turned_off,
                "RequireUppercaseCharacters": turned_off,
                "RequireLowercaseCharacters": turned_off,
            },
        ),
        PasswordPolicyHandler(),
        read_password_policies,
        read_actions=("iam:GetAccountPasswordPolicy",),
        write_actions=("iam:UpdateAccountPasswordPolicy",),
        service="iam",
    ),
)
