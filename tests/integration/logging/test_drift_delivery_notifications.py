"""Delivery notifications (`logging.delivery_notifications`): the trail notifies a topic of its own,
encrypted with the monitoring key, that only this trail may publish to. Drift of the topic policy or of
the trail's topic is named, repaired, and gone afterwards; turning the option off stops the notifications."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from variants import in_process_baseline, without_identity, without_network

from bootstrap.aws.session import Sessions
from bootstrap.changes import Action
from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live

Drift = tuple[str, str, Any, Any]
MANAGEMENT_ID = "123456789012"
TOPIC = "acme-trail-deliveries"
TRAIL_ARN = f"arn:aws:cloudtrail:us-east-1:{MANAGEMENT_ID}:trail/acme-organization-trail"
POLICY_ADDRESS = "logging/topic-policy/trail-deliveries"


def _spec(notifications: bool) -> LandingZoneSpec:
    data = yaml.safe_load(render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID, billing=False)))
    data["logging"]["delivery_notifications"] = notifications
    data["network"] = without_network(data.get("network"))
    data["baseline"] = in_process_baseline(data.get("baseline"))
    data["identity"] = without_identity(data.get("identity"))
    return parse_spec(yaml.safe_dump(data, sort_keys=False))


@pytest.fixture
def spec() -> LandingZoneSpec:
    return _spec(True)


def _topic_arn(o: Any) -> str:
    return next(t["TopicArn"] for t in o.client("sns").list_topics()["Topics"] if t["TopicArn"].endswith(f":{TOPIC}"))


def _policy(o: Any) -> dict[str, Any]:
    attributes = o.client("sns").get_topic_attributes(TopicArn=_topic_arn(o))["Attributes"]
    return dict(json.loads(attributes["Policy"]))


def test_the_trail_notifies_its_own_encrypted_topic_that_only_it_may_publish_to(
    applied: LandingZoneSpec, log_outsider: Any
) -> None:
    o = log_outsider
    (trail,) = o.cloudtrail().describe_trails(trailNameList=[o.trail])["trailList"]
    assert trail["SnsTopicName"] == TOPIC
    arn = _topic_arn(o)
    attributes = o.client("sns").get_topic_attributes(TopicArn=arn)["Attributes"]
    kms = o.client("kms")
    monitoring = o.key(kms, "monitoring")
    assert attributes["KmsMasterKeyId"] == monitoring["Arn"]
    (statement,) = _policy(o)["Statement"]
    assert statement["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert statement["Action"] == "sns:Publish" and statement["Resource"] == arn
    assert statement["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL_ARN}}
    key_policy = {s["Sid"]: s for s in o.key_policy(kms, monitoring["KeyId"])["Statement"]}
    publish = key_policy["AllowCloudTrailToPublishDeliveryNotifications"]
    assert sorted(publish["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert publish["Condition"] == {
        "StringEquals": {"aws:SourceArn": TRAIL_ARN, "kms:EncryptionContext:aws:sns:topicArn": arn}
    }


def policy_opened(o: Any) -> Drift:
    wanted = _policy(o)
    opened = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:*", "Resource": "*"}
        ],
    }
    o.client("sns").set_topic_attributes(
        TopicArn=_topic_arn(o), AttributeName="Policy", AttributeValue=json.dumps(opened)
    )
    return POLICY_ADDRESS, "PolicyDocument", opened, wanted


def notifications_off(o: Any) -> Drift:
    o.cloudtrail().update_trail(Name=o.trail, SnsTopicName="")
    return "logging/trail", "SnsTopicName", None, TOPIC


DRIFTS = {"topic-policy-opened": policy_opened, "trail-notifications-off": notifications_off}


@pytest.mark.parametrize("tamper", DRIFTS.values(), ids=DRIFTS.keys())
def test_drift_is_named_repaired_and_gone(
    tamper: Callable[[Any], Drift], log_outsider: Any, assert_repaired: Callable[[Drift], None]
) -> None:
    assert_repaired(tamper(log_outsider))


def test_turning_notifications_off_stops_them_and_keeps_the_topic(
    applied: LandingZoneSpec, sessions: Sessions, apply: Any, log_outsider: Any
) -> None:
    off = _spec(False)
    live, _ = plan_live(off, sessions)
    changes = {c.address: c for c in live.plan.changes}
    assert sorted(changes) == ["logging/key/monitoring", "logging/trail"]
    assert all(c.action is Action.UPDATE for c in changes.values())
    assert [(d.name, d.before, d.after) for d in changes["logging/trail"].diffs] == [("SnsTopicName", TOPIC, None)]
    (key_diff,) = changes["logging/key/monitoring"].diffs
    sids = [{s["Sid"] for s in side["Statement"]} for side in (key_diff.before, key_diff.after)]
    assert key_diff.name == "KeyPolicy" and sids[0] - sids[1] == {"AllowCloudTrailToPublishDeliveryNotifications"}
    assert sids[1] <= sids[0]
    apply(off, sessions)
    (trail,) = log_outsider.cloudtrail().describe_trails(trailNameList=[log_outsider.trail])["trailList"]
    assert not trail.get("SnsTopicName")
    assert _topic_arn(log_outsider), "the topic is left in place (its subscribers are not the toolkit's)"
    assert plan_live(off, sessions)[0].plan.empty
