"""What the toolkit will not do: replace the Object-Locked bucket (refused with an explanation, never
executed), or change a bucket of its name that it does not own (reported, left alone)."""

from __future__ import annotations

from typing import Any

import pytest

from bootstrap.aws.session import Sessions
from bootstrap.errors import SafetyError
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live


def test_turning_object_lock_off_is_refused_never_executed(
    applied: LandingZoneSpec, variant: Any, sessions: Sessions, apply: Any, log_outsider: Any
) -> None:
    unlocked = variant(lambda d: d["logging"]["object_lock"].update(enabled=False))
    live, _ = plan_live(unlocked, sessions)
    assert "logging/bucket/logs" not in {c.address for c in live.plan.changes}, "no replacement is planned"
    (refusal,) = [n for n in live.plan.blocked if n.address == "logging/bucket/logs"]
    assert "ObjectLockEnabled" in refusal.message and "refused" in refusal.message
    with pytest.raises(SafetyError):
        apply(unlocked, sessions)
    lock = log_outsider.s3().get_object_lock_configuration(Bucket=log_outsider.bucket)["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled", "the bucket is untouched"
    assert plan_live(applied, sessions)[0].plan.empty


def test_a_changed_retention_is_an_update_not_a_replacement(
    applied: LandingZoneSpec, variant: Any, sessions: Sessions, apply: Any, log_outsider: Any
) -> None:
    longer = variant(lambda d: d["logging"]["object_lock"].update(days=400))
    live, _ = plan_live(longer, sessions)
    assert [(c.address, c.action.value, [d.name for d in c.diffs]) for c in live.plan.changes] == [
        ("logging/bucket/logs", "update", ["ObjectLockConfiguration"])
    ]
    apply(longer, sessions)
    lock = log_outsider.s3().get_object_lock_configuration(Bucket=log_outsider.bucket)["ObjectLockConfiguration"]
    assert lock["Rule"]["DefaultRetention"]["Days"] == 400


def test_a_bucket_of_that_name_the_toolkit_does_not_own_is_left_alone(
    applied: LandingZoneSpec, sessions: Sessions, log_outsider: Any
) -> None:
    s3 = log_outsider.s3()
    s3.delete_bucket_tagging(Bucket=log_outsider.bucket)
    s3.delete_public_access_block(Bucket=log_outsider.bucket)
    live, _ = plan_live(applied, sessions)
    assert "logging/bucket/logs" not in {c.address for c in live.plan.changes}
    (note,) = [n for n in live.plan.blocked if n.address == "logging/bucket/logs"]
    assert "bootstrap adopt logging/bucket/logs" in note.message, "blocked, with the remedy"
    assert not live.plan.summary().startswith("No changes")
