"""The account baseline's S3 Block Public Access at the account level (`Bootstrap::S3::AccountPublicAccessBlock`):
how it is read, compared, changed, and the IAM actions that takes.

Reading: one `get_public_access_block` per account through the S3 Control API. An account with no configuration
at all answers `NoSuchPublicAccessBlockConfiguration`: that is the setting being absent (to be created), not an
error. The setting has no tags and no owner; it is the account's, and the toolkit only ever sets it to the
spec's values.

Changing: `put_public_access_block` writes all four flags at once and is idempotent, so create and update are
the same call. The toolkit never removes the setting: that would open every bucket of the account to public
ACLs and policies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from blueprints.account_baseline import PUBLIC_ACCESS_BLOCK_FLAGS
from bootstrap.aws.retry import error_code, with_retries
from bootstrap.changes import Change
from bootstrap.errors import SafetyError
from bootstrap.observed import ObservedResource
from bootstrap.resources import Resource
from bootstrap.types.base import HandlerContext, Outputs, ReadScope, ResourceType, TypeRule, turned_off

if TYPE_CHECKING:
    from mypy_boto3_s3control.type_defs import PublicAccessBlockConfigurationTypeDef

ACCOUNT_PUBLIC_ACCESS_BLOCK = "Bootstrap::S3::AccountPublicAccessBlock"
ABSENT = "NoSuchPublicAccessBlockConfiguration"


def read_account_public_access_blocks(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    """The account's id is the scope's (a member account), or the literal the spec pins (management)."""
    s3control = scope.client("s3control")
    found = {}
    for resource in resources:
        account_id = scope.account_id or str(resource.properties["AccountId"])
        try:
            live = s3control.get_public_access_block(AccountId=account_id)["PublicAccessBlockConfiguration"]
        except ClientError as err:
            if error_code(err) == ABSENT:
                continue
            raise
        found[resource.address] = ObservedResource(
            resource.address,
            resource.type,
            account_id,
            {"AccountId": account_id, **{flag: bool(live.get(flag)) for flag in PUBLIC_ACCESS_BLOCK_FLAGS}},
            owned=True,
        )
    return found


class AccountPublicAccessBlockHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        s3control = ctx.client("s3control", resource.location)
        account_id = str(props["AccountId"])
        configuration = cast(
            "PublicAccessBlockConfigurationTypeDef", {f: bool(props[f]) for f in PUBLIC_ACCESS_BLOCK_FLAGS}
        )
        with_retries(
            lambda: s3control.put_public_access_block(
                AccountId=account_id, PublicAccessBlockConfiguration=configuration
            ),
            sleep=ctx.sleep,
        )
        return Outputs(account_id)

    update = create

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never removes an account's S3 Block Public Access ({change.address})",
            "Revert the spec change; turn it off by hand only if the account must serve public buckets.",
        )


TYPES = (
    ResourceType(
        ACCOUNT_PUBLIC_ACCESS_BLOCK,
        TypeRule(
            compared=PUBLIC_ACCESS_BLOCK_FLAGS,
            deletable=False,
            weakens=dict.fromkeys(PUBLIC_ACCESS_BLOCK_FLAGS, turned_off),
        ),
        AccountPublicAccessBlockHandler(),
        read_account_public_access_blocks,
        read_actions=("s3:GetAccountPublicAccessBlock",),
        write_actions=("s3:PutAccountPublicAccessBlock",),
        service="s3control",
    ),
)
