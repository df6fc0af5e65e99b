"""Drift of the log archive: key rotation disabled, the key policy or the bucket policy replaced, the
public access block removed, a key scheduled for deletion. Each is named precisely and repaired."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bootstrap.aws.session import Sessions
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live

Drift = tuple[str, str, Any, Any]
PERMISSIVE = "PublicReadAndDelete"


def rotation_off(o: Any) -> Drift:
    kms = o.archive_kms()
    kms.disable_key_rotation(KeyId=o.key(kms, "logs")["KeyId"])
    return "logging/key/logs", "EnableKeyRotation", False, True


def permissive_bucket_policy(o: Any) -> Drift:
    wanted = o.bucket_policy()
    permissive = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": PERMISSIVE,
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["s3:GetObject", "s3:DeleteObject"],
                "Resource": f"arn:aws:s3:::{o.bucket}/*",
            }
        ],
    }
    o.s3().put_bucket_policy(Bucket=o.bucket, Policy=json.dumps(permissive))
    return "logging/bucket-policy/logs", "PolicyDocument", permissive, wanted


def public_access_block_removed(o: Any) -> Drift:
    o.s3().delete_public_access_block(Bucket=o.bucket)
    flags = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
    return "logging/bucket/logs", "PublicAccessBlockConfiguration", None, dict.fromkeys(flags, True)


def key_policy_opened(o: Any) -> Drift:
    kms = o.archive_kms()
    key_id = o.key(kms, "logs")["KeyId"]
    wanted = o.key_policy(kms, key_id)
    root = f"arn:aws:iam::{o.account_id('log-archive')}:root"
    opened = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Everyone", "Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"}
        ],
    }
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(opened))
    return "logging/key/logs", "KeyPolicy", opened, wanted


DRIFTS = {
    "key-rotation-disabled": rotation_off,
    "bucket-policy-replaced": permissive_bucket_policy,
    "public-access-block-removed": public_access_block_removed,
    "key-policy-replaced": key_policy_opened,
}


@pytest.mark.parametrize("tamper", DRIFTS.values(), ids=DRIFTS.keys())
def test_drift_is_named_repaired_and_gone(
    tamper: Callable[[Any], Drift], log_outsider: Any, assert_repaired: Callable[[Drift], None]
) -> None:
    assert_repaired(tamper(log_outsider))


def test_restored_archive_reads_back_as_the_spec_says(
    applied: LandingZoneSpec, sessions: Sessions, apply: Any, log_outsider: Any
) -> None:
    o = log_outsider
    permissive_bucket_policy(o)
    public_access_block_removed(o)
    rotation_off(o)
    apply(applied, sessions)
    sids = {s["Sid"] for s in o.bucket_policy()["Statement"]}
    assert PERMISSIVE not in sids and "DenyTamperingExceptBreakGlass" in sids
    assert all(o.s3().get_public_access_block(Bucket=o.bucket)["PublicAccessBlockConfiguration"].values())
    kms = o.archive_kms()
    assert kms.get_key_rotation_status(KeyId=o.key(kms, "logs")["KeyId"])["KeyRotationEnabled"] is True


def test_a_key_scheduled_for_deletion_is_rescued(
    applied: LandingZoneSpec, sessions: Sessions, apply: Any, log_outsider: Any
) -> None:
    kms = log_outsider.archive_kms()
    key_id = log_outsider.key(kms, "logs")["KeyId"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)

    live, _ = plan_live(applied, sessions)
    assert [(c.address, [(d.name, d.before, d.after) for d in c.diffs]) for c in live.plan.changes] == [
        ("logging/key/logs", [("Enabled", False, True)])
    ]
    assert live.plan.changes[0].reason == "KeyState PendingDeletion: apply cancels the deletion and enables the key"
    apply(applied, sessions)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    assert plan_live(applied, sessions)[0].plan.empty
