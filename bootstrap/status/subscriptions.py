"""Is every alarm subscription confirmed? For every SNS topic of the desired state that alarms or subscribers
point at (the security alarm topic; the billing topic when that layer builds one), its subscriptions are listed
in the topic's own account and region (`list_subscriptions_by_topic`, in parallel).

An e-mail subscription exists from the moment `apply` subscribes the address, but until the address clicks
the link in AWS's confirmation e-mail its ARN reads `PendingConfirmation` and no message reaches it. So the
step is `pending` while any subscription waits for its confirmation (naming each address), while an address
of the spec is not subscribed at all, or while a topic that alarms publish to has no subscriber; `unknown`
(with the reason) for a topic that cannot be read, the others still read.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code
from bootstrap.aws.session import Sessions
from bootstrap.render.steps import AlarmTopic, alarm_topics
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec
from bootstrap.status.parallel import each

PENDING = "PendingConfirmation"


def check_subscriptions(spec: LandingZoneSpec, sessions: Sessions, accounts: dict[str, str]) -> tuple[str, str]:
    topics = alarm_topics(spec)
    if not topics:
        return "done", "this spec creates no alarm topic"
    partition = sessions.caller_arn.split(":")[1] if sessions.caller_arn.count(":") >= 5 else "aws"
    reads = each(sessions, topics, lambda topic: _topic_state(sessions, spec, accounts, partition, topic))
    states, details = [], []
    for read in reads:
        if read.answer is None:
            states.append("unknown")
            details.append(f"{read.item.where()}: could not list its subscriptions: {read.failure}")
        else:
            states.append(read.answer[0])
            details.append(read.answer[1])
    state = "pending" if "pending" in states else "unknown" if "unknown" in states else "done"
    return state, "; ".join(details)


def _topic_state(
    sessions: Sessions, spec: LandingZoneSpec, accounts: dict[str, str], partition: str, topic: AlarmTopic
) -> tuple[str, str]:
    account_id = spec.organization.management_account_id if topic.account == MANAGEMENT else accounts.get(topic.account)
    if account_id is None:
        return "pending", f"{topic.where()}: account {topic.account} does not exist yet; run `bootstrap apply`"
    sns = sessions.client("sns", account_id=None if topic.account == MANAGEMENT else account_id, region=topic.region)
    arn = f"arn:{partition}:sns:{topic.region}:{account_id}:{topic.name}"
    try:
        listed = _subscriptions(sns, arn)
    except ClientError as err:
        if error_code(err) == "NotFound":
            return "pending", f"{topic.where()}: the topic does not exist yet; run `bootstrap apply`"
        raise
    return _judge(topic, listed)


def _subscriptions(sns: Any, arn: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    token = None
    while True:
        page = sns.list_subscriptions_by_topic(TopicArn=arn, **({"NextToken": token} if token else {}))
        found += page.get("Subscriptions", [])
        token = page.get("NextToken")
        if not token:
            return found


def _judge(topic: AlarmTopic, listed: list[dict[str, Any]]) -> tuple[str, str]:
    waiting = sorted(str(s["Endpoint"]) for s in listed if s["SubscriptionArn"] == PENDING)
    confirmed = sorted(str(s["Endpoint"]) for s in listed if str(s["SubscriptionArn"]).startswith("arn:"))
    missing = sorted(set(topic.endpoints) - {str(s["Endpoint"]) for s in listed})
    problems = []
    if waiting:
        problems.append(
            f"awaiting confirmation, so no alarm reaches them: {', '.join(waiting)} (each must click the link in "
            "AWS's 'Subscription Confirmation' e-mail)"
        )
    if missing:
        problems.append(f"not subscribed yet: {', '.join(missing)} (run `bootstrap apply`)")
    if not confirmed and not waiting and not missing:
        problems.append(f"no subscriber at all: its {topic.alarms} alarm(s) reach nobody; add subscribers to the spec")
    if problems:
        return "pending", f"{topic.where()}: " + "; ".join(problems)
    return "done", f"{topic.where()}: {len(confirmed)} subscription(s) confirmed ({', '.join(confirmed)})"
