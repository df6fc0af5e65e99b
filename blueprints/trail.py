"""The trail blueprint: the organization trail, its CloudWatch Logs group and role, the CIS alarms.

Deployed in the trail account (`logging.trail_account`: the management account by default, or a
delegated administrator), home region. The trail writes to the log-archive bucket with the logs key,
both in the log archive account (Parameters here, bound by the engine), and to a log group encrypted
with a monitoring key of its own account: CloudWatch Logs and the alarm topic use a key local to them.
The CIS metric filters (section 4, see `blueprints/cis.py` for the deliberate choices on 4.1 and 4.15)
and a watch on every use of the break-glass role alarm to a security topic with the spec's e-mail
subscribers.
"""

from __future__ import annotations

from typing import Any

from troposphere import AWS_ACCOUNT_ID, GetAtt, Parameter, Ref, Template
from troposphere.cloudtrail import DataResource, EventSelector, Trail
from troposphere.cloudwatch import Alarm
from troposphere.iam import Policy, Role
from troposphere.logs import LogGroup, MetricFilter, MetricTransformation
from troposphere.sns import SubscriptionResource, Topic, TopicPolicy

from blueprints.binding import ACCOUNT, PARTITION, REGION, add_bound, arn, location_bindings
from blueprints.cis import FILTERS, CisFilter, break_glass_filter
from blueprints.common import Blueprint, tags
from blueprints.keys import key_arn, key_policy, managed_key
from blueprints.log_archive import LOG_BUCKET_POLICY_ID, LOGS_KEY_ID, trail_arn
from bootstrap import names
from bootstrap.names import (
    DELEGATED_ADMIN_ADDRESS,
    DELIVERY_TOPIC_ADDRESS,
    DELIVERY_TOPIC_POLICY_ADDRESS,
    LOG_GROUP_ADDRESS,
    MONITORING_ALIAS_ADDRESS,
    MONITORING_KEY_ADDRESS,
    SERVICE_ACCESS_ADDRESS,
    TOPIC_ADDRESS,
    TOPIC_POLICY_ADDRESS,
    TRAIL_ADDRESS,
    TRAIL_ROLE_ADDRESS,
    logical_id,
    subscription_address,
)
from bootstrap.resources import GLOBAL, Location, Resource
from bootstrap.spec.log_archive import log_bucket_name, log_group_name, trail_name
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec

CLOUDTRAIL = "cloudtrail.amazonaws.com"

TRAIL_ID = "OrganizationTrail"
LOG_GROUP_ID = "TrailLogGroup"
ROLE_ID = "TrailToCloudWatchRole"
MONITORING_KEY_ID = "MonitoringKey"
TOPIC_ID = "SecurityAlarmTopic"
DELIVERY_TOPIC_ID = "TrailDeliveryTopic"
DELIVERY_TOPIC_POLICY_ID = "TrailDeliveryTopicPolicy"
SERVICE_ACCESS_ID = "CloudTrailTrustedAccess"
DELEGATED_ADMIN_ID = "CloudTrailDelegatedAdmin"

ROLE_ADDRESS = TRAIL_ROLE_ADDRESS
TOPIC_POLICY_ID = "SecurityAlarmTopicPolicy"


def location(spec: LandingZoneSpec) -> Location:
    return Location(spec.logging.trail_account, spec.organization.home_region)


def watches(spec: LandingZoneSpec) -> tuple[CisFilter, ...]:
    """The metric filters and alarms on the trail's log group: CIS section 4, then the break-glass watch."""
    return (*FILTERS, break_glass_filter(spec.organization.break_glass_role))


def filter_address(watch: CisFilter) -> str:
    return names.filter_address(watch.name_part)


def alarm_address(watch: CisFilter) -> str:
    return names.alarm_address(watch.name_part)


def alarm_name(spec: LandingZoneSpec, watch: CisFilter) -> str:
    return f"{spec.organization.name}-{watch.name_part}-{watch.slug}"


def _alarm_arn_patterns(spec: LandingZoneSpec) -> list[Any]:
    """Every alarm `watches` makes, by name prefix (a new CIS control needs no policy change)."""
    prefixes = sorted({f"{spec.organization.name}-{'cis' if w.benchmark else w.name_part}-" for w in watches(spec)})
    return [arn("arn:", PARTITION, ":cloudwatch:", REGION, ":", ACCOUNT, f":alarm:{p}*") for p in prefixes]


def delivery_topic_name(spec: LandingZoneSpec) -> str:
    return f"{spec.organization.name}-trail-deliveries"


