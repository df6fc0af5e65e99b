"""The wizard's identity questions: answered, defaulted (`init --defaults`) or read from an answers file, they make
the spec's `identity` section; each answer is checked as it is given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import questionary

from bootstrap.cli import wizard
from bootstrap.cli.wizard import Draft
from bootstrap.cli.wizard_identity import _with
from bootstrap.spec.answers import DEFAULT_OUS, AccountAnswer, Answers, render_spec_yaml
from bootstrap.spec.identity_checks import assignment_accounts
from bootstrap.spec.load import parse_spec
from bootstrap.spec.roles import operator_patterns

MANAGEMENT_ID = "123456789012"


def test_the_defaults_give_each_library_set_a_group_assigned_by_ou() -> None:
    spec = parse_spec(render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID)))
    identity = spec.identity
    assert identity.enabled and identity.source == "identity_center" and identity.allow_management_account
    assert identity.permission_sets == ["administrator", "power-user", "read-only", "security-audit", "billing"]
    by_set = {a.permission_set: a for a in identity.assignments}
    assert by_set["billing"].accounts == ["management"] and not by_set["billing"].ous
    assert by_set["read-only"].ous == ["Workloads"]
    assert "Suspended" not in by_set["administrator"].ous
    index = identity.assignments.index(by_set["security-audit"])
    assert assignment_accounts(spec, index) == ["log-archive", "audit"]
    sso = f"arn:aws:iam::{MANAGEMENT_ID}:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_administrator_*"
    assert sso in operator_patterns(spec)


def test_answers_turning_identity_off_and_an_external_idp() -> None:
    off = parse_spec(render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID, identity=False)))
    assert not off.identity.enabled
    external = Answers(
        management_account_id=MANAGEMENT_ID,
        identity_source="external",
        identity_sets=["read-only"],
        identity_groups={"read-only": "AWS-ReadOnly"},
    )
    identity = parse_spec(render_spec_yaml(external)).identity
    assert identity.source == "external" and [g.name for g in identity.groups] == ["AWS-ReadOnly"]
    assert not identity.allow_management_account


def test_a_group_name_with_a_quote_is_refused_at_its_question() -> None:
    draft = Draft(Path("unused.yaml"))
    draft.fields.update(management_account_id=MANAGEMENT_ID, identity_sets=["read-only"])
    check = draft.check("identity_groups", _with({}, "read-only"))
    message = check('say "hi"')
    assert isinstance(message, str) and "no quotes" in message
    assert check("readers") is True


class _Scripted:
    """questionary stand-in: answers by the question's first word."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, message: str, **kwargs: Any) -> Any:
        del kwargs
        self.asked.append(message)
        answer = self.answers[message.split(" ")[0]]
        return type("Question", (), {"ask": staticmethod(lambda: answer)})()


def test_the_whole_wizard_asks_the_identity_questions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    script = {
        "Organization": "zeta",
        "Management": MANAGEMENT_ID,
        "Home": "us-east-1",
        "Allowed": "us-east-1",
        "Root": "aws+{name}@example.com",
        "E-mail": "soc@example.org",
        "Organizational": list(DEFAULT_OUS),
        "More": "",
        "Accounts:": [AccountAnswer(name="log-archive", ou="Security")],
        "Where": "management",
        "Guardrails": [],
        "Remove": True,
        "Turn": True,
        "Create": False,
        "Build": False,  # billing: tests/unit/test_wizard_billing.py
        "Security": "soc@example.org",  # the account baseline's contacts
        "Billing": "soc@example.org",
        "Operations": "soc@example.org",
        "Phone": "+1 206 555 0100",
        "Give": True,
        "Identity": "external",
        "Permission": ["security-audit", "billing"],
        "Group": "aws-team",
    }
    prompt = _Scripted(script)
    for kind in ("text", "autocomplete", "checkbox", "select", "confirm"):
        monkeypatch.setattr(questionary, kind, prompt)
    answers = wizard.run_wizard(None, tmp_path / "answers.yaml")
    assert [m for m in prompt.asked if m.startswith("Group")] == [
        "Group that receives security-audit:",
        "Group that receives billing:",
    ]
    identity = parse_spec(render_spec_yaml(answers)).identity
    assert identity.source == "external" and identity.permission_sets == ["security-audit", "billing"]
    assert [g.name for g in identity.groups] == ["aws-team"]  # one group may receive several sets
