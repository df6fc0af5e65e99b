"""`bootstrap init`: ask the few questions that matter, validate each answer as it is typed.

Returns an `Answers` (the same model `--answers FILE` is read into); writing the spec is the caller's
job, so a cancelled wizard (Ctrl-C) writes no spec. Each answer is checked against the whole spec as it is
given (an account in an OU that does not exist is refused at that question), and answers are never lost:
if the wizard is cancelled or still fails at the end, they are saved to a file that `init --answers`
resumes from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import questionary
import yaml
from pydantic import ValidationError

from bootstrap.cli.wizard_baseline import ask_baseline
from bootstrap.cli.wizard_billing import CostHistory, ask_billing
from bootstrap.cli.wizard_identity import ask_identity
from bootstrap.cli.wizard_network import ask_network
from bootstrap.errors import Cancelled, InputError
from bootstrap.guardrails.library import load_library
from bootstrap.spec import values
from bootstrap.spec.answers import (
    DEFAULT_ACCOUNTS,
    DEFAULT_OUS,
    RECOMMENDED_TRAIL_ACCOUNT,
    AccountAnswer,
    Answers,
)
from bootstrap.spec.log_archive import DEFAULT_ACCOUNT
from bootstrap.spec.types import MANAGEMENT, _ou_path, _region, _slug

ANSWERS_FILE = Path("landing-zone.answers.yaml")
"""Where the answers go when the wizard cannot finish (Ctrl-C, or answers that fail as a whole)."""

COMMON_REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"]
"""Offered first; every other commercial region botocore knows follows (`region_choices`)."""


def region_choices(home: str | None = None) -> list[str]:
    """Every commercial region in botocore's region data, the common ones (and the home region) first."""
    known = sorted(values.regions_by_partition().get(values.COMMERCIAL, frozenset()))
    first = [r for r in ([home] if home else []) + COMMON_REGIONS if r in known or r == home]
    return list(dict.fromkeys([*first, *known]))


def _check(fn: Callable[[str], Any]) -> Callable[[str], bool | str]:
    """Adapt a spec field validator to questionary: True, or the message to show under the prompt."""

    def validate(text: str) -> bool | str:
        try:
            fn(text.strip())
        except ValueError as err:
            return str(err)
        return True

    return validate


def _account_id(text: str) -> str:
    return values.account_id(text)  # ValueError: the message the prompt shows


def _email_pattern(text: str) -> str:
    if "{name}" not in text:
        raise ValueError("an e-mail address containing {name}, e.g. aws+{name}@example.com")
    problem = values.email_problem(text.replace("{name}", "ab"))
    if problem is not None:
        raise ValueError(f"with {{name}} filled in, {problem}")
    return text


def _extra_ous(text: str) -> list[str]:
    return [_ou_path(p.strip()) for p in text.split(",") if p.strip()]


def _extra_accounts(text: str) -> list[AccountAnswer]:
    result = []
    for item in (i.strip() for i in text.split(",") if i.strip()):
        if ":" not in item:
            raise ValueError(f"'{item}': write name:OU, e.g. shared-network:Infrastructure")
        name, ou = (part.strip() for part in item.split(":", 1))
        result.append(AccountAnswer(name=_slug(name), ou=_ou_path(ou) if ou != "Root" else ou))
    return result


def _ask(question: Any, draft: Draft) -> Any:
    """The answer to `question`; on Ctrl-C the answers so far are saved and `Cancelled` names the file."""
    answer = question.ask()  # questionary returns None when the user presses Ctrl-C
    if answer is None:
        where = draft.save()
        kept = f"; the answers so far are in {where}" if where else ""
        raise Cancelled(
            f"init cancelled; no spec was written{kept}",
            f"Resume with `bootstrap init --answers {where}`." if where else "",
        )
    return answer


def trail_account_choices(accounts: list[str]) -> tuple[list[tuple[str, str]], str]:
    """(value, label) per place the organization trail can live, and the one to preselect.

    The audit account (CloudTrail's delegated administrator) is recommended: inside the organization the
    guardrails protect the trail, its log group and alarms, which in the management account nothing but
    IAM does. The management account stays a choice, and is the only one for the sandbox, which cannot
    register a CloudTrail delegated administrator.
    """
    choices = [
        (
            name,
            f"{name}: CloudTrail delegated administrator, under the guardrails"
            + (" (recommended)" if name == RECOMMENDED_TRAIL_ACCOUNT else ""),
        )
        for name in accounts
        if name != DEFAULT_ACCOUNT  # the log archive holds the logs; the trail belongs elsewhere
    ]
    choices.append((MANAGEMENT, f"{MANAGEMENT}: outside every SCP (the only choice for the sandbox)"))
    recommended = RECOMMENDED_TRAIL_ACCOUNT if RECOMMENDED_TRAIL_ACCOUNT in accounts else MANAGEMENT
    return choices, recommended


