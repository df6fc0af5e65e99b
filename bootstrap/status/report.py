"""`bootstrap status`: each manual runbook step, verified against live state where AWS lets us read it.

A step is `done` only when live state proves it. The states (`STATES`):
- `done`: live state shows the step is done;
- `pending`: live state shows it is not done yet (the detail says what is missing);
- `unverifiable`: AWS offers no API to read it (console only): confirm it by hand, the runbook says how;
- `unavailable`: AWS could show it, but the sandbox cannot (it has no root user; moto never stores MFA Delete);
- `unknown`: it could not be read (access denied, an account that cannot be entered, ...); the detail says why.

Checks run in parallel, each on its own: one that fails makes its step `unknown` and the others still answer.
A layer adds a check by writing it in its own module of `bootstrap/status/` and registering it in `CHECKS`
under its step's id: a function `(spec, sessions, accounts) -> (state, detail)`, where `accounts` maps the
spec's account names to the ids of the accounts that exist (`bootstrap.status.parallel.each` reads many
accounts at once).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console
from rich.markup import escape

from bootstrap.aws.session import Sessions
from bootstrap.errors import AwsError
from bootstrap.render.steps import PHASES, ManualStep, manual_steps
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec
from bootstrap.status import credentials
from bootstrap.status.accounts import account_ids
from bootstrap.status.billing import check_billing_preference
from bootstrap.status.parallel import reason
from bootstrap.status.subscriptions import check_subscriptions

STATES = ("done", "pending", "unverifiable", "unavailable", "unknown")
FORMAT_VERSION = 1
"""Of `--json`'s output: raised when a field changes meaning or goes away (new fields may be added)."""

EXIT_DONE = 0
"""Nothing pending and every step read: each is done, or AWS (or the sandbox) cannot show it."""
EXIT_READ_FAILED = 1
"""A step could not be read (`unknown`), or the command failed: the checklist is incomplete."""
EXIT_PENDING = 2
"""Every step was read, and at least one is pending."""

_MARK = {
    "done": ("green", "✓ done"),
    "pending": ("yellow", "○ pending"),
    "unverifiable": ("cyan", "☐ confirm by hand"),
    "unavailable": ("dim", "- unavailable"),
    "unknown": ("red", "? unknown"),
}
_MARK_WIDTH = max(len(label) for _, label in _MARK.values())

UNAVAILABLE = credentials.UNAVAILABLE
UNVERIFIABLE = "AWS offers no API to read this (console only): confirm it by hand, as its runbook says"


@dataclass(frozen=True)
class StepStatus:
    step: ManualStep
    state: str  # one of STATES
    detail: str
    account_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.step.id,
            "title": self.step.title,
            "phase": self.step.phase,
            "state": self.state,
            "detail": self.detail,
            "runbook": self.step.runbook_link,
            "account": self.step.account,
            "account_id": self.account_id,
        }


Check = Callable[[LandingZoneSpec, Sessions, dict[str, str]], tuple[str, str]]


CHECKS: dict[str, Check] = {
    "root-mfa": credentials.root_mfa,
    "root-access-keys": credentials.root_keys,
    "break-glass": credentials.break_glass,
    "mfa-delete": credentials.mfa_delete,
    "alarm-subscriptions": check_subscriptions,
    "billing-preference": check_billing_preference,
}


def collect_status(spec: LandingZoneSpec, sessions: Sessions) -> list[StepStatus]:
    """Every manual step of `spec` with its live state, in checklist order. The accounts' ids are read once,
    then every check runs at once."""
    accounts = account_ids(spec, sessions)
    ids = {MANAGEMENT: spec.organization.management_account_id, **accounts}
    steps = manual_steps(spec)

    def verify(step: ManualStep) -> StepStatus:
        state, detail = _verify(step, spec, sessions, accounts)
        return StepStatus(step, state, detail, ids.get(step.account))

    with ThreadPoolExecutor(
        max_workers=max(1, min(len(steps), sessions.parallelism)), thread_name_prefix="status"
    ) as pool:
        return list(pool.map(verify, steps))


def _verify(step: ManualStep, spec: LandingZoneSpec, sessions: Sessions, accounts: dict[str, str]) -> tuple[str, str]:
    check = CHECKS.get(step.id)
    if check is None or not step.verifiable:
        return "unverifiable", UNVERIFIABLE
    try:
        state, detail = check(spec, sessions, accounts)
    except (ClientError, BotoCoreError, AwsError) as err:
        return "unknown", f"could not read it: {reason(err)}"
    if state not in STATES:
        raise ValueError(f"the check of step {step.id} answered {state!r}, not one of {', '.join(STATES)}")
    return state, detail


def exit_code(rows: list[StepStatus]) -> int:
    """`EXIT_READ_FAILED` when a step could not be read, else `EXIT_PENDING` when one is pending, else
    `EXIT_DONE`: a script can tell "something to do" from "could not tell"."""
    if any(r.state == "unknown" for r in rows):
        return EXIT_READ_FAILED
    return EXIT_PENDING if any(r.state == "pending" for r in rows) else EXIT_DONE


def status_json(rows: list[StepStatus]) -> str:
    """The checklist for automation (`bootstrap status --json`; the README documents the schema)."""
    document = {
        "format_version": FORMAT_VERSION,
        "exit_code": exit_code(rows),
        "summary": {state: sum(r.state == state for r in rows) for state in STATES},
        "steps": [r.to_json() for r in rows],
    }
    return json.dumps(document, indent=2) + "\n"


def print_status(rows: list[StepStatus], console: Console) -> None:
    console.print("[bold]Manual steps[/] (runbooks in the render output's runbooks/ folder):")
    for phase, heading in PHASES.items():
        in_phase = [r for r in rows if r.step.phase == phase]
        if not in_phase:
            continue
        console.print(f" [bold]{heading}[/]")
        for row in in_phase:
            style, label = _MARK[row.state]
            link = escape(row.step.runbook_link)
            console.print(f"  [{style}]{label:<{_MARK_WIDTH}}[/] {escape(row.step.title)}  [dim]({link})[/]")
            console.print(f"      [dim]{escape(row.detail)}[/]")
    counts = {state: sum(r.state == state for r in rows) for state in STATES}
    others = ", ".join(f"{n} {state}" for state, n in counts.items() if n and state != "done")
    console.print(
        f"[bold]{counts['done']} of {len(rows)} manual steps verified done[/]{f' ({others})' if others else ''}."
    )
