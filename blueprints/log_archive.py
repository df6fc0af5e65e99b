"""The log-archive blueprint: the logs key, the Object-Locked log bucket and its access-log bucket.

Deployed in the log archive account (`logging.account`), home region. The organization trail (see
`blueprints/trail.py`) writes here; what this template needs from elsewhere (the organization id) is a
Parameter, bound to the live value by the engine. The trail is named by its ARN, which always carries the
management account's id (see `trail_arn`).

The log bucket carries no lifecycle rules: S3 refuses lifecycle configuration on a bucket with MFA Delete,
which the runbook `mfa-delete.md` has the log archive account's root user turn on.
"""

from __future__ import annotations

from typing import Any

from troposphere import AWS_ACCOUNT_ID, Join, Parameter, Ref, Template
from troposphere.s3 import (
    Bucket,
    BucketEncryption,
    BucketPolicy,
    DefaultRetention,
    LoggingConfiguration,
    ObjectLockConfiguration,
    ObjectLockRule,
    OwnershipControls,
    OwnershipControlsRule,
    PublicAccessBlockConfiguration,
    ServerSideEncryptionByDefault,
    ServerSideEncryptionRule,
    VersioningConfiguration,
)

from blueprints.binding import ACCOUNT, PARTITION, add_bound, arn, iam_arn, location_bindings
from blueprints.common import Blueprint, tags
from blueprints.keys import key_arn, key_policy, managed_key
from blueprints.network import sends_flow_logs_to_s3
from bootstrap.names import (
    ACCESS_LOG_BUCKET_ADDRESS,
    ACCESS_LOG_BUCKET_POLICY_ADDRESS,
    LOG_BUCKET_ADDRESS,
    LOG_BUCKET_POLICY_ADDRESS,
    LOGS_ALIAS_ADDRESS,
    LOGS_KEY_ADDRESS,
)
from bootstrap.resources import Location
from bootstrap.spec.log_archive import access_log_bucket_name, log_bucket_name, trail_name
from bootstrap.spec.model import LandingZoneSpec

LOGS_KEY_ID = "LogsKey"
LOG_BUCKET_ID = "LogBucket"
ACCESS_LOG_BUCKET_ID = "AccessLogBucket"
LOG_BUCKET_POLICY_ID = "LogBucketPolicy"
ACCESS_LOG_BUCKET_POLICY_ID = "AccessLogBucketPolicy"


TAMPER_ACTIONS = sorted(
    [
        "s3:BypassGovernanceRetention",
        "s3:DeleteBucket",
        "s3:DeleteBucketPolicy",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:PutBucketAcl",
        "s3:PutBucketLogging",
        "s3:PutBucketObjectLockConfiguration",
        "s3:PutBucketOwnershipControls",
        "s3:PutBucketPolicy",
        "s3:PutBucketNotification",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutBucketRequestPayment",
        "s3:PutEncryptionConfiguration",
        "s3:PutLifecycleConfiguration",
        "s3:PutReplicationConfiguration",
    ]
)
"""Denied on the log bucket to everyone but the break-glass role: deleting logs, and weakening any setting
that protects them (policy, Object Lock, encryption, public access block, ownership and ACLs, access
logging, lifecycle), and changing what happens to them on delivery: Requester Pays (CloudTrail cannot
deliver to a Requester Pays bucket, so turning it on silently stops the organization's logs), replication
(copies of every log to a bucket of someone else's choosing) and event notifications (another feed of every
object key). Removing a setting is the same IAM action as putting it (`DeleteBucketEncryption` is
`s3:PutEncryptionConfiguration`). `s3:PutBucketVersioning` has its own statement, which also exempts the
account's root user: only root can turn MFA Delete on."""

_ANYONE = {"AWS": "*"}  # never the bare string "*": moto's put_bucket_logging crashes on it


def location(spec: LandingZoneSpec) -> Location:
    return Location(spec.logging.account, spec.organization.home_region)


