"""The wizard's billing questions: the amount proposed from Cost Explorer's last three complete months when there is
a history (said, with the figures), asked when there is none; the margin (10-20 %) and the subscribers checked as
they are given. Cost Explorer is stubbed with AWS-shaped answers (`botocore.stub.Stubber`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest
import questionary
from botocore.stub import Stubber

from bootstrap.cli import wizard, wizard_billing
from bootstrap.cli.wizard import Draft
from bootstrap.cli.wizard_billing import CostHistory, cost_history, last_complete_months, proposal
from bootstrap.spec.answers import DEFAULT_OUS, AccountAnswer, render_spec_yaml
from bootstrap.spec.load import parse_spec

MANAGEMENT_ID = "123456789012"
TODAY = date(2026, 12, 6)


def _ce() -> tuple[Any, Stubber]:
    client = boto3.client(
        "ce", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x", aws_session_token="x"
    )
    return client, Stubber(client)


def _month(start: str, end: str, amount: str) -> dict[str, Any]:
    return {
        "TimePeriod": {"Start": start, "End": end},
        "Total": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}},
        "Groups": [],
        "Estimated": False,
    }


def test_the_last_three_complete_months_end_where_this_month_starts() -> None:
    assert last_complete_months(TODAY) == ("2026-09-01", "2026-12-01")
    assert last_complete_months(date(2026, 1, 31)) == ("2025-10-01", "2026-01-01")
    assert last_complete_months(date(2026, 3, 1)) == ("2025-12-01", "2026-03-01")


def test_a_history_is_read_in_one_monthly_call_and_proposes_its_average() -> None:
    client, stub = _ce()
    stub.add_response(
        "get_cost_and_usage",
        {
            "ResultsByTime": [
                _month("2026-09-01", "2026-10-01", "120.10"),
                _month("2026-10-01", "2026-11-01", "98.40"),
                _month("2026-11-01", "2026-12-01", "131.00"),
            ],
            "DimensionValueAttributes": [],
        },
        {
            "TimePeriod": {"Start": "2026-09-01", "End": "2026-12-01"},
            "Granularity": "MONTHLY",
            "Metrics": ["UnblendedCost"],
        },
    )
    with stub:
        history = cost_history(client, TODAY)
    assert history.months == (("2026-09", 120.10), ("2026-10", 98.40), ("2026-11", 131.00))
    assert proposal(history) == 117  # 116.5 rounded up


def test_no_history_and_no_access_are_said_not_failed() -> None:
    client, stub = _ce()
    stub.add_response("get_cost_and_usage", {"ResultsByTime": [], "DimensionValueAttributes": []})
    stub.add_client_error("get_cost_and_usage", "AccessDeniedException", "not authorized to perform ce:GetCostAndUsage")
    with stub:
        empty = cost_history(client, TODAY)
        denied = cost_history(client, TODAY)
    assert not empty.months and "no cost history" in empty.why
    assert not denied.months and "AccessDeniedException" in denied.why


def test_a_margin_outside_10_to_20_is_refused_at_its_question() -> None:
    draft = Draft(Path("unused.yaml"))
    draft.fields.update(management_account_id=MANAGEMENT_ID)
    check = draft.check("billing_margin_percent", wizard_billing._margin)
    message = check("25")
    assert isinstance(message, str) and "from 10 to 20" in message
    assert check("12") is True
    assert "number of US dollars" in str(draft.check("billing_monthly_spend", wizard_billing._amount)("lots"))


class _Scripted:
    """questionary stand-in: answers by the question's first word."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, Any]] = []

    def __call__(self, message: str, **kwargs: Any) -> Any:
        self.asked.append((message, kwargs.get("default")))
        answer = self.answers[message.split(" ")[0]]
        return type("Question", (), {"ask": staticmethod(lambda: answer)})()


SCRIPT = {
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
    "Build": True,
    "Second": "12",
    "Security": "soc@example.org",  # the account baseline's contacts
    "Billing": "soc@example.org",
    "Operations": "soc@example.org",
    "Phone": "+1 206 555 0100",
    "Give": False,  # the identity questions: tests/unit/test_wizard_identity.py
}


@pytest.mark.parametrize("history", [True, False])
def test_the_whole_wizard_proposes_the_amount_from_the_history_or_asks_it(
    history: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    prompt = _Scripted({**SCRIPT, "Expected": "140" if history else "75"})
    for kind in ("text", "autocomplete", "checkbox", "select", "confirm"):
        monkeypatch.setattr(questionary, kind, prompt)
    said: list[str] = []
    monkeypatch.setattr(questionary, "print", lambda text, **_: said.append(text))
    months = (("2026-09", 120.10), ("2026-10", 98.40), ("2026-11", 131.00))
    found = CostHistory(months) if history else CostHistory(why="Cost Explorer has no cost history")
    answers = wizard.run_wizard(None, tmp_path / "answers.yaml", lambda: found)
    (amount_default,) = [d for m, d in prompt.asked if m.startswith("Expected")]
    if history:
        assert said == [
            "Cost Explorer shows the last three complete months: 2026-09: 120.10 USD, 2026-10: 98.40 USD, "
            "2026-11: 131.00 USD (average 116.50 USD)."
        ]
        assert amount_default == "117"
    else:
        assert said == ["Cost Explorer has no cost history: enter what you expect to spend in a month."]
        assert amount_default == "100"
    (emails_default,) = [d for m, d in prompt.asked if m.startswith("E-mail address(es) for billing")]
    assert emails_default == "soc@example.org", "the security alarms' addresses are proposed"
    billing = parse_spec(render_spec_yaml(answers)).billing
    assert billing.enabled and billing.monthly_spend == (140 if history else 75)
    assert (billing.margin_percent, billing.emails) == (12, ["soc@example.org"])
