"""Policy documents compare by meaning: AWS's respelling of a document is not drift."""

from __future__ import annotations

import json

import pytest

from bootstrap.plan.normalize import equivalent, normalize

WRITTEN = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyTampering",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
            "Resource": ["arn:aws:s3:::logs"],
            "Condition": {"ArnNotLike": {"aws:PrincipalARN": ["arn:aws:iam::*:role/BreakGlass"]}},
        },
        {
            "Sid": "TlsOnly",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"],
            "Condition": {"Bool": {"aws:SecureTransport": False}},
        },
    ],
}

# How S3 and KMS hand the same document back: one-item lists as strings, other order, other key case.
AS_RETURNED = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Resource": ["arn:aws:s3:::logs/*", "arn:aws:s3:::logs"],
            "Action": "s3:*",
            "Principal": {"AWS": "*"},
            "Effect": "Deny",
            "Sid": "TlsOnly",
        },
        {
            "Sid": "DenyTampering",
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["s3:DeleteBucketPolicy", "s3:PutBucketPolicy"],
            "Resource": "arn:aws:s3:::logs",
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"}},
        },
    ],
}


def test_aws_respelling_is_equivalent() -> None:
    assert WRITTEN != AS_RETURNED
    assert equivalent(AS_RETURNED, WRITTEN)


def test_a_json_string_equals_its_document() -> None:
    assert equivalent(json.dumps(AS_RETURNED, indent=4), WRITTEN)


def test_policies_nested_in_other_properties_are_normalised() -> None:
    written = [{"PolicyName": "trail", "PolicyDocument": WRITTEN}]
    returned = [{"PolicyName": "trail", "PolicyDocument": AS_RETURNED}]
    assert equivalent(returned, written)


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s[0].update(Action="s3:*"),
        lambda s: s[0]["Condition"]["ArnNotLike"].update({"aws:PrincipalARN": ["arn:aws:iam::*:role/Other"]}),
        lambda s: s[1].update(Effect="Allow"),
        lambda s: s.pop(),
        lambda s: s[1]["Condition"]["Bool"].update({"aws:SecureTransport": True}),
        lambda s: s[0].update(Principal={"AWS": "arn:aws:iam::111122223333:root"}),
    ],
    ids=["action", "exempt-role", "effect", "statement-removed", "condition-value", "principal"],
)
def test_real_changes_are_not_equivalent(edit) -> None:  # type: ignore[no-untyped-def]
    changed = json.loads(json.dumps(WRITTEN))
    edit(changed["Statement"])
    assert not equivalent(changed, WRITTEN)


def test_non_policy_values_are_untouched() -> None:
    assert normalize({"a": [3, 1]}) == {"a": [3, 1]}
    assert normalize("not {json") == "not {json"
    assert not equivalent([1, 2], [2, 1])
