"""`bootstrap status` on the logging layer: every alarm subscription confirmed, read in the topic's own account and
region; the whole checklist after an apply. moto confirms e-mail subscriptions by itself (SANDBOX-NOTES.md), so
subscriptions waiting for their confirmation are answered by botocore's Stubber, as SNS answers."""

from __future__ import annotations

from typing import Any

from botocore.stub import Stubber

from bootstrap.aws.session import Sessions
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.status.report import EXIT_PENDING, collect_status, exit_code
from bootstrap.status.subscriptions import check_subscriptions

TOPIC = "arn:aws:sns:us-east-1:123456789012:acme-security-alarms"
EMAIL = "aws+security-alarms@example.com"


def subscription(endpoint: str, arn: str) -> dict[str, str]:
    return {
        "SubscriptionArn": arn,
        "Owner": "123456789012",
        "Protocol": "email",
        "Endpoint": endpoint,
        "TopicArn": TOPIC,
    }


def with_emails(spec: LandingZoneSpec, *emails: str) -> LandingZoneSpec:
    return spec.model_copy(update={"logging": spec.logging.model_copy(update={"alarm_emails": list(emails)})})


def test_after_apply_every_subscription_is_confirmed_on_moto(applied: LandingZoneSpec, sessions: Sessions) -> None:
    assert check_subscriptions(applied, sessions, {}) == (
        "done",
        f"acme-security-alarms (management, us-east-1): 1 subscription(s) confirmed ({EMAIL})",
    )


def test_the_whole_checklist_after_apply(applied: LandingZoneSpec, sessions: Sessions) -> None:
    rows = {r.step.id: r for r in collect_status(applied, sessions)}
    assert rows["alarm-subscriptions"].state == "done"
    assert rows["iam-billing-access"].state == "unverifiable"
    assert rows["iam-billing-access"].step.runbook_link == "runbooks/root-user-mfa.md#iam-billing-access"
    assert "AWS offers no API" in rows["iam-billing-access"].detail
    assert rows["root-mfa"].state == "pending", "moto's root user has no MFA device (AccountMFAEnabled 0)"
    assert rows["mfa-delete"].state == "pending" and rows["mfa-delete"].account_id is not None
    assert exit_code(list(rows.values())) == EXIT_PENDING


def test_pending_confirmations_are_named_across_pages(spec: LandingZoneSpec, sessions: Sessions) -> None:
    spec = with_emails(spec, EMAIL, "oncall@example.com", "cfo@example.com")
    with Stubber(sessions.client("sns", region="us-east-1")) as stub:
        stub.add_response(
            "list_subscriptions_by_topic",
            {"Subscriptions": [subscription(EMAIL, f"{TOPIC}:0b9e")], "NextToken": "page-2"},
            {"TopicArn": TOPIC},
        )
        stub.add_response(
            "list_subscriptions_by_topic",
            {"Subscriptions": [subscription("oncall@example.com", "PendingConfirmation")]},
            {"TopicArn": TOPIC, "NextToken": "page-2"},
        )
        state, detail = check_subscriptions(spec, sessions, {})
        stub.assert_no_pending_responses()
    assert state == "pending"
    assert "awaiting confirmation, so no alarm reaches them: oncall@example.com" in detail
    assert "not subscribed yet: cfo@example.com (run `bootstrap apply`)" in detail
    assert EMAIL not in detail.split("awaiting")[1]


def test_a_topic_without_any_subscriber_reaches_nobody(spec: LandingZoneSpec, sessions: Sessions) -> None:
    with Stubber(sessions.client("sns", region="us-east-1")) as stub:
        stub.add_response("list_subscriptions_by_topic", {"Subscriptions": []}, {"TopicArn": TOPIC})
        state, detail = check_subscriptions(with_emails(spec), sessions, {})
    assert state == "pending"
    assert "no subscriber at all: its 16 alarm(s) reach nobody" in detail


def test_missing_topic_is_pending_and_an_unreadable_one_unknown(spec: LandingZoneSpec, sessions: Sessions) -> None:
    with Stubber(sessions.client("sns", region="us-east-1")) as stub:
        stub.add_client_error("list_subscriptions_by_topic", "NotFound", "Topic does not exist", 404)
        stub.add_client_error("list_subscriptions_by_topic", "AuthorizationError", "not allowed", 403)
        missing = check_subscriptions(spec, sessions, {})
        denied = check_subscriptions(spec, sessions, {})
    assert missing == (
        "pending",
        "acme-security-alarms (management, us-east-1): the topic does not exist yet; run `bootstrap apply`",
    )
    assert denied == (
        "unknown",
        "acme-security-alarms (management, us-east-1): could not list its subscriptions: "
        "AuthorizationError: not allowed",
    )


def test_a_topic_in_an_account_not_yet_created_is_pending(variant: Any, sessions: Sessions) -> None:
    def delegated(data: dict[str, Any]) -> None:
        data["logging"]["trail_account"] = "audit"

    spec = variant(delegated)
    state, detail = check_subscriptions(spec, sessions, {})
    assert state == "pending"
    assert detail == "acme-security-alarms (audit, us-east-1): account audit does not exist yet; run `bootstrap apply`"


def test_before_the_first_apply_every_step_reads_as_not_done_yet(spec: LandingZoneSpec, sessions: Sessions) -> None:
    rows = {r.step.id: r for r in collect_status(spec, sessions)}
    assert (rows["alarm-subscriptions"].state, rows["alarm-subscriptions"].detail) == (
        "pending",
        "acme-security-alarms (management, us-east-1): the topic does not exist yet; run `bootstrap apply`",
    )
    assert rows["mfa-delete"].state == "pending" and rows["mfa-delete"].account_id is None
    assert "does not exist yet" in rows["mfa-delete"].detail
    assert rows["break-glass"].state == "pending" and rows["iam-billing-access"].state == "unverifiable"
