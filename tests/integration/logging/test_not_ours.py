"""Objects with the toolkit's names that it did not create are reported and left as they are: an alias
on another team's key is not retargeted (and that key is not mistaken for the toolkit's), a role without
the ownership tag is not adopted (its trust policy is not rewritten), and a bucket that exists already
keeps the tags others put on it."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from bootstrap.apply.context import ApplyContext
from bootstrap.aws.session import Sessions
from bootstrap.changes import Action, Change
from bootstrap.errors import SafetyError
from bootstrap.plan.refs import Registry
from bootstrap.resources import DesiredState, Location, Resource, ownership_tags
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec
from bootstrap.types.iam import RoleHandler
from bootstrap.types.kms import AliasHandler
from bootstrap.types.s3 import BucketHandler
from bootstrap.workflow import plan_live

HERE = Location(MANAGEMENT, "us-east-1")
ALIAS = "alias/acme/monitoring"
ROLE = "acme-cloudtrail-to-cloudwatch"
EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def context(sessions: Sessions) -> ApplyContext:
    ctx = ApplyContext(sessions=sessions, desired=DesiredState(()), registry=Registry(), journal=None)  # type: ignore[arg-type]
    ctx.sleep = lambda seconds: None
    return ctx


def creating(resource: Resource) -> Change:
    return Change(resource.address, resource.type, resource.location, Action.CREATE)


def kms_tags(address: str) -> list[dict[str, str]]:
    return [{"TagKey": k, "TagValue": v} for k, v in ownership_tags(address).items()]


def test_an_alias_on_someone_elses_key_blocks_the_plan_and_that_key_is_never_used(
    spec: LandingZoneSpec, sessions: Sessions, apply: Any, log_outsider: Any
) -> None:
    """The spec's alias on a key without the toolkit's tags: the landing zone's own key untagged, or another
    team's. Neither a second key nor a retargeted alias: the plan is blocked until a person decides."""
    kms = log_outsider.client("kms")
    foreign = kms.create_key(Description="another team's key")["KeyMetadata"]
    kms.create_alias(AliasName=ALIAS, TargetKeyId=foreign["KeyId"])
    live, _ = plan_live(spec, sessions)
    actions = {c.address: c.action for c in live.plan.changes}
    assert "logging/key/monitoring" not in actions, "no second key for the purpose"
    assert "logging/alias/monitoring" not in actions, "the alias is not retargeted"
    blocked = {n.address: n.message for n in live.plan.blocked}
    assert "bootstrap adopt logging/key/monitoring" in blocked["logging/key/monitoring"]
    assert "aws kms update-alias" in blocked["logging/alias/monitoring"]
    with pytest.raises(SafetyError):
        apply(spec, sessions)
    assert kms.describe_key(KeyId=ALIAS)["KeyMetadata"]["KeyId"] == foreign["KeyId"], "still the other team's"

    kms.delete_alias(AliasName=ALIAS)  # the remedy for someone else's key: free the landing zone's alias
    apply(spec, sessions)
    (group,) = log_outsider.logs().describe_log_groups(logGroupNamePrefix=log_outsider.log_group)["logGroups"]
    assert group["kmsKeyId"] != foreign["Arn"], "the trail's log group is encrypted with the toolkit's key"
    again, _ = plan_live(spec, sessions)
    assert again.plan.empty and not again.plan.blocked