def _delivery_topic_arn(spec: LandingZoneSpec) -> Any:
    return arn("arn:", PARTITION, ":sns:", REGION, ":", ACCOUNT, f":{delivery_topic_name(spec)}")


def _log_group_arn(spec: LandingZoneSpec) -> Any:
    return arn("arn:", PARTITION, ":logs:", REGION, ":", ACCOUNT, f":log-group:{log_group_name(spec)}")


def _monitoring_key_statements(spec: LandingZoneSpec) -> list[dict[str, Any]]:
    """CloudWatch Logs may use the key for the trail's log group only (its encryption context names the
    group); CloudWatch may use it only to publish this landing zone's alarms to the encrypted topic; with
    delivery notifications, CloudTrail may use it only to publish this trail's to its own topic."""
    return [
        {
            "Sid": "AllowCloudWatchLogsForTheTrailLogGroup",
            "Effect": "Allow",
            "Principal": {"Service": arn("logs.", REGION, ".amazonaws.com")},
            "Action": ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
            "Resource": "*",
            "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": _log_group_arn(spec)}},
        },
        {
            "Sid": "AllowCloudWatchAlarmsToPublish",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": _alarm_arn_patterns(spec)},
            },
        },
        *([_delivery_key_statement(spec)] if spec.logging.delivery_notifications else []),
    ]


def _alarm_topic_policy(spec: LandingZoneSpec, topic: Topic) -> dict[str, Any]:
    """Who may use the security alarm topic: this landing zone's alarms may publish, the account manages
    it, and nothing reaches it without TLS. Managed like any resource, so a topic opened to everyone
    (`"Principal": "*"`) is drift that the plan names and apply reverts."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowThisLandingZonesAlarmsToPublish",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": Ref(topic),
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                    "ArnLike": {"aws:SourceArn": _alarm_arn_patterns(spec)},
                },
            },
            {
                "Sid": "AllowTheAccountToManageTheTopic",
                "Effect": "Allow",
                "Principal": {"AWS": arn("arn:", PARTITION, ":iam::", ACCOUNT, ":root")},
                "Action": [
                    "sns:GetTopicAttributes",
                    "sns:ListSubscriptionsByTopic",
                    "sns:SetTopicAttributes",
                    "sns:Subscribe",
                    "sns:TagResource",
                ],
                "Resource": Ref(topic),
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": Ref(topic),
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def _delivery_key_statement(spec: LandingZoneSpec) -> dict[str, Any]:
    """A service publishing to an SSE-KMS topic needs kms:GenerateDataKey* and kms:Decrypt on its key
    (SNS developer guide, "Encryption at rest"); scoped to this trail (`aws:SourceArn`) and to the one
    topic (SNS sets `aws:sns:topicArn` as the encryption context)."""
    return {
        "Sid": "AllowCloudTrailToPublishDeliveryNotifications",
        "Effect": "Allow",
        "Principal": {"Service": CLOUDTRAIL},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
        "Condition": {
            "StringEquals": {
                "aws:SourceArn": trail_arn(spec),
                "kms:EncryptionContext:aws:sns:topicArn": _delivery_topic_arn(spec),
            }
        },
    }


def _delivery_topic_policy(spec: LandingZoneSpec, topic: Topic) -> dict[str, Any]:
    """Only this trail may publish (CloudTrail user guide, "Amazon SNS topic policy for CloudTrail",
    with the `aws:SourceArn` condition it recommends). The policy replaces SNS's default one, so the
    topic is otherwise reachable only through IAM policies of its own account."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowCloudTrailToPublishForThisTrail",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDTRAIL},
                "Action": "sns:Publish",
                "Resource": Ref(topic),
                "Condition": {"StringEquals": {"aws:SourceArn": trail_arn(spec)}},
            }
        ],
    }


