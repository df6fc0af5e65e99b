"""The logging layer's policies and patterns as AWS needs them: the logs key lets CloudTrail decrypt for
the S3 Bucket Key (for this trail only), the log bucket denies the settings that would stop or divert
delivery, and the CIS and break-glass metric filter patterns are the intended ones."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from blueprints.cis import FILTERS, break_glass_filter
from blueprints.log_archive import TAMPER_ACTIONS
from bootstrap.desired import desired_state
from bootstrap.plan.refs import Registry
from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import LandingZoneSpec

MANAGEMENT_ID = "123456789012"
TRAIL = f"arn:aws:cloudtrail:us-east-1:{MANAGEMENT_ID}:trail/acme-organization-trail"


@pytest.fixture(scope="module")
def spec() -> LandingZoneSpec:
    return parse_spec(render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID)))


def _resolved(spec: LandingZoneSpec, address: str, prop: str) -> Any:
    registry = Registry()
    registry.set("Organization", "o-abcdefghij", {"Id": "o-abcdefghij"})
    registry.set("AccountLogArchive", "111122223333", {"AccountId": "111122223333"})
    registry.set("AccountAudit", "444455556666", {"AccountId": "444455556666"})
    return registry.resolve(desired_state(spec).by_address[address].properties[prop])


def _actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def test_cloudtrail_may_decrypt_with_the_logs_key_for_this_trail_only(spec: LandingZoneSpec) -> None:
    """CloudTrail user guide, "Configure AWS KMS key policies for CloudTrail": with an S3 Bucket Key,
    kms:Decrypt is required to create or update a trail with SSE-KMS. The log bucket uses one."""
    bucket = desired_state(spec).by_address["logging/bucket/logs"].properties
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["BucketKeyEnabled"] is True
    policy = _resolved(spec, "logging/key/logs", "KeyPolicy")
    cloudtrail = [s for s in policy["Statement"] if s.get("Principal") == {"Service": "cloudtrail.amazonaws.com"}]
    decrypting = [s for s in cloudtrail if "kms:Decrypt" in _actions(s)]
    assert len(decrypting) == 1
    (decrypt,) = decrypting
    assert decrypt["Effect"] == "Allow" and _actions(decrypt) == {"kms:Decrypt"}
    assert decrypt["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL}}, "this trail, nobody else's"
    for statement in cloudtrail:
        assert statement["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL}}, statement["Sid"]
    others = [s for s in policy["Statement"] if s not in cloudtrail and "kms:Decrypt" in _actions(s)]
    assert [s["Sid"] for s in others] == ["DecryptForReaders"], "no other principal gained kms:Decrypt"


def test_the_log_bucket_denies_what_would_stop_or_divert_delivery(spec: LandingZoneSpec) -> None:
    """CloudTrail cannot deliver to a Requester Pays bucket; replication and notifications would send
    copies or keys of every log elsewhere. Only the break-glass role may change them."""
    policy = _resolved(spec, "logging/bucket-policy/logs", "PolicyDocument")
    (deny,) = [s for s in policy["Statement"] if s["Sid"] == "DenyTamperingExceptBreakGlass"]
    added = {"s3:PutBucketRequestPayment", "s3:PutReplicationConfiguration", "s3:PutBucketNotification"}
    assert added <= set(deny["Action"]) and added <= set(TAMPER_ACTIONS)
    assert deny["Action"] == sorted(deny["Action"])
    assert deny["Condition"] == {
        "ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::111122223333:role/LandingZoneBreakGlass"]}
    }


def test_cis_4_13_is_guarded_by_the_ec2_event_source() -> None:
    """Without the guard API Gateway v2's CreateRoute/DeleteRoute match too (CIS v1.4 and later)."""
    pattern = {f.control: f.pattern for f in FILTERS}["4.13"]
    assert pattern == (
        "{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) "
        "|| ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = "
        "DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }"
    )


def test_cis_4_15_watches_the_published_events_and_three_more() -> None:
    pattern = {f.control: f.pattern for f in FILTERS}["4.15"]
    assert pattern.startswith("{ ($.eventSource = organizations.amazonaws.com) && ((")
    events = re.findall(r'\$\.eventName = "(\w+)"', pattern)
    published = [
        "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy",
        "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy",
        "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount",
        "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit",
    ]  # fmt: skip
    assert events == [*published, "CancelHandshake", "CreateOrganization", "EnableAllFeatures"]
    assert pattern.count("(") == pattern.count(")") and pattern.endswith(")) }")


def test_every_pattern_fits_cloudwatch_logs_and_balances() -> None:
    for watch in (*FILTERS, break_glass_filter("LandingZoneBreakGlass")):
        assert len(watch.pattern) <= 1024, watch.control  # PutMetricFilter's filterPattern limit
        assert watch.pattern.startswith("{") and watch.pattern.endswith("}")
        assert watch.pattern.count("(") == watch.pattern.count(")"), watch.control


def test_the_break_glass_watch_names_the_role_in_both_ways_in() -> None:
    watch = break_glass_filter("BreakGlassX")
    assert not watch.benchmark and watch.name_part == "break-glass"
    assert watch.pattern == (
        "{ (($.eventSource = sts.amazonaws.com) && ($.eventName = AssumeRole) && ($.requestParameters.roleArn = "
        '"*:role/BreakGlassX")) || (($.eventSource = signin.amazonaws.com) && ($.eventName = SwitchRole) && '
        '($.userIdentity.arn = "*:assumed-role/BreakGlassX/*")) }'
    )


def test_the_break_glass_alarm_follows_the_spec_and_may_publish(spec: LandingZoneSpec) -> None:
    desired = desired_state(spec)
    alarm = desired.by_address["logging/alarm/break-glass"]
    filter_ = desired.by_address["logging/metric-filter/break-glass"]
    assert filter_.properties["FilterPattern"] == break_glass_filter(spec.organization.break_glass_role).pattern
    assert alarm.properties["AlarmName"] == "acme-break-glass-role-assumed"
    assert alarm.properties["AlarmActions"] == [{"Ref": "SecurityAlarmTopic"}]
    assert filter_.logical_id in alarm.depends_on
    policy = _resolved(spec, "logging/key/monitoring", "KeyPolicy")
    (publish,) = [s for s in policy["Statement"] if s["Sid"] == "AllowCloudWatchAlarmsToPublish"]
    patterns = publish["Condition"]["ArnLike"]["aws:SourceArn"]
    assert patterns == [
        f"arn:aws:cloudwatch:us-east-1:{MANAGEMENT_ID}:alarm:acme-break-glass-*",
        f"arn:aws:cloudwatch:us-east-1:{MANAGEMENT_ID}:alarm:acme-cis-*",
    ]
    names = [
        r.properties["AlarmName"] for r in desired.of_type("AWS::CloudWatch::Alarm") if r.address.startswith("logging/")
    ]
    assert all(any(re.fullmatch(p.split(":alarm:")[1].replace("*", ".*"), n) for p in patterns) for n in names)
    assert "CisFilter" not in json.dumps(alarm.depends_on)
