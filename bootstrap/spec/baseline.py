"""The `baseline` section of the spec: settings every account of the organization gets.

Today S3 Block Public Access at the account level (all four flags) in the management account and every
member account. On by default; `enabled: false` leaves every account's setting as it is (the toolkit
never turns it off), for tests of other layers and for organizations that manage it elsewhere.
"""

from __future__ import annotations

from pydantic import Field

from bootstrap.spec.types import Model


class BaselineSpec(Model):
    """What every account gets, management included."""

    enabled: bool = Field(True, description="Apply the account baseline at all.")
    s3_block_public_access: bool = Field(
        True,
        description="S3 Block Public Access at the account level, all four settings, in every account: no "
        "bucket or access point of the account can be made public by an ACL or a policy.",
    )


def baseline_applies(baseline: BaselineSpec) -> bool:
    return baseline.enabled and baseline.s3_block_public_access