def _add_delivery_notifications(
    spec: LandingZoneSpec, bp: Blueprint, bindings: Any, loc: Location, key: Any
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The topic the trail notifies on each delivery and its policy: the trail's extra properties, and
    what it must wait for (CloudTrail checks the topic policy when the trail is created or updated)."""
    if not spec.logging.delivery_notifications:
        return {}, ()
    topic = Topic(
        DELIVERY_TOPIC_ID,
        TopicName=delivery_topic_name(spec),
        DisplayName="Organization trail log deliveries",
        KmsMasterKeyId=key_arn(key),
        Tags=tags(DELIVERY_TOPIC_ADDRESS),
    )
    add_bound(bp, topic, bindings=bindings, address=DELIVERY_TOPIC_ADDRESS, location=loc)
    add_bound(
        bp,
        TopicPolicy(DELIVERY_TOPIC_POLICY_ID, Topics=[Ref(topic)], PolicyDocument=_delivery_topic_policy(spec, topic)),
        bindings=bindings,
        address=DELIVERY_TOPIC_POLICY_ADDRESS,
        location=loc,
    )
    return {"SnsTopicName": GetAtt(topic, "TopicName")}, (DELIVERY_TOPIC_POLICY_ID,)


def _event_selectors(spec: LandingZoneSpec) -> list[EventSelector]:
    data: list[DataResource] = []
    if spec.logging.data_events.s3_objects:
        data.append(DataResource(Type="AWS::S3::Object", Values=["arn:aws:s3"]))
    if spec.logging.data_events.lambda_functions:
        data.append(DataResource(Type="AWS::Lambda::Function", Values=["arn:aws:lambda"]))
    selector = EventSelector(ReadWriteType="All", IncludeManagementEvents=True)
    if data:
        selector.DataResources = data
    return [selector]


def _role(spec: LandingZoneSpec) -> Role:
    """CloudTrail, for this trail only, may create streams and put events in this log group only. The trail
    is named by its ARN, which carries the management account's id even when this role lives in a
    delegated administrator account (see `log_archive.trail_arn`)."""
    return Role(
        ROLE_ID,
        RoleName=f"{spec.organization.name}-cloudtrail-to-cloudwatch",
        Description="Lets the organization trail deliver to its CloudWatch Logs group, and nothing else.",
        MaxSessionDuration=3600,
        AssumeRolePolicyDocument={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": CLOUDTRAIL},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceArn": trail_arn(spec)}},
                }
            ],
        },
        Policies=[
            Policy(
                PolicyName="deliver-to-trail-log-group",
                PolicyDocument={
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DeliverTrailEvents",
                            "Effect": "Allow",
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                            "Resource": arn(_log_group_arn(spec), ":log-stream:*"),
                        }
                    ],
                },
            )
        ],
        Tags=tags(ROLE_ADDRESS),
    )


def _organization_resources(spec: LandingZoneSpec, bp: Blueprint) -> tuple[str, ...]:
    """Trusted access for CloudTrail (an organization trail needs it) and, for a member trail account, its
    registration as delegated administrator. Not CloudFormation resources: the engine's own types."""
    needs = [SERVICE_ACCESS_ID]
    bp.add_native(
        Resource(
            address=SERVICE_ACCESS_ADDRESS,
            logical_id=SERVICE_ACCESS_ID,
            type="Bootstrap::Organizations::ServiceAccess",
            location=Location(MANAGEMENT, GLOBAL),
            properties={"ServicePrincipal": CLOUDTRAIL},
            depends_on=("Organization",),
        )
    )
    if spec.logging.trail_account != MANAGEMENT:
        account = logical_id("Account", spec.logging.trail_account)
        bp.add_native(
            Resource(
                address=DELEGATED_ADMIN_ADDRESS,
                logical_id=DELEGATED_ADMIN_ID,
                type="Bootstrap::CloudTrail::DelegatedAdministrator",
                location=Location(MANAGEMENT, spec.organization.home_region),
                properties={"AccountId": {"Fn::GetAtt": [account, "AccountId"]}, "ServicePrincipal": CLOUDTRAIL},
                depends_on=(SERVICE_ACCESS_ID,),
            )
        )
        needs.append(DELEGATED_ADMIN_ID)
    return tuple(needs)


def build(spec: LandingZoneSpec) -> Blueprint:
    loc = location(spec)
    template = Template(
        Description=f"Landing zone '{spec.organization.name}': the organization trail, its CloudWatch Logs group, "
        f"the CIS AWS Foundations section 4 alarms. Deploy in account '{loc.account}', region {loc.region}.",
    )
    template.add_parameter(
        Parameter("LogsKeyArn", Type="String", Description="ARN of the logs key in the log archive account.")
    )
    bp = Blueprint("trail", template)
    bindings = location_bindings(spec, loc, LogsKeyArn={"Fn::GetAtt": [LOGS_KEY_ID, "Arn"]})
    organization_needs = _organization_resources(spec, bp)

    key, alias = managed_key(
        spec,
        purpose="monitoring",
        title=MONITORING_KEY_ID,
        description="Encrypts the organization trail's CloudWatch Logs group and the security alarm topic.",
        policy=key_policy(
            spec,
            account=Ref(AWS_ACCOUNT_ID),
            service_statements=_monitoring_key_statements(spec),
            management=loc.account == MANAGEMENT,
        ),
        address=MONITORING_KEY_ADDRESS,
    )
    add_bound(bp, key, bindings=bindings, address=MONITORING_KEY_ADDRESS, location=loc, protected=True)
    add_bound(bp, alias, bindings=bindings, address=MONITORING_ALIAS_ADDRESS, location=loc)
    group = LogGroup(
        LOG_GROUP_ID,
        LogGroupName=log_group_name(spec),
        RetentionInDays=spec.logging.log_group_retention_days,
        KmsKeyId=key_arn(key),
        Tags=tags(LOG_GROUP_ADDRESS),
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
    )
    add_bound(bp, group, bindings=bindings, address=LOG_GROUP_ADDRESS, location=loc, protected=True)
    role = _role(spec)
    add_bound(bp, role, bindings=bindings, address=ROLE_ADDRESS, location=loc)
    notifications, notification_needs = _add_delivery_notifications(spec, bp, bindings, loc, key)
    trail = Trail(
        TRAIL_ID,
        TrailName=trail_name(spec),
        S3BucketName=log_bucket_name(spec),
        IsOrganizationTrail=True,
        IsMultiRegionTrail=True,
        IncludeGlobalServiceEvents=True,
        EnableLogFileValidation=True,
        KMSKeyId=Ref("LogsKeyArn"),
        CloudWatchLogsLogGroupArn=GetAtt(group, "Arn"),
        CloudWatchLogsRoleArn=GetAtt(role, "Arn"),
        EventSelectors=_event_selectors(spec),
        IsLogging=True,
        Tags=tags(TRAIL_ADDRESS),
        **notifications,
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
    )
    add_bound(
        bp,
        trail,
        bindings=bindings,
        address=TRAIL_ADDRESS,
        location=loc,
        protected=True,
        engine_depends_on=(LOG_BUCKET_POLICY_ID, *organization_needs, *notification_needs),
    )
    if spec.logging.cis_alarms:
        _add_alarms(spec, bp, bindings, loc, key, group)
    return bp


def _add_alarms(spec: LandingZoneSpec, bp: Blueprint, bindings: Any, loc: Location, key: Any, group: LogGroup) -> None:
    topic = Topic(
        TOPIC_ID,
        TopicName=f"{spec.organization.name}-security-alarms",
        DisplayName="Landing zone security alarms",
        KmsMasterKeyId=key_arn(key),
        Tags=tags(TOPIC_ADDRESS),
    )
    add_bound(bp, topic, bindings=bindings, address=TOPIC_ADDRESS, location=loc)
    add_bound(
        bp,
        TopicPolicy(TOPIC_POLICY_ID, Topics=[Ref(topic)], PolicyDocument=_alarm_topic_policy(spec, topic)),
        bindings=bindings,
        address=TOPIC_POLICY_ADDRESS,
        location=loc,
    )
    for email in spec.logging.alarm_emails:
        add_bound(
            bp,
            SubscriptionResource(
                logical_id("AlarmSubscription", email), TopicArn=Ref(topic), Protocol="email", Endpoint=email
            ),
            bindings=bindings,
            address=subscription_address(email),
            location=loc,
        )
    for watch in watches(spec):
        name = alarm_name(spec, watch)
        filter_id = logical_id("CisFilter" if watch.benchmark else "WatchFilter", watch.key)
        add_bound(
            bp,
            MetricFilter(
                filter_id,
                FilterName=name,
                FilterPattern=watch.pattern,
                LogGroupName=Ref(group),
                MetricTransformations=[
                    MetricTransformation(MetricName=watch.metric_name, MetricNamespace=watch.namespace, MetricValue="1")
                ],
            ),
            bindings=bindings,
            address=filter_address(watch),
            location=loc,
        )
        add_bound(
            bp,
            Alarm(
                logical_id("CisAlarm" if watch.benchmark else "WatchAlarm", watch.key),
                AlarmName=name,
                AlarmDescription=watch.description,
                Namespace=watch.namespace,
                MetricName=watch.metric_name,
                Statistic="Sum",
                Period=300,
                EvaluationPeriods=1,
                Threshold=1,
                ComparisonOperator="GreaterThanOrEqualToThreshold",
                TreatMissingData="notBreaching",
                ActionsEnabled=True,
                AlarmActions=[Ref(topic)],
            ),
            bindings=bindings,
            address=alarm_address(watch),
            location=loc,
            engine_depends_on=(filter_id,),
        )
