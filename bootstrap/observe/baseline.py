"""Reader for the account baseline: S3 Block Public Access at the account level, in CloudFormation-like
properties (the four flags), one `get_public_access_block` per account through the S3 Control API.

An account with no configuration at all answers `NoSuchPublicAccessBlockConfiguration`: that is the
setting being absent (to be created), not an error. The setting has no tags and no owner; it is the
account's, and the toolkit only ever sets it to the spec's values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from blueprints.account_baseline import PUBLIC_ACCESS_BLOCK_FLAGS
from bootstrap.aws.retry import error_code
from bootstrap.observe.state import ObservedResource
from bootstrap.resources import Resource

if TYPE_CHECKING:
    from bootstrap.observe.logging import Scope

ABSENT = "NoSuchPublicAccessBlockConfiguration"


def read_account_public_access_blocks(scope: Scope, resources: list[Resource]) -> dict[str, ObservedResource]:
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
