"""Applying the logging layer creates what issue 3 asks for, checked from outside with plain boto3; a
second plan finds nothing to do and makes no write call; the policies say exactly what they must."""

from __future__ import annotations

from typing import Any

from blueprints.cis import FILTERS, break_glass_filter
from blueprints.keys import CRYPTO_ACTIONS
from bootstrap.aws.session import Sessions
from bootstrap.spec.log_archive import access_log_bucket_name
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live

MANAGEMENT_ID = "123456789012"


def statements(policy: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in policy["Statement"]}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_apply_creates_the_log_archive(applied: LandingZoneSpec, log_outsider: Any) -> None:
    o = log_outsider
    s3, kms = o.s3(), o.archive_kms()
    key = o.key(kms, "logs")
    assert key["KeyState"] == "Enabled" and key["KeySpec"] == "SYMMETRIC_DEFAULT"
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key["KeyId"])["Tags"]}
    assert tags["bootstrap:managed"] == "true"

    lock = s3.get_object_lock_configuration(Bucket=o.bucket)["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled"
    assert lock["Rule"]["DefaultRetention"]["Mode"] == "GOVERNANCE"
    assert lock["Rule"]["DefaultRetention"]["Days"] == 365
    assert s3.get_bucket_versioning(Bucket=o.bucket)["Status"] == "Enabled"
    (rule,) = s3.get_bucket_encryption(Bucket=o.bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}
    assert rule["BucketKeyEnabled"] is True
    block = s3.get_public_access_block(Bucket=o.bucket)["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    ownership = s3.get_bucket_ownership_controls(Bucket=o.bucket)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    access = access_log_bucket_name(applied)
    assert s3.get_bucket_logging(Bucket=o.bucket)["LoggingEnabled"] == {
        "TargetBucket": access,
        "TargetPrefix": f"{o.bucket}/",
    }
    with_no_lifecycle = s3.get_bucket_lifecycle_configuration
    try:
        with_no_lifecycle(Bucket=o.bucket)
        raise AssertionError("the log bucket must carry no lifecycle rule (MFA Delete forbids them)")
    except s3.exceptions.ClientError as err:
        assert err.response["Error"]["Code"] == "NoSuchLifecycleConfiguration"

    # The access-log bucket: encrypted (S3 log delivery cannot use SSE-KMS), versioned, not public.
    (access_rule,) = s3.get_bucket_encryption(Bucket=access)["ServerSideEncryptionConfiguration"]["Rules"]
    assert access_rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_bucket_versioning(Bucket=access)["Status"] == "Enabled"
    assert all(s3.get_public_access_block(Bucket=access)["PublicAccessBlockConfiguration"].values())


def test_apply_creates_the_organization_trail_and_its_alarms(applied: LandingZoneSpec, log_outsider: Any) -> None:
    o = log_outsider
    logs_key = o.key(o.archive_kms(), "logs")
    monitoring_key = o.key(o.client("kms"), "monitoring")
    (trail,) = o.cloudtrail().describe_trails(trailNameList=[o.trail])["trailList"]
    assert trail["IsOrganizationTrail"] and trail["IsMultiRegionTrail"] and trail["IncludeGlobalServiceEvents"]
    assert trail["LogFileValidationEnabled"] is True
    assert trail["S3BucketName"] == o.bucket
    assert trail["KmsKeyId"] == logs_key["Arn"]
    assert trail["CloudWatchLogsLogGroupArn"] == f"arn:aws:logs:us-east-1:{MANAGEMENT_ID}:log-group:{o.log_group}:*"
    assert o.cloudtrail().get_trail_status(Name=o.trail)["IsLogging"] is True
    selectors = o.cloudtrail().get_event_selectors(TrailName=o.trail)["EventSelectors"]
    assert selectors == [{"ReadWriteType": "All", "IncludeManagementEvents": True}]

    (group,) = o.logs().describe_log_groups(logGroupNamePrefix=o.log_group)["logGroups"]
    assert group["retentionInDays"] == 365 and group["kmsKeyId"] == monitoring_key["Arn"]

    role = o.client("iam").get_role(RoleName=trail["CloudWatchLogsRoleArn"].rsplit("/", 1)[-1])["Role"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert trust["Condition"]["StringEquals"]["aws:SourceArn"] == trail["TrailARN"]
    (inline,) = o.client("iam").list_role_policies(RoleName=role["RoleName"])["PolicyNames"]
    document = o.client("iam").get_role_policy(RoleName=role["RoleName"], PolicyName=inline)["PolicyDocument"]
    (grant,) = document["Statement"]
    assert sorted(grant["Action"]) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert grant["Resource"] == f"{group['arn'].removesuffix(':*')}:log-stream:*"

    filters = {f["filterName"]: f for f in o.logs().describe_metric_filters(logGroupName=o.log_group)["metricFilters"]}
    alarms = {a["AlarmName"]: a for a in o.cloudwatch().describe_alarms(AlarmNamePrefix="acme-")["MetricAlarms"]}
    assert len(filters) == len(alarms) == len(FILTERS) + 1 == 16, "CIS 4.1-4.15 and the break-glass watch"
    watch = "acme-break-glass-role-assumed"
    assert filters[watch]["filterPattern"] == break_glass_filter("LandingZoneBreakGlass").pattern
    assert (alarms[watch]["Namespace"], alarms[watch]["MetricName"]) == ("LandingZone", "BreakGlassRoleAssumed")
    topic = next(
        t["TopicArn"] for t in o.client("sns").list_topics()["Topics"] if t["TopicArn"].endswith("security-alarms")
    )
    for cis in FILTERS:
        name = f"acme-cis-{cis.key}-{cis.slug}"
        assert filters[name]["filterPattern"] == cis.pattern
        metric = filters[name]["metricTransformations"][0]
        assert (alarms[name]["MetricName"], alarms[name]["Namespace"]) == (
            metric["metricName"],
            metric["metricNamespace"],
        )
        assert alarms[name]["AlarmActions"] == [topic]
    assert alarms[watch]["AlarmActions"] == [topic]
    assert filters["acme-cis-4-1-unauthorized-api-calls"]["filterPattern"] == (
        '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }'
    )
    attributes = o.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes["KmsMasterKeyId"] == monitoring_key["Arn"]
    subscriptions = o.client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [("email", "aws+security-alarms@example.com")]
    access = o.org.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert "cloudtrail.amazonaws.com" in {p["ServicePrincipal"] for p in access}


def test_second_plan_is_empty_and_writes_nothing(applied: LandingZoneSpec, sessions: Sessions) -> None:
    sessions.stats.reset()
    live, _ = plan_live(applied, sessions)
    assert live.plan.empty, [(c.address, [(d.name, d.before, d.after) for d in c.diffs]) for c in live.plan.changes]
    assert sessions.stats.writes == 0, sessions.stats.snapshot()
    assert not live.plan.blocked


def test_bucket_policy_is_tls_only_org_only_and_reserves_tampering_to_break_glass(
    applied: LandingZoneSpec, log_outsider: Any
) -> None:
    o = log_outsider
    org_id = o.org.describe_organization()["Organization"]["Id"]
    archive = o.account_id("log-archive")
    trail_arn = f"arn:aws:cloudtrail:us-east-1:{MANAGEMENT_ID}:trail/{o.trail}"
    bucket_arns = [f"arn:aws:s3:::{o.bucket}", f"arn:aws:s3:::{o.bucket}/*"]
    policy = statements(o.bucket_policy())
    tls = policy["DenyInsecureTransport"]
    assert (tls["Effect"], tls["Principal"], tls["Action"], tls["Resource"]) == (
        "Deny",
        {"AWS": "*"},
        "s3:*",
        bucket_arns,
    )
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    outside = policy["DenyPrincipalsOutsideOrganization"]
    assert outside["Effect"] == "Deny" and outside["Resource"] == bucket_arns
    assert outside["Condition"]["StringNotEquals"] == {"aws:PrincipalOrgID": org_id}
    write = policy["AllowCloudTrailWriteForThisOrganization"]
    assert write["Principal"] == {"Service": "cloudtrail.amazonaws.com"} and write["Action"] == "s3:PutObject"
    assert sorted(write["Resource"]) == sorted(
        [f"arn:aws:s3:::{o.bucket}/AWSLogs/{org_id}/*", f"arn:aws:s3:::{o.bucket}/AWSLogs/{MANAGEMENT_ID}/*"]
    )
    assert write["Condition"]["StringEquals"] == {
        "s3:x-amz-acl": "bucket-owner-full-control",
        "aws:SourceArn": trail_arn,
    }
    assert policy["AllowCloudTrailAclCheck"]["Condition"]["StringEquals"] == {"aws:SourceArn": trail_arn}
    tamper = policy["DenyTamperingExceptBreakGlass"]
    assert tamper["Effect"] == "Deny" and tamper["Principal"] == {"AWS": "*"}
    assert {
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "s3:PutBucketObjectLockConfiguration",
        "s3:PutEncryptionConfiguration",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutBucketLogging",
        "s3:PutBucketOwnershipControls",
        "s3:PutBucketAcl",
        "s3:PutBucketRequestPayment",  # CloudTrail cannot deliver to a Requester Pays bucket
        "s3:PutReplicationConfiguration",
        "s3:PutBucketNotification",
    } <= set(tamper["Action"])
    assert tamper["Condition"] == {
        "ArnNotLike": {"aws:PrincipalArn": [f"arn:aws:iam::{archive}:role/LandingZoneBreakGlass"]}
    }
    versioning = policy["DenyVersioningChangesExceptBreakGlassAndRoot"]
    assert versioning["Action"] == "s3:PutBucketVersioning"
    assert versioning["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == [
        f"arn:aws:iam::{archive}:role/LandingZoneBreakGlass",
        f"arn:aws:iam::{archive}:root",  # MFA Delete can only be turned on by the root user
    ]
    allows = [s for s in policy.values() if s["Effect"] == "Allow"]
    assert all(s["Principal"] == {"Service": "cloudtrail.amazonaws.com"} for s in allows), "nobody else is allowed"

    access = statements(o.bucket_policy(access_log_bucket_name(applied)))
    assert "DenyInsecureTransport" in access
    delivery = access["AllowServerAccessLogsFromTheLogBucket"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:s3:::{o.bucket}"}
    assert delivery["Condition"]["StringEquals"] == {"aws:SourceAccount": archive}


def _allowed_actions(statement: dict[str, Any]) -> set[str]:
    return set(as_list(statement["Action"]))


def test_key_policies_separate_administration_from_use(applied: LandingZoneSpec, log_outsider: Any) -> None:
    o = log_outsider
    archive = o.account_id("log-archive")
    trail_arn = f"arn:aws:cloudtrail:us-east-1:{MANAGEMENT_ID}:trail/{o.trail}"
    kms = o.archive_kms()
    policy = statements(o.key_policy(kms, o.key(kms, "logs")["KeyId"]))
    assert set(policy) == {
        "KeyAdministration",
        "AllowCloudTrailToEncryptForThisTrail",
        "AllowCloudTrailToDecryptForTheBucketKey",
        "DecryptForReaders",
    }
    for statement in policy.values():
        assert statement["Effect"] == "Allow"
        assert "kms:*" not in as_list(statement["Action"]), "no blanket grant"
        assert statement.get("Condition"), f"{statement['Sid']} is unconditional"
    admin = policy["KeyAdministration"]
    assert admin["Principal"] == {"AWS": f"arn:aws:iam::{archive}:root"}
    assert admin["Condition"]["ArnLike"]["aws:PrincipalArn"] == [
        f"arn:aws:iam::{archive}:role/LandingZoneKeyAdmin",
        f"arn:aws:iam::{archive}:role/LandingZoneBootstrap",  # the toolkit enters member accounts as it
        f"arn:aws:iam::{archive}:role/LandingZoneBreakGlass",  # nobody is ever locked out of a key
    ]
    granted = _allowed_actions(admin)
    assert {"kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:ScheduleKeyDeletion"} <= granted
    assert not granted & set(CRYPTO_ACTIONS), "administrators manage the key but cannot use it"
    assert not any(a.startswith(("kms:GenerateDataKey", "kms:ReEncrypt", "kms:CreateGrant")) for a in granted)
    trail = policy["AllowCloudTrailToEncryptForThisTrail"]
    assert trail["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert _allowed_actions(trail) == {"kms:GenerateDataKey*", "kms:DescribeKey"}
    assert trail["Condition"] == {"StringEquals": {"aws:SourceArn": trail_arn}}
    bucket_key = policy["AllowCloudTrailToDecryptForTheBucketKey"]  # the log bucket uses an S3 Bucket Key
    assert bucket_key["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert _allowed_actions(bucket_key) == {"kms:Decrypt"}
    assert bucket_key["Condition"] == {"StringEquals": {"aws:SourceArn": trail_arn}}
    readers = policy["DecryptForReaders"]
    assert _allowed_actions(readers) == {"kms:Decrypt", "kms:DescribeKey"}
    assert (
        readers["Condition"]["ArnLike"]["aws:PrincipalArn"] == f"arn:aws:iam::{archive}:role/LandingZoneSecurityAudit"
    )

    management = o.client("kms")
    monitoring = statements(o.key_policy(management, o.key(management, "monitoring")["KeyId"]))
    assert monitoring["KeyAdministration"]["Condition"]["ArnLike"]["aws:PrincipalArn"] == [
        f"arn:aws:iam::{MANAGEMENT_ID}:role/LandingZoneKeyAdmin",
        f"arn:aws:iam::{MANAGEMENT_ID}:role/LandingZoneBootstrap",
        f"arn:aws:iam::{MANAGEMENT_ID}:role/LandingZoneBreakGlass",
    ]
    logs = monitoring["AllowCloudWatchLogsForTheTrailLogGroup"]
    assert logs["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert logs["Condition"]["ArnEquals"] == {
        "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:us-east-1:{MANAGEMENT_ID}:log-group:{o.log_group}"
    }
    alarms = monitoring["AllowCloudWatchAlarmsToPublish"]
    assert alarms["Condition"]["StringEquals"] == {"aws:SourceAccount": MANAGEMENT_ID}


def test_data_events_from_the_spec_reach_the_trail(
    variant: Any, sessions: Sessions, apply: Any, log_outsider: Any
) -> None:
    spec = variant(lambda d: d["logging"].update(data_events={"s3_objects": True, "lambda_functions": True}))
    apply(spec, sessions)
    (selector,) = log_outsider.cloudtrail().get_event_selectors(TrailName=log_outsider.trail)["EventSelectors"]
    assert selector["ReadWriteType"] == "All" and selector["IncludeManagementEvents"] is True
    assert {(r["Type"], tuple(r["Values"])) for r in selector["DataResources"]} == {
        ("AWS::S3::Object", ("arn:aws:s3",)),
        ("AWS::Lambda::Function", ("arn:aws:lambda",)),
    }
    live, _ = plan_live(spec, sessions)
    assert live.plan.empty


def test_a_spec_without_the_log_archive_account_builds_no_logging_layer(
    variant: Any, sessions: Sessions, apply: Any, log_outsider: Any
) -> None:
    spec = variant(lambda d: d["accounts"].pop(0))  # accounts[0] is log-archive
    apply(spec, sessions)
    assert log_outsider.cloudtrail().describe_trails()["trailList"] == []
    assert plan_live(spec, sessions)[0].plan.empty
