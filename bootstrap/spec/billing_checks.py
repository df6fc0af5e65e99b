"""The rules of the spec's `billing` section that need more than one field, checked by `validate` without an
AWS call: an enabled section needs an amount and someone to tell, and the accounts it names must exist."""

from __future__ import annotations

import difflib

from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec

Problem = tuple[tuple[str | int, ...], str, str]
"""(field path, message, fix), turned into `checks.Problem` by `check_spec`."""


def billing_problems(spec: LandingZoneSpec) -> list[Problem]:
    billing = spec.billing
    if not billing.enabled:
        return []
    problems: list[Problem] = []
    if billing.monthly_spend is None:
        problems.append(
            (
                ("billing", "monthly_spend"),
                "the billing layer is enabled but has no expected monthly spend",
                "Set billing.monthly_spend to the organization's usual monthly bill in USD (for example 250), "
                "or set billing.enabled: false.",
            )
        )
    if not billing.emails:
        problems.append(
            (
                ("billing", "emails"),
                "the billing layer is enabled but nobody receives its alarms",
                "List at least one address under billing.emails (for example finance@example.com).",
            )
        )
    for index, email in enumerate(billing.emails):
        if email.lower() in (e.lower() for e in billing.emails[:index]):
            problems.append((("billing", "emails", index), f"billing.emails lists {email} twice", "Remove the repeat."))
    known = [MANAGEMENT, *(a.name for a in spec.accounts)]
    named: list[tuple[tuple[str | int, ...], list[str]]] = [
        (("billing", "account_alarms"), [e.account for e in billing.account_alarms]),
        (("billing", "budget", "accounts"), [e.account for e in billing.budget.accounts]),
    ]
    for at, accounts in named:
        seen: set[str] = set()
        for index, account in enumerate(accounts):
            if account not in known:
                close = difflib.get_close_matches(account, known, n=1)
                hint = f"Did you mean '{close[0]}'? " if close else ""
                problems.append(
                    (
                        (*at, index, "account"),
                        f"account '{account}' is not in accounts",
                        f"{hint}Name an account listed under `accounts`, or 'management'.",
                    )
                )
            elif account in seen:
                problems.append(
                    ((*at, index, "account"), f"account '{account}' is listed twice", "Keep one entry per account.")
                )
            seen.add(account)
    return problems
