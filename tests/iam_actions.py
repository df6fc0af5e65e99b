"""Which IAM action authorizes an API call: `service:Operation` as botocore names it -> the IAM action.

Mostly the IAM prefix of the service and the operation's name; the exceptions are AWS's own (S3 names several
permissions differently from its operations, CloudWatch's API is `monitoring`), from the Service Authorization
Reference. Used by the test that every call the integration tests make is covered by `bootstrap permissions`.
"""

from __future__ import annotations

PREFIXES = {"cloudwatch": "cloudwatch", "s3control": "s3", "resourcegroupstaggingapi": "tag", "sso-admin": "sso"}
"""botocore service name -> IAM prefix, where they differ from the service name."""

RENAMED = {
    "s3:ListBuckets": "s3:ListAllMyBuckets",
    "s3:HeadBucket": "s3:ListBucket",
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "s3:PutBucketEncryption": "s3:PutEncryptionConfiguration",
    "s3:DeleteBucketEncryption": "s3:PutEncryptionConfiguration",
    "s3:GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "s3:PutObjectLockConfiguration": "s3:PutBucketObjectLockConfiguration",
    "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "s3:PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "s3:DeletePublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "s3:DeleteBucketOwnershipControls": "s3:PutBucketOwnershipControls",
    "s3control:GetPublicAccessBlock": "s3:GetAccountPublicAccessBlock",
    "s3control:PutPublicAccessBlock": "s3:PutAccountPublicAccessBlock",
    "s3control:DeletePublicAccessBlock": "s3:PutAccountPublicAccessBlock",
    "budgets:DescribeBudgets": "budgets:ViewBudget",
    "budgets:DescribeBudget": "budgets:ViewBudget",
    "budgets:DescribeNotificationsForBudget": "budgets:ViewBudget",
    "budgets:DescribeSubscribersForNotification": "budgets:ViewBudget",
    "budgets:CreateBudget": "budgets:ModifyBudget",
    "budgets:UpdateBudget": "budgets:ModifyBudget",
    "budgets:DeleteBudget": "budgets:ModifyBudget",
    "budgets:CreateNotification": "budgets:ModifyBudget",
    "budgets:DeleteNotification": "budgets:ModifyBudget",
    "budgets:CreateSubscriber": "budgets:ModifyBudget",
    "budgets:DeleteSubscriber": "budgets:ModifyBudget",
}

UNAUTHORIZED = frozenset({"sts:GetCallerIdentity"})
"""Calls no IAM policy can deny."""


def iam_action(call: str) -> str | None:
    """The IAM action for a `service:Operation` call, or None if no permission is needed."""
    if call in UNAUTHORIZED:
        return None
    if call in RENAMED:
        return RENAMED[call]
    service, _, operation = call.partition(":")
    return f"{PREFIXES.get(service, service)}:{operation}"
