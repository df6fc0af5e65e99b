"""The wizard checks each answer against the whole spec as it is given, offers every region botocore knows,
and never loses answers: what it cannot finish is saved where `init --answers` resumes from."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bootstrap.cli import wizard
from bootstrap.cli.wizard import Draft, _account_id, _emails, _extra_accounts, region_choices, spec_problem
from bootstrap.errors import Cancelled, InputError
from bootstrap.spec import values
from bootstrap.spec.answers import AccountAnswer, Answers, render_spec_yaml
from bootstrap.spec.load import load_answers_data, parse_spec

MANAGEMENT_ID = "123456789012"


def test_regions_are_every_commercial_region_botocore_knows_home_first() -> None:
    known = values.regions_by_partition()[values.COMMERCIAL]
    assert len(known) > 20
    choices = region_choices("me-central-1")
    assert set(choices) == set(known), "every region of botocore's data, no other"
    assert choices[0] == "me-central-1", "a home region outside the common ones is offered, first"
    assert len(choices) == len(set(choices))


def test_an_account_in_a_missing_ou_is_refused_at_that_question() -> None:
    draft = Draft(Path("unused.yaml"))
    draft.fields.update(management_account_id=MANAGEMENT_ID, organizational_units=["Sandbox"])
    check = draft.check("accounts", lambda text: _extra_accounts(text))
    message = check("shared-network:Infrastructure")
    assert isinstance(message, str)
    assert "'Infrastructure' is not listed in organizational_units" in message
    assert "Sandbox" in message, "the fix names the OUs there are"
    assert "landing-zone.yaml:" not in message, "no file or line: there is no file yet"
    assert check("shared-network:Sandbox") is True
    assert check("shared-network:Root") is True


def test_a_default_account_whose_ou_was_dropped_is_refused_when_checked() -> None:
    draft = Draft(Path("unused.yaml"))
    draft.fields.update(management_account_id=MANAGEMENT_ID, organizational_units=["Sandbox"])
    message = draft.check("accounts", list)([AccountAnswer(name="log-archive", ou="Security")])
    assert isinstance(message, str) and "'Security'" in message


def test_allowed_regions_must_hold_the_home_region_and_be_known() -> None:
    regions = wizard._allowed_regions("us-east-1, me-central-1, us-east-1", "me-central-1")
    assert regions == ["us-east-1", "me-central-1"]
    with pytest.raises(ValueError, match="include the home region me-central-1"):
        wizard._allowed_regions("us-east-1", "me-central-1")
    with pytest.raises(ValueError, match="not an AWS region"):
        wizard._allowed_regions("us-east-1, eu-west-9", "us-east-1")


def test_spec_problem_is_none_for_the_default_answers() -> None:
    assert spec_problem({"management_account_id": MANAGEMENT_ID}) is None


def test_the_account_id_as_the_console_shows_it_is_accepted() -> None:
    assert _account_id("1234-5678-9012") == "123456789012"
    with pytest.raises(ValueError, match="12-digit"):
        _account_id("1234-5678")


def test_the_email_check_says_a_top_level_domain_is_missing() -> None:
    message = values.email_problem("security@example")
    assert message is not None and "no top-level domain" in message and "example.com" in message
    with pytest.raises(ValueError, match="no top-level domain"):
        _emails("security@example")
    with pytest.raises(ValueError, match="at least one address"):
        _emails(" , ")
    assert _emails("a@example.com, b@example.org") == ["a@example.com", "b@example.org"]


def test_alarm_emails_answered_go_to_the_spec_instead_of_an_invented_address() -> None:
    answers = Answers(management_account_id=MANAGEMENT_ID, alarm_emails=["soc@example.org"])
    spec = parse_spec(render_spec_yaml(answers))
    assert spec.logging is not None and list(spec.logging.alarm_emails) == ["soc@example.org"]


def test_answers_that_fail_at_the_end_are_saved_and_resume_with_init_answers(tmp_path: Path) -> None:
    save_to = tmp_path / "landing-zone.answers.yaml"
    draft = Draft(save_to)
    draft.fields.update(
        management_account_id=MANAGEMENT_ID,
        organizational_units=["Sandbox"],
        accounts=[{"name": "audit", "ou": "Security"}],  # as if the OU had been dropped after
    )
    with pytest.raises(InputError) as caught:
        draft.finish()
    assert str(save_to) in caught.value.message
    assert f"bootstrap init --answers {save_to}" in caught.value.remediation
    data, _ = load_answers_data(save_to)
    assert data["accounts"] == [{"name": "audit", "ou": "Security"}]
    Answers.model_validate(data)  # the init --answers format


class _Scripted:
    """questionary stand-in: answers by question prefix, None (Ctrl-C) for the question named `cancel_at`."""

    def __init__(self, answers: dict[str, Any], cancel_at: str) -> None:
        self.answers = answers
        self.cancel_at = cancel_at

    def __call__(self, message: str, **kwargs: Any) -> Any:
        del kwargs
        answer = None if message.startswith(self.cancel_at) else self.answers[message.split(" ")[0]]
        return type("Question", (), {"ask": staticmethod(lambda: answer)})()


def test_ctrl_c_keeps_the_answers_given_so_far(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    script = {"Organization": "zeta", "Management": "1234-5678-9012", "Home": "eu-west-1"}
    prompt = _Scripted(script, cancel_at="Allowed regions")
    for kind in ("text", "autocomplete", "checkbox", "select"):
        monkeypatch.setattr(wizard.questionary, kind, prompt)
    save_to = tmp_path / "answers.yaml"
    with pytest.raises(Cancelled) as caught:
        wizard.run_wizard(None, save_to)
    assert str(save_to) in caught.value.message
    saved = yaml.safe_load(save_to.read_text())
    assert saved["organization_name"] == "zeta"
    assert saved["management_account_id"] == "123456789012"
    assert saved["home_region"] == "eu-west-1"


def test_a_home_region_outside_the_default_allowed_regions_is_accepted() -> None:
    check = Draft(Path("unused.yaml")).check("home_region", str, lambda home: {"allowed_regions": [home]})
    assert check("me-central-1") is True


def test_inits_suggested_next_commands_are_the_readmes() -> None:
    from bootstrap.cli.commands_spec import next_steps
    from bootstrap.cli.options import DEFAULT_SPEC

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    steps = readme[readme.index("## Pointing it at a real AWS organization") :]
    commands = re.findall(r"`(bootstrap [^`]+)`", next_steps(DEFAULT_SPEC))
    assert commands == ["bootstrap validate", "bootstrap render -o out", "bootstrap plan --out plan.json",
                        "bootstrap apply plan.json"]  # fmt: skip
    positions = [steps.index(f"`{command}`") for command in commands]
    assert positions == sorted(positions), "in the README's order"
    other = re.findall(r"`(bootstrap [^`]+)`", next_steps(Path("zone.yaml")))
    assert other[0] == "bootstrap validate --spec zone.yaml"
