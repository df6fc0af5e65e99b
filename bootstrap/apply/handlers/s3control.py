"""Handler for S3 Block Public Access at the account level (`Bootstrap::S3::AccountPublicAccessBlock`).

`put_public_access_block` writes all four flags at once and is idempotent, so create and update are the
same call, and a re-run after an interruption simply writes them again. The toolkit never removes the
setting: that would open every bucket of the account to public ACLs and policies.
"""

from __future__ import annotations

from typing import Any

from blueprints.account_baseline import PUBLIC_ACCESS_BLOCK_FLAGS
from bootstrap.apply.context import ApplyContext, Outputs
from bootstrap.aws.retry import with_retries
from bootstrap.errors import SafetyError
from bootstrap.plan.model import Change
from bootstrap.resources import Resource


class AccountPublicAccessBlockHandler:
    def create(self, ctx: ApplyContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        s3control = ctx.client("s3control", resource.location)
        account_id = str(props["AccountId"])
        configuration = {flag: bool(props[flag]) for flag in PUBLIC_ACCESS_BLOCK_FLAGS}
        with_retries(
            lambda: s3control.put_public_access_block(
                AccountId=account_id, PublicAccessBlockConfiguration=configuration
            ),
            sleep=ctx.sleep,
        )
        return Outputs(account_id)

    update = create

    def delete(self, ctx: ApplyContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never removes an account's S3 Block Public Access ({change.address})",
            "Revert the spec change; turn it off by hand only if the account must serve public buckets.",
        )
