"""Semantic checks of a spec that need more than the models: the guardrail library and the quotas."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from bootstrap.guardrails.library import load_library
from bootstrap.guardrails.packing import PackingError, pack_ou
from bootstrap.spec.model import MANAGEMENT, ROOT, LandingZoneSpec


@dataclass(frozen=True)
class Problem:
    loc: tuple[str | int, ...]
    message: str
    fix: str


def check_spec(spec: LandingZoneSpec) -> list[Problem]:
    problems: list[Problem] = []
    library = load_library()
    known_ous = set(spec.all_ou_paths())
    for i, ou in enumerate(spec.organizational_units):
        for j, gid in enumerate(ou.guardrails):
            if gid not in library:
                close = difflib.get_close_matches(gid, library, n=1)
                hint = f"did you mean '{close[0]}'? " if close else ""
                problems.append(
                    Problem(
                        ("organizational_units", i, "guardrails", j),
                        f"unknown guardrail '{gid}'",
                        f"{hint}Known guardrails: {', '.join(sorted(library))}.",
                    )
                )
    for i, account in enumerate(spec.accounts):
        if account.ou != ROOT and account.ou not in known_ous:
            close = difflib.get_close_matches(account.ou, sorted(known_ous), n=1)
            hint = f"Did you mean '{close[0]}'? " if close else ""
            problems.append(
                Problem(
                    ("accounts", i, "ou"),
                    f"OU '{account.ou}' is not listed in organizational_units",
                    f"{hint}Add it to organizational_units or use one of: {', '.join(sorted(known_ous))}.",
                )
            )
        if account.name == MANAGEMENT:
            problems.append(
                Problem(
                    ("accounts", i, "name"),
                    "'management' names the management account itself",
                    "Give the member account another name.",
                )
            )
        if account.id == spec.organization.management_account_id:
            problems.append(
                Problem(
                    ("accounts", i, "id"),
                    "this is the management account, which is not a member account",
                    "Remove it from accounts; the management account is always part of the organization.",
                )
            )
    if problems:
        return problems
    for i, ou in enumerate(spec.organizational_units):
        try:
            pack_ou(spec, ou.path)
        except PackingError as err:
            problems.append(Problem(("organizational_units", i, "guardrails"), str(err), err.fix))
    return problems