def _ask_trail_account(accounts: list[str], draft: Draft) -> str:
    if DEFAULT_ACCOUNT not in accounts:
        return MANAGEMENT  # no log archive, no logging layer: nothing to place
    choices, recommended = trail_account_choices(accounts)
    return str(
        _ask(
            questionary.select(
                "Where should the organization trail, its log group and the CIS alarms live?",
                choices=[questionary.Choice(label, value=value) for value, label in choices],
                default=recommended,
            ),
            draft,
        )
    )


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


_LOCATION = re.compile(r"^[^\n]*?:[0-9]+: ")


def spec_problem(fields: dict[str, Any]) -> str | None:
    """What is wrong with the landing zone the answers so far make (questions not yet asked at their
    defaults, no accounts), as the prompt shows it; None when it validates as a whole spec."""
    from bootstrap.spec.answers import render_spec_yaml
    from bootstrap.spec.load import parse_spec

    data: dict[str, Any] = {"accounts": [], "trail_account": MANAGEMENT, **fields}
    data.setdefault("management_account_id", "000000000000")
    try:
        answers = Answers.model_validate(data)
        parse_spec(render_spec_yaml(answers), "landing-zone.yaml")
    except ValidationError as err:
        return _first_error(err)
    except InputError as err:
        first = _LOCATION.sub("", err.message.splitlines()[0])
        return f"{first}. {err.remediation}" if err.remediation else first
    return None


class Draft:
    """The answers given so far, each checked against the whole spec as it is given, and saved to a file
    if the wizard cannot finish, so that `init --answers FILE` resumes from them."""

    def __init__(self, save_to: Path) -> None:
        self.fields: dict[str, Any] = {}
        self.save_to = save_to

    def check(
        self, field: str, parse: Callable[[Any], Any], implies: Callable[[Any], dict[str, Any]] | None = None
    ) -> Callable[[Any], bool | str]:
        """A questionary validator: the answer must parse, and the spec with it must validate. `implies`
        gives the answers still to come that this one settles (the home region is among the allowed ones)."""

        def validate(raw: Any) -> bool | str:
            try:
                value = parse(raw.strip() if isinstance(raw, str) else raw)
            except ValueError as err:
                return str(err)
            implied = implies(value) if implies else {}
            return spec_problem({**self.fields, **implied, field: _plain(value)}) or True

        return validate

    def ask(self, field: str, question: Any, parse: Callable[[Any], Any] = lambda v: v) -> Any:
        answer = _ask(question, self)
        value = parse(answer.strip() if isinstance(answer, str) else answer)
        self.fields[field] = _plain(value)
        return value

    def save(self) -> Path | None:
        """Write the answers so far (YAML, the `init --answers` format); None when there are none."""
        if not self.fields:
            return None
        from bootstrap.render.atomic import atomic_write

        header = "# Answers of an unfinished `bootstrap init`; resume with `bootstrap init --answers FILE`.\n"
        atomic_write(self.save_to, header + yaml.safe_dump(self.fields, sort_keys=False))
        return self.save_to

    def finish(self) -> Answers:
        """The answers as a whole, or an InputError naming the file they were saved to."""
        problem = spec_problem(self.fields)
        if problem is None:
            return Answers.model_validate(self.fields)
        where = self.save()
        raise InputError(
            f"the answers do not make a valid landing zone: {problem}; they are saved in {where}",
            f"Edit {where}, then run `bootstrap init --answers {where}`.",
        )


