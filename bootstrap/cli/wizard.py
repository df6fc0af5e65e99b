"""`bootstrap init`: ask the few questions that matter, validate each answer as it is typed.

Returns an `Answers` (the same model `--answers FILE` is read into); writing the spec is the caller's
job, so a cancelled wizard (Ctrl-C) writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import questionary
from pydantic import ValidationError

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

COMMON_REGIONS = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2", "eu-west-3",
    "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "ap-southeast-1", "ap-southeast-2",
    "ap-northeast-1", "ap-northeast-2", "ap-south-1", "sa-east-1",
]  # fmt: skip


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


def _ask(question: Any) -> Any:
    answer = question.ask()  # questionary returns None when the user presses Ctrl-C
    if answer is None:
        raise Cancelled("init cancelled; nothing was written")
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


def _ask_trail_account(accounts: list[str]) -> str:
    if DEFAULT_ACCOUNT not in accounts:
        return MANAGEMENT  # no log archive, no logging layer: nothing to place
    choices, recommended = trail_account_choices(accounts)
    return str(
        _ask(
            questionary.select(
                "Where should the organization trail, its log group and the CIS alarms live?",
                choices=[questionary.Choice(label, value=value) for value, label in choices],
                default=recommended,
            )
        )
    )


def run_wizard(default_account_id: str | None) -> Answers:
    defaults = Answers.model_fields
    name = _ask(questionary.text("Organization (landing zone) short name:", default="acme", validate=_check(_slug)))
    account_id = _ask(
        questionary.text(
            "Management account id:",
            default=default_account_id or "",
            validate=_check(_account_id),
            instruction="(the caller's account)" if default_account_id else "",
        )
    )
    home = _ask(
        questionary.autocomplete("Home region:", choices=COMMON_REGIONS, default="us-east-1", validate=_check(_region))
    )
    regions = _ask(
        questionary.checkbox(
            "Allowed regions (others are denied by the region guardrail):",
            choices=[questionary.Choice(r, checked=r in (home, "us-west-2")) for r in COMMON_REGIONS],
            validate=lambda chosen: True if home in chosen else f"include the home region {home}",
        )
    )
    pattern = _ask(
        questionary.text(
            "Root e-mail of new accounts ({name} = account name):",
            default=str(defaults["account_email_pattern"].default),
            validate=_check(_email_pattern),
        )
    )
    ous = _ask(
        questionary.checkbox(
            "Organizational units:", choices=[questionary.Choice(o, checked=True) for o in DEFAULT_OUS]
        )
    )
    more_ous = _extra_ous(
        _ask(
            questionary.text(
                "More OUs (comma-separated paths, e.g. Workloads/Dev), or Enter:",
                default="",
                validate=_check(_extra_ous),
            )
        )
    )
    all_ous = list(dict.fromkeys([*ous, *more_ous]))
    accounts = _ask(
        questionary.checkbox(
            "Accounts:",
            choices=[
                questionary.Choice(f"{a.name} (in {a.ou})", value=a, checked=a.ou in all_ous) for a in DEFAULT_ACCOUNTS
            ],
        )
    )
    more_accounts = _extra_accounts(
        _ask(
            questionary.text(
                "More accounts (comma-separated name:OU, e.g. shared-network:Infrastructure), or Enter:",
                default="",
                validate=_check(_extra_accounts),
            )
        )
    )
    trail_account = _ask_trail_account([a.name for a in [*accounts, *more_accounts]])
    library = load_library()
    guardrails = _ask(
        questionary.checkbox(
            "Guardrails (SCPs):",
            choices=[questionary.Choice(f"{g.id}: {g.title}", value=g.id, checked=True) for g in library.values()],
        )
    )
    try:
        return Answers(
            organization_name=name.strip(),
            management_account_id=account_id.strip(),
            home_region=home.strip(),
            allowed_regions=regions,
            account_email_pattern=pattern.strip(),
            organizational_units=all_ous,
            accounts=[*accounts, *more_accounts],
            guardrails=guardrails,
            trail_account=trail_account,
        )
    except ValidationError as err:
        raise InputError(
            f"the answers do not make a valid landing zone: {err}", "Run `bootstrap init` again."
        ) from None