def trail_arn(spec: LandingZoneSpec) -> Join:
    """The organization trail's ARN, with the management account's id whichever account `trail_account` names.

    An organization trail is owned by the management account even when a delegated administrator creates
    and manages it (CloudTrail user guide, "Organization delegated administrator": "The management account
    remains the owner of any CloudTrail organization resources the delegated administrator creates"), so
    every `aws:SourceArn` condition naming the trail must use that id, or CloudTrail is refused.
    """
    org = spec.organization
    return arn("arn:", PARTITION, f":cloudtrail:{org.home_region}:{org.management_account_id}:trail/{trail_name(spec)}")


def _bucket_arns(name: str) -> list[str]:
    return [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"]


def _deny_insecure_transport(name: str) -> dict[str, Any]:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": _ANYONE,
        "Action": "s3:*",
        "Resource": _bucket_arns(name),
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _deny_outside_organization(name: str) -> dict[str, Any]:
    """AWS services (CloudTrail, S3 log delivery) have no organization id; they are scoped elsewhere."""
    return {
        "Sid": "DenyPrincipalsOutsideOrganization",
        "Effect": "Deny",
        "Principal": _ANYONE,
        "Action": "s3:*",
        "Resource": _bucket_arns(name),
        "Condition": {
            "StringNotEquals": {"aws:PrincipalOrgID": Ref("OrganizationId")},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
        },
    }


def log_bucket_policy(spec: LandingZoneSpec) -> dict[str, Any]:
    name = log_bucket_name(spec)
    trail = trail_arn(spec)
    management = spec.organization.management_account_id
    prefixes = [  # the trail's owner (the management account, even for a delegated trail), and every account
        arn(f"arn:aws:s3:::{name}/AWSLogs/", Ref("OrganizationId"), "/*"),
        f"arn:aws:s3:::{name}/AWSLogs/{management}/*",
    ]
    break_glass = iam_arn(ACCOUNT, f"role/{spec.organization.break_glass_role}")
    flow_logs = _flow_log_statements(name) if sends_flow_logs_to_s3(spec) else []
    return {
        "Version": "2012-10-17",
        "Statement": [
            _deny_insecure_transport(name),
            _deny_outside_organization(name),
            {
                "Sid": "AllowCloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": f"arn:aws:s3:::{name}",
                "Condition": {"StringEquals": {"aws:SourceArn": trail}},
            },
            {
                "Sid": "AllowCloudTrailWriteForThisOrganization",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": prefixes,
                "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail}},
            },
            *flow_logs,
            {
                "Sid": "DenyTamperingExceptBreakGlass",
                "Effect": "Deny",
                "Principal": _ANYONE,
                "Action": TAMPER_ACTIONS,
                "Resource": _bucket_arns(name),
                "Condition": {"ArnNotLike": {"aws:PrincipalArn": [break_glass]}},
            },
            {
                "Sid": "DenyVersioningChangesExceptBreakGlassAndRoot",
                "Effect": "Deny",
                "Principal": _ANYONE,
                "Action": "s3:PutBucketVersioning",
                "Resource": f"arn:aws:s3:::{name}",
                "Condition": {"ArnNotLike": {"aws:PrincipalArn": [break_glass, iam_arn(ACCOUNT, "root")]}},
            },
        ],
    }


FLOW_LOG_DELIVERY = "delivery.logs.amazonaws.com"
_THIS_ORGANIZATION = {"aws:SourceOrgID": Ref("OrganizationId")}


def _flow_log_statements(name: str) -> list[dict[str, Any]]:
    """VPC flow logs of this organization's accounts only (`aws:SourceOrgID`) may check the bucket and write
    their logs, under `AWSLogs/`, handing the objects to the bucket owner."""
    return [
        {
            "Sid": "AllowVpcFlowLogsAclCheckForThisOrganization",
            "Effect": "Allow",
            "Principal": {"Service": FLOW_LOG_DELIVERY},
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": f"arn:aws:s3:::{name}",
            "Condition": {"StringEquals": _THIS_ORGANIZATION},
        },
        {
            "Sid": "AllowVpcFlowLogsWriteForThisOrganization",
            "Effect": "Allow",
            "Principal": {"Service": FLOW_LOG_DELIVERY},
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{name}/AWSLogs/*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **_THIS_ORGANIZATION}},
        },
    ]


def access_log_bucket_policy(spec: LandingZoneSpec) -> dict[str, Any]:
    name = access_log_bucket_name(spec)
    return {
        "Version": "2012-10-17",
        "Statement": [
            _deny_insecure_transport(name),
            _deny_outside_organization(name),
            {
                "Sid": "AllowServerAccessLogsFromTheLogBucket",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{name}/*",
                "Condition": {
                    "ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{log_bucket_name(spec)}"},
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                },
            },
        ],
    }


def _logs_key_statements(spec: LandingZoneSpec) -> list[dict[str, Any]]:
    """CloudTrail may use the key only on behalf of this organization's trail (`aws:SourceArn`, which the
    CloudTrail user guide recommends on every statement for the service). The encryption context is not
    pinned: with the S3 Bucket Key and for digest files S3 sets the bucket's ARN as context instead of the
    trail's, and the source ARN already names the one trail.

    The log bucket keeps its S3 Bucket Key (one KMS call per bucket key instead of one per log object,
    which for an organization trail is most of the key's cost and request quota). The price is a second
    statement: the CloudTrail user guide ("Configure AWS KMS key policies for CloudTrail", required
    elements for trails, item 2) says that with an S3 Bucket Key "kms:Decrypt permissions are required to
    create or update a trail with SSE-KMS encryption enabled". It is granted to CloudTrail for this trail
    only, under the same `aws:SourceArn` condition, and to nobody else.
    """
    for_this_trail = {"StringEquals": {"aws:SourceArn": trail_arn(spec)}}
    flow_logs = [
        {  # VPC flow logs to the log bucket, from this organization's accounts only
            "Sid": "AllowVpcFlowLogsToEncryptForThisOrganization",
            "Effect": "Allow",
            "Principal": {"Service": FLOW_LOG_DELIVERY},
            "Action": "kms:GenerateDataKey*",
            "Resource": "*",
            "Condition": {"StringEquals": _THIS_ORGANIZATION},
        }
    ]
    return [
        {
            "Sid": "AllowCloudTrailToEncryptForThisTrail",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": ["kms:DescribeKey", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": for_this_trail,
        },
        {
            "Sid": "AllowCloudTrailToDecryptForTheBucketKey",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": for_this_trail,
        },
        *(flow_logs if sends_flow_logs_to_s3(spec) else []),
    ]


def _public_access_block() -> PublicAccessBlockConfiguration:
    return PublicAccessBlockConfiguration(
        BlockPublicAcls=True, BlockPublicPolicy=True, IgnorePublicAcls=True, RestrictPublicBuckets=True
    )


def _owner_enforced() -> OwnershipControls:
    return OwnershipControls(Rules=[OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")])


def build(spec: LandingZoneSpec) -> Blueprint:
    loc = location(spec)
    lock = spec.logging.object_lock
    template = Template(
        Description=f"Landing zone '{spec.organization.name}': the log archive (logs key, Object-Locked log "
        f"bucket, access-log bucket). Deploy in account '{loc.account}', region {loc.region}.",
    )
    template.add_parameter(
        Parameter(
            "OrganizationId",
            Type="String",
            AllowedPattern=r"^o-[a-z0-9]{10,32}$",
            Description="The organization's id: only its principals may use the buckets.",
        )
    )
    bp = Blueprint("log-archive", template)
    bindings = location_bindings(spec, loc, OrganizationId={"Fn::GetAtt": ["Organization", "Id"]})
    key, alias = managed_key(
        spec,
        purpose="logs",
        title=LOGS_KEY_ID,
        description="Encrypts the organization trail's log files and the log archive bucket.",
        policy=key_policy(spec, account=Ref(AWS_ACCOUNT_ID), service_statements=_logs_key_statements(spec)),
        address=LOGS_KEY_ADDRESS,
    )
    add_bound(bp, key, bindings=bindings, address=LOGS_KEY_ADDRESS, location=loc, protected=True)
    add_bound(bp, alias, bindings=bindings, address=LOGS_ALIAS_ADDRESS, location=loc)
    access = Bucket(
        ACCESS_LOG_BUCKET_ID,
        BucketName=access_log_bucket_name(spec),
        VersioningConfiguration=VersioningConfiguration(Status="Enabled"),
        BucketEncryption=BucketEncryption(
            ServerSideEncryptionConfiguration=[
                ServerSideEncryptionRule(
                    ServerSideEncryptionByDefault=ServerSideEncryptionByDefault(SSEAlgorithm="AES256")
                )
            ]
        ),
        PublicAccessBlockConfiguration=_public_access_block(),
        OwnershipControls=_owner_enforced(),
        Tags=tags(ACCESS_LOG_BUCKET_ADDRESS),
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
        Metadata={
            "checkov": {
                "skip": [
                    {
                        "id": "CKV_AWS_18",
                        "comment": "This bucket is the access-log target; logging it to "
                        "itself would log its own log deliveries forever.",
                    },
                ]
            }
        },
    )
    add_bound(bp, access, bindings=bindings, address=ACCESS_LOG_BUCKET_ADDRESS, location=loc, protected=True)
    lock_props: dict[str, Any] = {}
    if lock.enabled:
        lock_props = {
            "ObjectLockEnabled": True,
            "ObjectLockConfiguration": ObjectLockConfiguration(
                ObjectLockEnabled="Enabled",
                Rule=ObjectLockRule(DefaultRetention=DefaultRetention(Mode=lock.mode, Days=lock.days)),
            ),
        }
    logs = Bucket(
        LOG_BUCKET_ID,
        BucketName=log_bucket_name(spec),
        VersioningConfiguration=VersioningConfiguration(Status="Enabled"),
        BucketEncryption=BucketEncryption(
            ServerSideEncryptionConfiguration=[
                ServerSideEncryptionRule(
                    ServerSideEncryptionByDefault=ServerSideEncryptionByDefault(
                        SSEAlgorithm="aws:kms", KMSMasterKeyID=key_arn(key)
                    ),
                    BucketKeyEnabled=True,
                )
            ]
        ),
        PublicAccessBlockConfiguration=_public_access_block(),
        OwnershipControls=_owner_enforced(),
        LoggingConfiguration=LoggingConfiguration(
            DestinationBucketName=Ref(access), LogFilePrefix=f"{log_bucket_name(spec)}/"
        ),
        Tags=tags(LOG_BUCKET_ADDRESS),
        DependsOn=[ACCESS_LOG_BUCKET_POLICY_ID],  # S3 checks the log target's permissions when logging is set
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
        **lock_props,
    )
    add_bound(
        bp,
        BucketPolicy(ACCESS_LOG_BUCKET_POLICY_ID, Bucket=Ref(access), PolicyDocument=access_log_bucket_policy(spec)),
        bindings=bindings,
        address=ACCESS_LOG_BUCKET_POLICY_ADDRESS,
        location=loc,
    )
    add_bound(bp, logs, bindings=bindings, address=LOG_BUCKET_ADDRESS, location=loc, protected=True)
    add_bound(
        bp,
        BucketPolicy(LOG_BUCKET_POLICY_ID, Bucket=Ref(logs), PolicyDocument=log_bucket_policy(spec)),
        bindings=bindings,
        address=LOG_BUCKET_POLICY_ADDRESS,
        location=loc,
    )
    return bp