def _plain(value: Any) -> Any:
    """An answer as YAML can hold it (the answers file's format)."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, AccountAnswer):
        return value.model_dump()
    return value


def _allowed_regions(text: str, home: str) -> list[str]:
    """A comma-separated list of regions (any region botocore knows) that holds the home region. A text
    answer, not a checkbox: thirty-odd regions do not fit a terminal, and the refusal must stay visible."""
    regions = list(dict.fromkeys(_region(r.strip()) for r in text.split(",") if r.strip()))
    if home not in regions:
        raise ValueError(f"include the home region {home} (the control plane lives there)")
    return regions


def _emails(text: str) -> list[str]:
    found = [e.strip() for e in text.split(",") if e.strip()]
    if not found:
        raise ValueError("at least one address: the alarms must reach someone (comma-separated for more)")
    for address in found:
        problem = values.email_problem(address)
        if problem is not None:
            raise ValueError(problem)
    return found


def run_wizard(
    default_account_id: str | None, save_to: Path = ANSWERS_FILE, costs: Callable[[], CostHistory] | None = None
) -> Answers:
    """Ask every question; each answer is checked against the whole spec before the next one is asked."""
    draft = Draft(save_to)
    defaults = Answers.model_fields
    draft.ask(
        "organization_name",
        questionary.text(
            "Organization (landing zone) short name:", default="acme", validate=draft.check("organization_name", _slug)
        ),
    )
    draft.ask(
        "management_account_id",
        questionary.text(
            "Management account id:",
            default=default_account_id or "",
            validate=draft.check("management_account_id", _account_id),
            instruction="(the caller's account)" if default_account_id else "",
        ),
        _account_id,
    )
    home = draft.ask(
        "home_region",
        questionary.autocomplete(
            "Home region:",
            choices=region_choices(),
            default="us-east-1",
            validate=draft.check("home_region", _region, lambda home: {"allowed_regions": [home]}),
        ),
    )
    draft.fields["allowed_regions"] = [home]  # until asked: the home region must be among them
    draft.ask(
        "allowed_regions",
        questionary.text(
            "Allowed regions (comma-separated; others are denied by the region guardrail):",
            default=", ".join(dict.fromkeys([home, "us-west-2"])),
            validate=draft.check("allowed_regions", lambda text: _allowed_regions(text, home)),
        ),
        lambda text: _allowed_regions(text, home),
    )
    draft.ask(
        "account_email_pattern",
        questionary.text(
            "Root e-mail of new accounts ({name} = account name):",
            default=str(defaults["account_email_pattern"].default),
            validate=draft.check("account_email_pattern", _email_pattern),
        ),
    )
    draft.ask(
        "alarm_emails",
        questionary.text(
            "E-mail address(es) for security alarms (comma-separated):",
            default="",
            validate=draft.check("alarm_emails", _emails),
        ),
        _emails,
    )
    ous = draft.ask(
        "organizational_units",
        questionary.checkbox(
            "Organizational units:",
            choices=[questionary.Choice(o, checked=True) for o in DEFAULT_OUS],
            validate=draft.check("organizational_units", list),
        ),
    )
    more_ous = _extra_ous(
        _ask(
            questionary.text(
                "More OUs (comma-separated paths, e.g. Workloads/Dev), or Enter:",
                default="",
                validate=draft.check("organizational_units", lambda t: [*ous, *_extra_ous(t)]),
            ),
            draft,
        )
    )
    all_ous = list(dict.fromkeys([*ous, *more_ous]))
    draft.fields["organizational_units"] = all_ous
    accounts = draft.ask(
        "accounts",
        questionary.checkbox(
            "Accounts:",
            choices=[
                questionary.Choice(f"{a.name} (in {a.ou})", value=a, checked=a.ou in all_ous) for a in DEFAULT_ACCOUNTS
            ],
            validate=draft.check("accounts", list),
        ),
    )
    more_accounts = _extra_accounts(
        _ask(
            questionary.text(
                "More accounts (comma-separated name:OU, e.g. shared-network:Infrastructure), or Enter:",
                default="",
                validate=draft.check("accounts", lambda t: [*accounts, *_extra_accounts(t)]),
            ),
            draft,
        )
    )
    draft.fields["accounts"] = _plain([*accounts, *more_accounts])
    draft.fields["trail_account"] = _ask_trail_account([a.name for a in [*accounts, *more_accounts]], draft)
    library = load_library()
    draft.ask(
        "guardrails",
        questionary.checkbox(
            "Guardrails (SCPs):",
            choices=[questionary.Choice(f"{g.id}: {g.title}", value=g.id, checked=True) for g in library.values()],
            validate=draft.check("guardrails", list),
        ),
    )
    ask_baseline(draft)
    ask_network(draft, home, all_ous)
    ask_billing(draft, costs or (lambda: CostHistory(why="Cost Explorer was not asked")), _emails)
    ask_identity(draft)
    return draft.finish()
