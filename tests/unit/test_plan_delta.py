"""The plan names what changed inside a document (`bootstrap.plan.delta`), and prints it for people."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from bootstrap.changes import Action, Change, Plan, PropertyDiff
from bootstrap.plan.delta import cut_at_change, describe
from bootstrap.plan.diff import _flag_weakening
from bootstrap.plan.render import print_plan
from bootstrap.resources import GLOBAL, Location

KMS = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:aws:kms:us-east-1:111122223333:key/k"}
AES = {"SSEAlgorithm": "AES256"}
REGIONS = {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}


@pytest.mark.parametrize(
    ("before", "after", "said"),
    [
        (
            {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": KMS, "BucketKeyEnabled": True}]},
            {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "BucketKeyEnabled true → (none); KMSMasterKeyID arn:aws:kms:us-east-1:111122223333:key/k → (none); "
            "SSEAlgorithm aws:kms → AES256",
        ),
        (
            {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}}},
            {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}},
            "Days 365 → 1",
        ),
        (
            {"Statement": [{"Sid": "DenyRegions", "Effect": "Deny", "Condition": REGIONS}]},
            {
                "Statement": [
                    {
                        "Sid": "DenyRegions",
                        "Effect": "Deny",
                        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-central-1"]}},
                    }
                ]
            },
            "Statement DenyRegions: aws:RequestedRegion -eu-west-1 +eu-central-1",
        ),
        (
            {"Statement": [{"Sid": "Old", "Effect": "Deny", "Action": "a:*"}]},
            {"Statement": [{"Sid": "New", "Effect": "Deny", "Action": "a:*"}]},
            "-Statement Old; +Statement New",
        ),
        (
            {"Statement": {"Sid": "A", "Action": "s3:Get*"}},
            {"Statement": {"Sid": "A", "Action": ["s3:Get*", "s3:List*"]}},
            "Statement A: Action +s3:List*",
        ),
        ({"RetentionInDays": None}, {"RetentionInDays": 365}, "RetentionInDays (none) → 365"),
        ([{"a": 1}], [{"a": 1}, {"b": 2}], '+{"b":2}'),
    ],
)  # fmt: skip
def test_document_changes_are_named(before: object, after: object, said: str) -> None:
    assert describe(before, after) == said


def test_long_text_is_cut_where_it_changes() -> None:
    before, after = cut_at_change("x" * 200 + "old ending", "x" * 200 + "new ending")
    assert "old ending" in before and "new ending" in after
    assert before.startswith("…")


def test_the_plan_prints_the_named_change_the_old_blank_and_a_new_accounts_email_and_ou() -> None:
    where = Location("log-archive", "us-east-1")
    plan = Plan(
        changes=(
            Change(
                "logging/bucket/logs",
                "AWS::S3::Bucket",
                where,
                Action.UPDATE,
                "acme-logs",
                diffs=(
                    PropertyDiff(
                        "BucketEncryption",
                        {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": KMS}]},
                        {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": AES}]},
                    ),
                    PropertyDiff("LoggingConfiguration", None, {"DestinationBucketName": "acme-access-logs"}),
                ),
            ),
            Change(
                "organizations/account/audit",
                "AWS::Organizations::Account",
                Location("management", GLOBAL),
                Action.CREATE,
                diffs=(
                    PropertyDiff("AccountName", None, "audit"),
                    PropertyDiff("Email", None, "aws+audit@example.com"),
                    PropertyDiff("ParentIds", None, ["ou-ab12-cd34ef56"]),
                ),
            ),
        ),
        labels={"ou-ab12-cd34ef56": "OU Security"},
    )  # fmt: skip
    out = io.StringIO()
    print_plan(plan, Console(file=out, width=200, no_color=True, highlight=False))
    printed = out.getvalue()
    named = "KMSMasterKeyID arn:aws:kms:us-east-1:111122223333:key/k → (none); SSEAlgorithm aws:kms → AES256"
    assert f"BucketEncryption: {named}" in printed
    assert "LoggingConfiguration: DestinationBucketName (none) → acme-access-logs" in printed
    assert "Email: (none) → aws+audit@example.com" in printed
    assert "ParentIds: +ou-ab12-cd34ef56 (OU Security)" in printed
    assert "AccountName" not in printed


def test_a_change_round_trips_through_its_one_definition_and_removals_are_destructive() -> None:
    change = Change(
        "network/default-vpc/audit/eu-west-1",
        "Bootstrap::EC2::DefaultVpcAbsent",
        Location("audit", "eu-west-1"),
        Action.CREATE,
        diffs=(PropertyDiff("VpcId", "vpc-1", None),),
        removes=True,
    )
    assert Change.from_dict(change.to_dict()) == change
    assert change.destructive and change.to_dict()["destructive"] is True
    assert Plan(changes=(change,)).count() == (0, 0, 1)
    assert not Change("a", "T", Location("m", GLOBAL), Action.CREATE).destructive


@pytest.mark.parametrize(
    ("type_", "action", "diff", "flagged"),
    [
        ("AWS::KMS::Key", Action.UPDATE, PropertyDiff("EnableKeyRotation", True, False), ("EnableKeyRotation",)),
        ("AWS::KMS::Key", Action.UPDATE, PropertyDiff("EnableKeyRotation", False, True), ()),  # a repair
        ("AWS::CloudTrail::Trail", Action.UPDATE, PropertyDiff("IsLogging", True, False), ("IsLogging",)),
        ("AWS::Organizations::Policy", Action.UPDATE, PropertyDiff("TargetIds", ["ou-1", "ou-2"], ["ou-1"]),
         ("TargetIds",)),
        ("AWS::Organizations::Policy", Action.UPDATE, PropertyDiff("TargetIds", ["ou-1"], ["ou-1", "ou-2"]), ()),
        ("AWS::Organizations::Policy", Action.DELETE, None, ("deleted",)),
        ("AWS::Logs::LogGroup", Action.UPDATE, PropertyDiff("RetentionInDays", 365, 30), ("RetentionInDays",)),
        ("AWS::S3::Bucket", Action.UPDATE,
         PropertyDiff("PublicAccessBlockConfiguration", {"BlockPublicAcls": True}, {"BlockPublicAcls": False}),
         ("PublicAccessBlockConfiguration",)),
        ("Bootstrap::S3::AccountPublicAccessBlock", Action.UPDATE, PropertyDiff("BlockPublicPolicy", True, False),
         ("BlockPublicPolicy",)),
        ("AWS::SNS::Topic", Action.DELETE, None, ()),
    ],
)  # fmt: skip
def test_changes_that_weaken_security_are_flagged(
    type_: str, action: Action, diff: PropertyDiff | None, flagged: tuple[str, ...]
) -> None:
    change = Change("x", type_, Location("management", GLOBAL), action, "id", diffs=(diff,) if diff else ())
    assert _flag_weakening(change).weakens == flagged


def test_the_plan_prints_the_weakening() -> None:
    change = Change(
        "logging/trail",
        "AWS::CloudTrail::Trail",
        Location("management", "us-east-1"),
        Action.UPDATE,
        "acme-trail",
        diffs=(PropertyDiff("IsLogging", True, False),),
        weakens=("IsLogging",),
    )
    out = io.StringIO()
    print_plan(Plan(changes=(change,)), Console(file=out, width=120, no_color=True))
    assert "! weakens security: IsLogging" in out.getvalue()
