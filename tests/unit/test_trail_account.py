"""Where the organization trail lives: `validate` says what the management account gives up, `init` asks
and recommends the audit account, and the unattended paths the sandbox uses stay on management."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bootstrap.cli import wizard
from bootstrap.cli.wizard import trail_account_choices
from bootstrap.desired import desired_state
from bootstrap.spec.answers import AccountAnswer, Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.log_archive import warnings

MANAGEMENT_ID = "123456789012"


def test_a_management_trail_is_warned_about_naming_what_is_lost_and_the_remedy() -> None:
    spec = parse_spec(render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID)))
    (warning,) = [w for w in warnings(spec) if "trail_account" in w]
    assert "no SCP applies" in warning and "protect-security-services" in warning
    for thing in ("trail", "CloudWatch Logs group", "CIS alarms", "alarm topic", "monitoring key"):
        assert thing in warning
    assert "trail_account: audit" in warning and "delegated administrator" in warning


def test_a_delegated_trail_account_is_not_warned_about() -> None:
    spec = parse_spec(render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID, trail_account="audit")))
    assert spec.logging.trail_account == "audit"
    assert not [w for w in warnings(spec) if "trail_account" in w]
    trail = desired_state(spec).by_address["logging/trail"]
    assert trail.location.account == "audit" and "CloudTrailDelegatedAdmin" in trail.depends_on


def test_the_unattended_defaults_keep_the_sandbox_path_on_management() -> None:
    """`init --defaults` and `bootstrap demo` render `Answers(management_account_id=...)`: moto cannot
    register a CloudTrail delegated administrator, so that path must not ask for one."""
    text = render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID))
    assert yaml.safe_load(text)["logging"]["trail_account"] == "management"
    types = {r.type for r in desired_state(parse_spec(text)).resources}
    assert "Bootstrap::CloudTrail::DelegatedAdministrator" not in types


@pytest.mark.parametrize("trail_account", ["nowhere", "log-archive-2"])
def test_answers_naming_an_unknown_trail_account_are_refused(trail_account: str) -> None:
    with pytest.raises(ValidationError, match="trail_account"):
        Answers(management_account_id=MANAGEMENT_ID, trail_account=trail_account)


def test_init_recommends_the_audit_account_and_offers_management() -> None:
    choices, recommended = trail_account_choices(["log-archive", "audit", "shared-network"])
    assert recommended == "audit"
    values = [value for value, _ in choices]
    assert values == ["audit", "shared-network", "management"], "the log archive holds the logs, not the trail"
    labels = dict(choices)
    assert "recommended" in labels["audit"] and "recommended" not in labels["shared-network"]
    assert "sandbox" in labels["management"]
    assert trail_account_choices(["log-archive"]) == ([("management", labels["management"])], "management")


class _Scripted:
    """questionary's prompt objects, answering from a script (prompt message -> answer)."""

    def __init__(self, answers: dict[str, Any], asked: list[tuple[str, Any]]) -> None:
        self.answers = answers
        self.asked = asked

    def __call__(self, message: str, **kwargs: Any) -> Any:
        self.asked.append((message, kwargs.get("default")))
        answer = next(v for k, v in self.answers.items() if message.startswith(k))
        return type("Question", (), {"ask": staticmethod(lambda: answer)})()


def test_the_wizard_asks_where_the_trail_lives_and_writes_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[str, Any]] = []
    script = {
        "Organization (landing zone)": "acme",
        "Management account id": MANAGEMENT_ID,
        "Home region": "us-east-1",
        "Allowed regions": "us-east-1",
        "Root e-mail": "aws+{name}@example.com",
        "E-mail address(es) for security alarms": "security@example.com",
        "Organizational units": ["Security"],
        "More OUs": "",
        "Accounts": [AccountAnswer(name="log-archive", ou="Security"), AccountAnswer(name="audit", ou="Security")],
        "More accounts": "",
        "Where should the organization trail": "audit",
        "Guardrails": [],
        "Security contact": "security@example.com",
        "Billing contact": "security@example.com",
        "Operations contact": "security@example.com",
        "Phone number": "+1 206 555 0100",
        "Remove the default VPC": True,
        "Turn on EBS encryption": True,
        "Build billing alarms": False,
        "Give people access through IAM Identity Center": False,
    }
    prompt = _Scripted(script, asked)
    for kind in ("text", "autocomplete", "checkbox", "select", "confirm"):
        monkeypatch.setattr(wizard.questionary, kind, prompt)
    answers = wizard.run_wizard(MANAGEMENT_ID)
    assert answers.trail_account == "audit"
    (question,) = [(m, d) for m, d in asked if m.startswith("Where should the organization trail")]
    assert question[1] == "audit", "the audit account is preselected"
    spec = parse_spec(render_spec_yaml(answers))
    assert spec.logging.trail_account == "audit"
