"""Which handler applies which resource type. Explicit, so an unknown type fails loudly."""

from __future__ import annotations

from bootstrap.apply.context import Handler
from bootstrap.apply.handlers import cloudtrail, cloudwatch, kms, notify, s3, s3control
from bootstrap.apply.handlers import organizations as org

HANDLERS: dict[str, Handler] = {
    "AWS::Organizations::Organization": org.OrganizationHandler(),
    "Bootstrap::Organizations::RootPolicyTypes": org.RootPolicyTypesHandler(),
    "AWS::Organizations::OrganizationalUnit": org.OrganizationalUnitHandler(),
    "AWS::Organizations::Policy": org.PolicyHandler(),
    "AWS::Organizations::Account": org.AccountHandler(),
    "Bootstrap::Organizations::ServiceAccess": cloudtrail.ServiceAccessHandler(),
    "Bootstrap::CloudTrail::DelegatedAdministrator": cloudtrail.DelegatedAdminHandler(),
    "AWS::KMS::Key": kms.KeyHandler(),
    "AWS::KMS::Alias": kms.AliasHandler(),
    "AWS::S3::Bucket": s3.BucketHandler(),
    "AWS::S3::BucketPolicy": s3.BucketPolicyHandler(),
    "AWS::CloudTrail::Trail": cloudtrail.TrailHandler(),
    "AWS::Logs::LogGroup": cloudwatch.LogGroupHandler(),
    "AWS::Logs::MetricFilter": cloudwatch.MetricFilterHandler(),
    "AWS::CloudWatch::Alarm": cloudwatch.AlarmHandler(),
    "AWS::IAM::Role": notify.RoleHandler(),
    "AWS::SNS::Topic": notify.TopicHandler(),
    "AWS::SNS::TopicPolicy": notify.TopicPolicyHandler(),
    "AWS::SNS::Subscription": notify.SubscriptionHandler(),
    "Bootstrap::S3::AccountPublicAccessBlock": s3control.AccountPublicAccessBlockHandler(),
}


def handler_for(type_: str) -> Handler:
    try:
        return HANDLERS[type_]
    except KeyError:
        raise KeyError(f"no handler for resource type {type_}") from None
