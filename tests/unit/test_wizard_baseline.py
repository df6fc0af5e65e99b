"""`bootstrap init`'s alternate contact questions: proposed from the answers already given (the security contact
is the first alarm address, the others the security contact), each refused at its question when AWS would
refuse it, and written to every contact type of the spec; unattended answers without a phone set none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import questionary

from bootstrap.cli import wizard_baseline
from bootstrap.cli.wizard import Draft
from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec

MANAGEMENT_ID = "123456789012"


class _Scripted:
    """questionary stand-in: answers by the question's first word, recording each question's default."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.defaults: dict[str, Any] = {}

    def __call__(self, message: str, **kwargs: Any) -> Any:
        word = message.split(" ")[0]
        self.defaults[word] = kwargs.get("default")
        answer = self.answers.get(word, kwargs.get("default"))
        return type("Question", (), {"ask": staticmethod(lambda: answer)})()


def _draft(tmp_path: Path) -> Draft:
    draft = Draft(tmp_path / "answers.yaml")
    draft.fields.update({"management_account_id": MANAGEMENT_ID, "alarm_emails": ["soc@example.org"]})
    return draft


def test_defaults_come_from_the_alarm_address_and_the_security_contact(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    prompt = _Scripted({"Phone": "+1 206 555 0100", "Billing": "finance@example.org"})
    monkeypatch.setattr(questionary, "text", prompt)
    draft = _draft(tmp_path)
    wizard_baseline.ask_baseline(draft)
    assert prompt.defaults["Security"] == "soc@example.org"
    assert prompt.defaults["Billing"] == prompt.defaults["Operations"] == "soc@example.org"
    spec = parse_spec(render_spec_yaml(Answers.model_validate(draft.fields)))
    contacts = spec.baseline.alternate_contacts.configured()
    assert {kind: c.email for kind, c in contacts.items()} == {
        "security": "soc@example.org",
        "billing": "finance@example.org",
        "operations": "soc@example.org",
    }
    assert {c.phone for c in contacts.values()} == {"+1 206 555 0100"}


@pytest.mark.parametrize(
    ("field", "check", "answer", "says"),
    [
        ("contact_phone", wizard_baseline.check_phone, "call me", "is not a phone number AWS accepts"),
        ("contact_phone", wizard_baseline.check_phone, "+1 " + "5" * 30, "is not a phone number AWS accepts"),
        ("security_contact_email", wizard_baseline.check_contact_email, "soc@example", "not an e-mail address"),
    ],
)
def test_an_answer_aws_would_refuse_is_refused_at_its_question(
    tmp_path: Path, field: str, check: Any, answer: str, says: str
) -> None:
    message = _draft(tmp_path).check(field, check)(answer)
    assert isinstance(message, str) and says in message


def test_unattended_answers_without_a_phone_set_no_contacts() -> None:
    spec = parse_spec(render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID)))
    assert spec.baseline.alternate_contacts.configured() == {}
