"""`bootstrap status` on the break-glass principal: done only with an MFA device and no access keys."""

from __future__ import annotations

from typing import Any

import boto3

from bootstrap.aws.session import Sessions
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.status.report import collect_status


def state(spec: LandingZoneSpec, sessions: Sessions) -> tuple[str, str]:
    (row,) = [r for r in collect_status(spec, sessions) if r.step.id == "break-glass"]
    return row.state, row.detail


def test_break_glass_principal_is_verified_step_by_step(spec: LandingZoneSpec, sessions: Sessions, aws: Any) -> None:
    iam = boto3.client("iam", region_name="us-east-1")
    assert state(spec, sessions) == ("pending", "arn:aws:iam::123456789012:user/break-glass does not exist yet")
    iam.create_user(UserName="break-glass")
    assert "no MFA device" in state(spec, sessions)[1]
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="break-glass")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(
        UserName="break-glass", SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
    )
    key = iam.create_access_key(UserName="break-glass")["AccessKey"]["AccessKeyId"]
    assert state(spec, sessions) == ("pending", "user break-glass has 1 access key(s); a break-glass user needs none")
    iam.delete_access_key(UserName="break-glass", AccessKeyId=key)
    assert state(spec, sessions) == ("done", "user break-glass has an MFA device and no access keys")