def test_an_alias_made_meanwhile_on_someone_elses_key_is_refused_not_retargeted(sessions: Sessions) -> None:
    kms = boto3.client("kms", region_name="us-east-1")
    foreign = kms.create_key(Description="another team's key")["KeyMetadata"]["KeyId"]
    ours = kms.create_key(Tags=kms_tags("logging/key/monitoring"))["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=ALIAS, TargetKeyId=foreign)
    alias = Resource("logging/alias/monitoring", "MonitoringKeyAlias", "AWS::KMS::Alias", HERE, {})
    with pytest.raises(SafetyError) as raised:
        AliasHandler().create(context(sessions), alias, {"AliasName": ALIAS, "TargetKeyId": ours}, creating(alias))
    assert "does not own" in raised.value.message and "not retargeted" in raised.value.message
    assert kms.describe_key(KeyId=ALIAS)["KeyMetadata"]["KeyId"] == foreign


def test_an_alias_left_on_one_of_its_own_keys_is_moved(sessions: Sessions) -> None:
    """An interrupted run may leave the alias on an earlier key of the toolkit's: that one it may move."""
    kms = boto3.client("kms", region_name="us-east-1")
    earlier = kms.create_key(Tags=kms_tags("logging/key/monitoring"))["KeyMetadata"]["KeyId"]
    ours = kms.create_key(Tags=kms_tags("logging/key/monitoring"))["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=ALIAS, TargetKeyId=earlier)
    alias = Resource("logging/alias/monitoring", "MonitoringKeyAlias", "AWS::KMS::Alias", HERE, {})
    AliasHandler().create(context(sessions), alias, {"AliasName": ALIAS, "TargetKeyId": ours}, creating(alias))
    assert kms.describe_key(KeyId=ALIAS)["KeyMetadata"]["KeyId"] == ours


def test_a_role_of_the_toolkits_name_it_did_not_create_blocks_the_plan(
    spec: LandingZoneSpec, sessions: Sessions, apply: Any
) -> None:
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(EC2_TRUST))
    live, _ = plan_live(spec, sessions)
    (error,) = [n for n in live.plan.blocked if n.address == "logging/role/cloudtrail-to-cloudwatch"]
    assert ROLE in error.message and "not adopted" in error.message
    assert "logging/role/cloudtrail-to-cloudwatch" not in {c.address for c in live.plan.changes}
    with pytest.raises(SafetyError):
        apply(spec, sessions)
    assert iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"] == EC2_TRUST


def test_a_role_made_meanwhile_by_someone_else_is_not_adopted(sessions: Sessions) -> None:
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(EC2_TRUST))
    role = Resource("logging/role/cloudtrail-to-cloudwatch", "TrailToCloudWatchRole", "AWS::IAM::Role", HERE, {})
    trust = {
        **EC2_TRUST,
        "Statement": [{**EC2_TRUST["Statement"][0], "Principal": {"Service": "cloudtrail.amazonaws.com"}}],
    }
    props = {
        "RoleName": ROLE,
        "AssumeRolePolicyDocument": trust,
        "Tags": [{"Key": "bootstrap:managed", "Value": "true"}],
    }
    with pytest.raises(SafetyError) as raised:
        RoleHandler().create(context(sessions), role, props, creating(role))
    assert "refusing to adopt" in raised.value.message
    assert iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"] == EC2_TRUST


def test_a_role_an_interrupted_run_created_is_resumed(sessions: Sessions) -> None:
    iam = boto3.client("iam", region_name="us-east-1")
    tags = [{"Key": k, "Value": v} for k, v in ownership_tags("logging/role/cloudtrail-to-cloudwatch").items()]
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(EC2_TRUST), Tags=tags)
    role = Resource("logging/role/cloudtrail-to-cloudwatch", "TrailToCloudWatchRole", "AWS::IAM::Role", HERE, {})
    trust = {
        **EC2_TRUST,
        "Statement": [{**EC2_TRUST["Statement"][0], "Principal": {"Service": "cloudtrail.amazonaws.com"}}],
    }
    RoleHandler().create(
        context(sessions), role, {"RoleName": ROLE, "AssumeRolePolicyDocument": trust, "Tags": tags}, creating(role)
    )
    assert iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"] == trust


def test_a_bucket_that_exists_already_keeps_the_tags_others_put_on_it(sessions: Sessions) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="acme-existing")
    s3.put_bucket_tagging(Bucket="acme-existing", Tagging={"TagSet": [{"Key": "cost-center", "Value": "sec-42"}]})
    bucket = Resource("logging/bucket/logs", "LogBucket", "AWS::S3::Bucket", HERE, {"BucketName": "acme-existing"})
    ours = [{"Key": k, "Value": v} for k, v in ownership_tags("logging/bucket/logs").items()]
    BucketHandler().create(context(sessions), bucket, {"BucketName": "acme-existing", "Tags": ours}, creating(bucket))
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket="acme-existing")["TagSet"]}
    assert tags == {"cost-center": "sec-42", **ownership_tags("logging/bucket/logs")}
