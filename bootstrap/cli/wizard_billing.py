"""`bootstrap init`'s billing questions: the expected monthly bill (proposed from the last three complete months in
Cost Explorer when the organization has a history, and saying so with the figures), the second alarm's margin,
and who receives billing alarms; asked through the same `Draft` as the rest.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import questionary
from botocore.exceptions import BotoCoreError, ClientError

from bootstrap.aws.retry import error_code

if TYPE_CHECKING:
    from bootstrap.cli.wizard import Draft

UNREADABLE = frozenset(
    {
        "AccessDeniedException",
        "AccessDenied",
        "DataUnavailableException",
        "OptInRequiredException",
        "UnrecognizedClientException",
    }
)
"""Cost Explorer errors that mean "no history to propose from", not a failure of `init`: not allowed to read it,
Cost Explorer not yet enabled for the account (it takes up to a day after the first visit), no data."""


@dataclass(frozen=True)
class CostHistory:
    """The last complete months' unblended cost (month `YYYY-MM`, USD); empty with `why` when there is none."""

    months: tuple[tuple[str, float], ...] = ()
    why: str = ""

    @property
    def average(self) -> float:
        return sum(amount for _, amount in self.months) / len(self.months) if self.months else 0.0


def last_complete_months(today: date, count: int = 3) -> tuple[str, str]:
    """(start, end) of the `count` complete months before `today`'s month; Cost Explorer's end is exclusive."""
    end = today.replace(day=1)
    month = end.month - count
    year = end.year + (month - 1) // 12
    start = date(year, (month - 1) % 12 + 1, 1)
    return start.isoformat(), end.isoformat()


def cost_history(ce: Any, today: date) -> CostHistory:
    """The organization's monthly cost for the last three complete months (one `GetCostAndUsage` call)."""
    start, end = last_complete_months(today)
    try:
        answer = ce.get_cost_and_usage(
            TimePeriod={"Start": start, "End": end}, Granularity="MONTHLY", Metrics=["UnblendedCost"]
        )
    except ClientError as err:
        if error_code(err) in UNREADABLE:
            return CostHistory(why=f"Cost Explorer could not be read ({error_code(err)})")
        raise
    except BotoCoreError as err:
        return CostHistory(why=f"Cost Explorer could not be reached ({err})")
    months = tuple(
        (str(r["TimePeriod"]["Start"])[:7], float(r["Total"]["UnblendedCost"]["Amount"]))
        for r in answer.get("ResultsByTime", [])
        if "UnblendedCost" in r.get("Total", {})
    )
    if not months or not any(amount > 0 for _, amount in months):
        return CostHistory(why="Cost Explorer has no cost history for the last three complete months")
    return CostHistory(months)


def proposal(history: CostHistory) -> int:
    """The proposed expected monthly bill: the months' average, rounded up to a whole dollar."""
    return max(1, math.ceil(history.average))


def _amount(text: str) -> float:
    try:
        value = float(text.replace(",", "").replace("$", "").strip())
    except ValueError:
        raise ValueError("a number of US dollars, for example 250") from None
    if not value > 0:
        raise ValueError("more than 0 USD")
    return value


def _margin(text: str) -> int:
    try:
        value = int(text.strip().rstrip("%"))
    except ValueError:
        raise ValueError("a whole number of percent from 10 to 20") from None
    if not 10 <= value <= 20:
        raise ValueError("from 10 to 20 %: closer fires on ordinary growth, further lets a stolen key run for days")
    return value


def ask_billing(draft: Draft, costs: Callable[[], CostHistory], emails: Callable[[str], list[str]]) -> None:
    """The expected bill (from Cost Explorer when there is a history), the margin, and the subscribers."""
    if not draft.ask(
        "billing",
        questionary.confirm("Build billing alarms, a monthly budget and Cost Anomaly Detection?", default=True),
    ):
        return
    history = costs()
    if history.months:
        figures = ", ".join(f"{month}: {amount:,.2f} USD" for month, amount in history.months)
        questionary.print(
            f"Cost Explorer shows the last three complete months: {figures} (average {history.average:,.2f} USD)."
        )
        prompt = "Expected monthly spend in USD (proposed from that history):"
        default = str(proposal(history))
    else:
        questionary.print(f"{history.why}: enter what you expect to spend in a month.")
        prompt = "Expected monthly spend in USD:"
        default = "100"
    draft.ask(
        "billing_monthly_spend",
        questionary.text(prompt, default=default, validate=draft.check("billing_monthly_spend", _amount)),
        _amount,
    )
    draft.ask(
        "billing_margin_percent",
        questionary.text(
            "Second alarm: how many percent above the expected bill (10-20)?",
            default="15",
            validate=draft.check("billing_margin_percent", _margin),
        ),
        _margin,
    )
    security = draft.fields.get("alarm_emails") or []
    draft.ask(
        "billing_emails",
        questionary.text(
            "E-mail address(es) for billing alarms, budgets and anomalies (comma-separated):",
            default=", ".join(security),
            validate=draft.check("billing_emails", emails),
        ),
        emails,
    )


def cost_reader(profile: str | None, endpoint: str | None) -> Callable[[], CostHistory]:
    """Reads the history with the caller's credentials (Cost Explorer answers in us-east-1), once asked."""

    def read() -> CostHistory:
        import boto3
        from botocore.config import Config

        try:
            session = boto3.Session(profile_name=profile, region_name="us-east-1")
            client = session.client(
                "ce",
                region_name="us-east-1",
                endpoint_url=endpoint,
                config=Config(retries={"max_attempts": 2}, connect_timeout=5, read_timeout=10),
            )
        except BotoCoreError as err:
            return CostHistory(why=f"no credentials to read Cost Explorer ({err})")
        return cost_history(client, date.today())

    return read
