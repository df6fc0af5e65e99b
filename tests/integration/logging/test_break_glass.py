"""After the first apply, the log bucket's own policy reserves changes to its settings to the break-glass
role. A plan that needs such a change says so up front (a warning on the change), read from the live
policy: nothing is said where the toolkit can still act (a permissive policy, the access-log bucket).
When AWS does refuse, the error names both possible causes: the bucket policy and a guardrail SCP."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.stub import Stubber

from bootstrap.apply.context import ApplyContext
from bootstrap.aws.session import Sessions
from bootstrap.changes import Action, Change, PropertyDiff
from bootstrap.errors import AwsError
from bootstrap.plan.refs import Registry
from bootstrap.resources import DesiredState, Location, Resource
from bootstrap.spec.log_archive import access_log_bucket_name
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.types.s3 import BucketHandler, BucketPolicyHandler
from bootstrap.workflow import plan_live

NOTE = "AWS will allow this change only to the break-glass role LandingZoneBreakGlass: run apply as that role"


def break_glass_notes(plan: Any) -> dict[str, str]:
    return {n.address: n.message for n in plan.notes if "break-glass" in n.message and n.severity == "warning"}


def test_a_change_the_bucket_policy_reserves_is_flagged_in_the_plan(
    applied: LandingZoneSpec, sessions: Sessions, log_outsider: Any
) -> None:
    log_outsider.s3().delete_public_access_block(Bucket=log_outsider.bucket)
    live, _ = plan_live(applied, sessions)
    assert [(c.address, c.action) for c in live.plan.changes] == [("logging/bucket/logs", Action.UPDATE)]
    notes = break_glass_notes(live.plan)
    assert list(notes) == ["logging/bucket/logs"]
    assert notes["logging/bucket/logs"].startswith(NOTE)
    assert "PublicAccessBlockConfiguration" in notes["logging/bucket/logs"]
    assert not live.plan.blocked, "a warning: the break-glass role can apply this plan"


def test_a_spec_change_to_the_locked_settings_is_flagged_too(
    applied: LandingZoneSpec, variant: Any, sessions: Sessions
) -> None:
    longer = variant(lambda d: d["logging"]["object_lock"].update(days=400))
    notes = break_glass_notes(plan_live(longer, sessions)[0].plan)
    assert notes["logging/bucket/logs"].startswith(NOTE)
    assert "ObjectLockConfiguration" in notes["logging/bucket/logs"]


def test_no_note_where_the_toolkit_itself_may_act(
    applied: LandingZoneSpec, sessions: Sessions, log_outsider: Any
) -> None:
    """A bucket policy replaced by a permissive one no longer reserves anything, and the access-log
    bucket's policy never did: the toolkit repairs both as itself."""
    s3 = log_outsider.s3()
    permissive = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::x/*"}
        ],
    }
    s3.put_bucket_policy(Bucket=log_outsider.bucket, Policy=json.dumps(permissive))
    s3.delete_public_access_block(Bucket=access_log_bucket_name(applied))
    live, _ = plan_live(applied, sessions)
    assert {c.address for c in live.plan.changes} == {"logging/bucket-policy/logs", "logging/bucket/access-logs"}
    assert break_glass_notes(live.plan) == {}


LOCKED_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyTamperingExceptBreakGlass",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": ["s3:PutBucketPolicy", "s3:PutBucketPublicAccessBlock"],
            "Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"],
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/LandingZoneBreakGlass"}},
        }
    ],
}


def _denied_update(live_policy: dict[str, Any] | None, *, policy: bool = False) -> AwsError:
    """Apply one update through a stubbed S3 that answers AccessDenied, then serves `live_policy`."""
    import boto3

    s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(s3)
    stubber.add_client_error(
        "put_bucket_policy" if policy else "put_public_access_block", "AccessDenied", "Access Denied", 403
    )
    if live_policy is None:
        stubber.add_client_error("get_bucket_policy", "NoSuchBucketPolicy", "none", 404)
    else:
        stubber.add_response("get_bucket_policy", {"Policy": json.dumps(live_policy)}, {"Bucket": "logs"})
    ctx = ApplyContext(sessions=None, desired=DesiredState(()), registry=Registry(), journal=None)  # type: ignore[arg-type]
    ctx.client = lambda service, location: s3  # type: ignore[method-assign]
    ctx.sleep = lambda seconds: None
    where = Location("log-archive", "us-east-1")
    with stubber, pytest.raises(AwsError) as raised:
        if policy:
            resource = Resource("logging/bucket-policy/logs", "LogBucketPolicy", "AWS::S3::BucketPolicy", where, {})
            props = {"Bucket": "logs", "PolicyDocument": {"Version": "2012-10-17", "Statement": []}}
            change = Change(resource.address, resource.type, where, Action.UPDATE, "logs")
            BucketPolicyHandler().update(ctx, resource, props, change)
        else:
            resource = Resource("logging/bucket/logs", "LogBucket", "AWS::S3::Bucket", where, {"BucketName": "logs"})
            block = dict.fromkeys(
                ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
            )
            props = {"BucketName": "logs", "PublicAccessBlockConfiguration": block}
            diff = PropertyDiff("PublicAccessBlockConfiguration", None, block)
            change = Change(resource.address, resource.type, where, Action.UPDATE, "logs", diffs=(diff,))
            BucketHandler().update(ctx, resource, props, change)
    stubber.assert_no_pending_responses()
    return raised.value


@pytest.mark.parametrize("policy", [False, True], ids=["bucket-setting", "bucket-policy"])
def test_access_denied_names_the_bucket_policy_and_the_guardrail(aws_env: None, policy: bool) -> None:
    error = _denied_update(LOCKED_POLICY, policy=policy)
    assert "bucket policy" in error.message and "guardrail SCP (protect-log-archive)" in error.message
    assert "the break-glass role LandingZoneBreakGlass" in error.message
    assert "as the break-glass role LandingZoneBreakGlass" in error.remediation


def test_access_denied_without_a_reserving_policy_blames_the_guardrail_not_the_policy(aws_env: None) -> None:
    error = _denied_update(None)
    assert "does not reserve s3:PutBucketPublicAccessBlock" in error.message
    assert "guardrail SCP (protect-log-archive)" in error.message
    assert "OrganizationAccountAccessRole" in error.remediation
