"""Per-type diff rules: which properties are compared, and how a difference may be repaired."""

from __future__ import annotations

from dataclasses import dataclass

from bootstrap.resources import ADDRESS_TAG_PROPERTY


@dataclass(frozen=True)
class TypeRule:
    compared: tuple[str, ...]
    sets: frozenset[str] = frozenset()
    """Compared as unordered sets (policy targets, parent ids, enabled policy types)."""
    replace_on: frozenset[str] = frozenset()
    """A difference here needs the resource replaced (delete and create)."""
    report_only: frozenset[str] = frozenset()
    """A difference here is reported but the toolkit does not change it (no API, or not its call)."""
    deletable: bool = True
    """The toolkit may delete an owned object of this type that the spec no longer asks for."""
    owned_only: frozenset[str] = frozenset()
    """Compared only on objects the toolkit owns, and not shown on creates: its ownership tags. An object
    it does not own is used as it is, never stamped (stamping would make it the toolkit's to delete)."""
    guarded_by_break_glass: bool = False
    """Its settings may be reserved to the break-glass role by a live bucket policy (the log bucket's): an
    update then carries a note saying who can apply it (`bootstrap.plan.guards`)."""


ALARM_PROPERTIES = (
    "AlarmName",
    "AlarmDescription",
    "Namespace",
    "MetricName",
    "Statistic",
    "Period",
    "EvaluationPeriods",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "ActionsEnabled",
    "AlarmActions",
)
"""The properties of a CloudWatch alarm the toolkit sets, reads back and compares. `put_metric_alarm`
and `describe_alarms` use the same names, so the observer and the handler use this list as it is."""

RULES: dict[str, TypeRule] = {
    "AWS::Organizations::Organization": TypeRule(
        compared=("FeatureSet",), report_only=frozenset({"FeatureSet"}), deletable=False
    ),
    "Bootstrap::Organizations::RootPolicyTypes": TypeRule(
        compared=("PolicyTypes",), sets=frozenset({"PolicyTypes"}), deletable=False
    ),
    "AWS::Organizations::OrganizationalUnit": TypeRule(
        compared=("Name", "ParentId", ADDRESS_TAG_PROPERTY),
        replace_on=frozenset({"ParentId"}),
        owned_only=frozenset({ADDRESS_TAG_PROPERTY}),
    ),
    "AWS::Organizations::Policy": TypeRule(
        compared=("Name", "Description", "Content", "TargetIds", ADDRESS_TAG_PROPERTY),
        sets=frozenset({"TargetIds"}),
        owned_only=frozenset({ADDRESS_TAG_PROPERTY}),
    ),
    "AWS::Organizations::Account": TypeRule(
        compared=("AccountName", "Email", "ParentIds"),
        sets=frozenset({"ParentIds"}),
        report_only=frozenset({"AccountName", "Email"}),
        deletable=False,
    ),
    # The logging layer. Buckets, keys, the trail and the log group hold data or evidence: not deletable,
    # and a change that needs them replaced is refused by the planner (their resources are `protected`).
    "AWS::KMS::Key": TypeRule(
        compared=("Description", "Enabled", "EnableKeyRotation", "KeyPolicy", "KeySpec", "KeyUsage", "MultiRegion"),
        replace_on=frozenset({"KeySpec", "KeyUsage", "MultiRegion"}),
        deletable=False,
    ),
    "AWS::KMS::Alias": TypeRule(compared=("AliasName", "TargetKeyId"), replace_on=frozenset({"AliasName"})),
    "AWS::S3::Bucket": TypeRule(
        compared=(
            "BucketName",
            "ObjectLockEnabled",
            "ObjectLockConfiguration",
            "VersioningConfiguration",
            "BucketEncryption",
            "PublicAccessBlockConfiguration",
            "OwnershipControls",
            "LoggingConfiguration",
        ),
        replace_on=frozenset({"BucketName", "ObjectLockEnabled"}),
        deletable=False,
        guarded_by_break_glass=True,
    ),
    "AWS::S3::BucketPolicy": TypeRule(
        compared=("Bucket", "PolicyDocument"),
        replace_on=frozenset({"Bucket"}),
        deletable=False,
        guarded_by_break_glass=True,
    ),
    "AWS::CloudTrail::Trail": TypeRule(
        compared=(
            "TrailName",
            "S3BucketName",
            "IsOrganizationTrail",
            "IsMultiRegionTrail",
            "IncludeGlobalServiceEvents",
            "EnableLogFileValidation",
            "KMSKeyId",
            "CloudWatchLogsLogGroupArn",
            "CloudWatchLogsRoleArn",
            "EventSelectors",
            "IsLogging",
            "SnsTopicName",
        ),
        replace_on=frozenset({"TrailName"}),
        deletable=False,
    ),
    "AWS::Logs::LogGroup": TypeRule(
        compared=("LogGroupName", "RetentionInDays", "KmsKeyId"),
        replace_on=frozenset({"LogGroupName"}),
        deletable=False,
    ),
    "AWS::Logs::MetricFilter": TypeRule(
        compared=("FilterName", "FilterPattern", "LogGroupName", "MetricTransformations"),
        replace_on=frozenset({"FilterName", "LogGroupName"}),
    ),
    "AWS::CloudWatch::Alarm": TypeRule(compared=ALARM_PROPERTIES, replace_on=frozenset({"AlarmName"})),
    "AWS::IAM::Role": TypeRule(
        compared=(
            "RoleName",
            "Description",
            "AssumeRolePolicyDocument",
            "Policies",
            "ManagedPolicyArns",
            "MaxSessionDuration",
            ADDRESS_TAG_PROPERTY,
        ),
        sets=frozenset({"ManagedPolicyArns"}),
        replace_on=frozenset({"RoleName"}),
        owned_only=frozenset({ADDRESS_TAG_PROPERTY}),
    ),
    "AWS::SNS::Topic": TypeRule(
        compared=("TopicName", "DisplayName", "KmsMasterKeyId"), replace_on=frozenset({"TopicName"})
    ),
    "AWS::SNS::TopicPolicy": TypeRule(
        compared=("Topics", "PolicyDocument"), replace_on=frozenset({"Topics"}), deletable=False
    ),
    "AWS::SNS::Subscription": TypeRule(
        compared=("TopicArn", "Protocol", "Endpoint"), replace_on=frozenset({"TopicArn", "Protocol", "Endpoint"})
    ),
    "Bootstrap::Organizations::ServiceAccess": TypeRule(compared=("ServicePrincipal",), deletable=False),
    # The account baseline: an account-wide setting, never removed (that would open every bucket).
    "Bootstrap::S3::AccountPublicAccessBlock": TypeRule(
        compared=("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"),
        deletable=False,
    ),
    "Bootstrap::CloudTrail::DelegatedAdministrator": TypeRule(
        compared=("AccountId", "ServicePrincipal"), replace_on=frozenset({"AccountId"}), deletable=False
    ),
}


def rule_for(type_: str) -> TypeRule:
    try:
        return RULES[type_]
    except KeyError:
        raise KeyError(f"no diff rule for resource type {type_}") from None
