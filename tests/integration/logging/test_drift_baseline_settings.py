"""The account baseline's password policy and alternate contacts, in every account: set by apply (the contacts from
the management account, after trusted access for Account Management), and each drift (a policy lowered or
deleted, a contact changed or deleted) named precisely by plan, repaired by apply, gone afterwards.

The logging layer is off here (these tests are about the baseline); the instance metadata defaults and
centralized root access have no moto backend: `tests/unit/test_baseline_stubbed.py` tests them with Stubber."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml
from variants import in_process_baseline, without_network

from blueprints.account_baseline import accounts
from bootstrap.aws.session import AwsTarget, Sessions
from bootstrap.changes import Action
from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live

Drift = tuple[str, str, Any, Any]
MANAGEMENT_ID = "123456789012"
PHONE = "+1 206 555 0100"
POLICY = {
    "MinimumPasswordLength": 14,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "AllowUsersToChangePassword": True,
    "PasswordReusePrevention": 24,
}
SECURITY = {"Name": "acme security team", "Title": "Security contact", "EmailAddress": "sec@example.com"}


@pytest.fixture
def spec() -> LandingZoneSpec:
    answers = Answers(
        management_account_id=MANAGEMENT_ID,
        contact_phone=PHONE,
        security_contact_email="sec@example.com",
        billing=False,
        identity=False,
    )
    data = yaml.safe_load(render_spec_yaml(answers))
    data["network"] = without_network(data.get("network"))
    data["baseline"] = in_process_baseline(data["baseline"])
    data["logging"]["enabled"] = False
    return parse_spec(yaml.safe_dump(data, sort_keys=False))


def _policy(o: Any, name: str) -> dict[str, Any]:
    iam = o.client("iam", None if name == "management" else name)
    live = iam.get_account_password_policy()["PasswordPolicy"]
    return {k: live[k] for k in POLICY}


def _contact(o: Any, name: str, kind: str = "SECURITY") -> dict[str, Any]:
    """Read from the management account, as the toolkit does (a member account by its id)."""
    member = {} if name == "management" else {"AccountId": o.account_id(name)}
    return dict(o.client("account").get_alternate_contact(AlternateContactType=kind, **member)["AlternateContact"])


def test_first_plan_enables_trusted_access_before_any_member_contact(spec: LandingZoneSpec, sessions: Sessions) -> None:
    changes = [c.address for c in plan_live(spec, sessions)[0].plan.changes]
    trusted = changes.index("organizations/service-access/account.amazonaws.com")
    assert trusted < changes.index("baseline/alternate-contacts/audit")
    assert trusted < changes.index("baseline/alternate-contacts/management")


def test_every_account_gets_the_policy_and_the_contacts(applied: LandingZoneSpec, log_outsider: Any) -> None:
    o = log_outsider
    assert accounts(applied) == ["management", "log-archive", "audit"]
    for name in accounts(applied):
        assert _policy(o, name) == POLICY, name
        for kind in ("SECURITY", "BILLING", "OPERATIONS"):
            contact = _contact(o, name, kind)
            assert contact["PhoneNumber"] == PHONE and contact["EmailAddress"] == "sec@example.com", (name, kind)
        assert {k: _contact(o, name)[k] for k in SECURITY} == SECURITY
    principals = o.org.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert "account.amazonaws.com" in {p["ServicePrincipal"] for p in principals}


def password_lowered(o: Any) -> Drift:
    o.client("iam", "audit").update_account_password_policy(**{**POLICY, "MinimumPasswordLength": 8})
    return "baseline/password-policy/audit", "MinimumPasswordLength", 8, 14


def reuse_allowed(o: Any) -> Drift:
    o.client("iam").update_account_password_policy(**{**POLICY, "PasswordReusePrevention": 1})
    return "baseline/password-policy/management", "PasswordReusePrevention", 1, 24


def security_contact_changed(o: Any) -> Drift:
    o.client("account").put_alternate_contact(
        AccountId=o.account_id("log-archive"),
        AlternateContactType="SECURITY",
        **{**SECURITY, "EmailAddress": "someone-else@example.org"},
        PhoneNumber=PHONE,
    )
    wanted = {**SECURITY, "PhoneNumber": PHONE}
    return (
        "baseline/alternate-contacts/log-archive",
        "Security",
        {**wanted, "EmailAddress": "someone-else@example.org"},
        wanted,
    )


def billing_contact_deleted(o: Any) -> Drift:
    o.client("account").delete_alternate_contact(AccountId=o.account_id("audit"), AlternateContactType="BILLING")
    wanted = {"Name": "acme billing team", "Title": "Billing contact", "EmailAddress": "sec@example.com"}
    return "baseline/alternate-contacts/audit", "Billing", None, {**wanted, "PhoneNumber": PHONE}


DRIFTS = {
    "password-lowered": password_lowered,
    "reuse-allowed": reuse_allowed,
    "security-contact-changed": security_contact_changed,
    "billing-contact-deleted": billing_contact_deleted,
}


@pytest.mark.parametrize("tamper", DRIFTS.values(), ids=DRIFTS.keys())
def test_drift_is_named_repaired_and_gone(
    tamper: Callable[[Any], Drift], log_outsider: Any, assert_repaired: Callable[[Drift], None]
) -> None:
    assert_repaired(tamper(log_outsider))


def test_a_lowered_policy_is_flagged_as_weakening_only_when_the_spec_lowers_it(
    applied: LandingZoneSpec, sessions: Sessions, log_outsider: Any
) -> None:
    password_lowered(log_outsider)
    (repair,) = plan_live(applied, sessions)[0].plan.changes
    assert repair.weakens == ()  # putting 14 back strengthens


def test_a_deleted_policy_is_created_again(
    applied: LandingZoneSpec, sessions: Sessions, apply: Any, log_outsider: Any
) -> None:
    log_outsider.client("iam", "log-archive").delete_account_password_policy()
    live, _ = plan_live(applied, sessions)
    assert [(c.address, c.action) for c in live.plan.changes] == [
        ("baseline/password-policy/log-archive", Action.CREATE)
    ]
    assert {d.name: d.after for d in live.plan.changes[0].diffs} == POLICY
    apply(applied, sessions)
    assert _policy(log_outsider, "log-archive") == POLICY
    sessions.stats.reset()
    assert plan_live(applied, sessions)[0].plan.empty
    assert sessions.stats.writes == 0


def test_against_the_sandbox_the_settings_it_lacks_are_noted_never_planned_and_apply_succeeds(
    sessions: Sessions, apply: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Instance metadata defaults and centralized root access against an endpoint that says it is the sandbox:
    every one of them, in accounts that exist and in accounts still to be created, is a note, not a change."""
    monkeypatch.setattr(AwsTarget, "simulated", property(lambda self: True))
    data = yaml.safe_load(render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID, billing=False, identity=False)))
    data["network"] = without_network(data.get("network"))
    data["logging"]["enabled"] = False
    full = parse_spec(yaml.safe_dump(data, sort_keys=False))
    lacking = {"baseline/centralized-root-access"} | {
        f"baseline/instance-metadata-defaults/{a}/{r}" for a in accounts(full) for r in ("us-east-1", "us-west-2")
    }
    plan = plan_live(full, sessions)[0].plan
    assert not lacking & {c.address for c in plan.changes}
    assert {n.address for n in plan.notes if n.severity == "unavailable"} == lacking
    assert "7 setting(s) this endpoint cannot read or set" in plan.summary()
    result = apply(full, sessions)
    assert not result.failed
    again = plan_live(full, sessions)[0].plan
    assert again.empty and len(again.unavailable) == 7
