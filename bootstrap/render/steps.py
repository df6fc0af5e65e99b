"""The manual steps of a landing zone as data: what only a person can do, in the order to do it.

The runbooks index lists them as a checklist, grouped by phase (the first day, the first week, every run
after), and `bootstrap status` verifies each one by its `id` against live state where AWS lets us read it
(`bootstrap/status/report.py`, `CHECKS`). To add a step, append a `ManualStep` to the list in `manual_steps`
(or return it from a layer's own function called there), write (or extend) its runbook template in
`runbooks/`, and put an anchor `<a id="<step id>"></a>` where its instructions start:
`tests/unit/test_render.py` checks both. Then register its check in `CHECKS`, or set `verifiable=False`
when AWS offers no way to read it (`tests/unit/test_status_report.py` holds the two together).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bootstrap.desired import desired_state
from bootstrap.resources import Resource
from bootstrap.spec.log_archive import logging_enabled
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec

ROOT_USER_RUNBOOK = "root-user-mfa.md"
RESPOND_RUNBOOK = "respond.md"
RUNBOOK_FOLDER = "runbooks"
"""Where `bootstrap render` writes the runbooks, relative to its output folder."""

FIRST_DAY = "first-day"
FIRST_WEEK = "first-week"
EVERY_RUN = "every-run"
PHASES: dict[str, str] = {
    FIRST_DAY: "The first day",
    FIRST_WEEK: "The first week",
    EVERY_RUN: "Every run after",
}
"""The phases of the checklist, in order, with the heading each has in `runbooks/index.md`."""

TOPIC_TYPE = "AWS::SNS::Topic"
SUBSCRIPTION_TYPE = "AWS::SNS::Subscription"
ALARM_TYPE = "AWS::CloudWatch::Alarm"


@dataclass(frozen=True)
class ManualStep:
    """One step a person must do by hand.

    `account` is the spec's name of the account it is done in (`management` for the management account);
    `runbook` is the file name of the rendered runbook that explains it; `order` sorts the checklist within
    its phase (steps are numbered in tens so a new one can go between two others). `phase` says when it is
    due: `first-day`, `first-week` or `every-run` (`PHASES`). `verifiable` is False for a step AWS offers no
    way to read (console only): `bootstrap status` then says it cannot verify it, never guesses.
    """

    id: str
    title: str
    account: str
    runbook: str
    order: int
    why: str
    phase: str = FIRST_DAY
    verifiable: bool = True

    def __post_init__(self) -> None:
        if self.phase not in PHASES:
            raise ValueError(f"step {self.id}: phase {self.phase!r} is not one of {', '.join(PHASES)}")

    @property
    def link(self) -> str:
        """Relative Markdown link to the step's instructions inside its runbook (from `runbooks/index.md`)."""
        return f"{self.runbook}#{self.id}"

    @property
    def runbook_link(self) -> str:
        """The same link from the render output's folder (`runbooks/<file>#<id>`): what `status` prints."""
        return f"{RUNBOOK_FOLDER}/{self.link}"


@dataclass(frozen=True)
class AlarmTopic:
    """A topic of the desired state, where it lives, and whom the spec subscribes to it."""

    name: str
    account: str
    region: str
    endpoints: tuple[str, ...]
    alarms: int

    def where(self) -> str:
        return f"{self.name} ({self.account}, {self.region})"


def alarm_topics(spec: LandingZoneSpec) -> list[AlarmTopic]:
    """The topics that alarms publish to or the spec subscribes people to, with their desired subscribers."""
    resources = desired_state(spec).resources
    found = []
    for topic in (r for r in resources if r.type == TOPIC_TYPE):
        ref = {"Ref": topic.logical_id}
        endpoints = tuple(
            str(r.properties["Endpoint"])
            for r in resources
            if r.type == SUBSCRIPTION_TYPE and r.properties.get("TopicArn") == ref
        )
        alarms = sum(1 for r in resources if r.type == ALARM_TYPE and ref in _actions(r))
        if endpoints or alarms:
            found.append(
                AlarmTopic(
                    str(topic.properties["TopicName"]), topic.location.account, topic.location.region, endpoints, alarms
                )
            )
    return found


def _actions(alarm: Resource) -> list[Any]:
    return [*alarm.properties.get("AlarmActions", []), *alarm.properties.get("OKActions", [])]


def manual_steps(spec: LandingZoneSpec) -> list[ManualStep]:
    """Every manual step of `spec`, in the order a person must do them (phase, then order)."""
    steps = [
        ManualStep(
            id="root-mfa",
            title="Protect the management account's root user with a hardware MFA device",
            account=MANAGEMENT,
            runbook=ROOT_USER_RUNBOOK,
            order=10,
            why="The root user of the management account can do anything in the organization and no "
            "SCP restricts it; a password alone is one phishing e-mail away from losing it.",
        ),
        ManualStep(
            id="root-access-keys",
            title="Delete the management account root user's access keys",
            account=MANAGEMENT,
            runbook=ROOT_USER_RUNBOOK,
            order=20,
            why="A root access key is a long-lived secret with unlimited power that MFA does not protect; "
            "nothing the toolkit does needs one.",
        ),
        ManualStep(
            id="break-glass",
            title="Prepare the break-glass principal: hardware MFA, no access keys, sealed credentials",
            account=MANAGEMENT,
            runbook="break-glass.md",
            order=25,
            why="The break-glass role in every account is exempt from every guardrail and trusts only this "
            "principal, with MFA: it is the way back in when the toolkit's own role is locked out.",
        ),
        ManualStep(
            id="iam-billing-access",
            title="Activate IAM access to billing information",
            account=MANAGEMENT,
            runbook=ROOT_USER_RUNBOOK,
            order=40,
            phase=FIRST_WEEK,
            verifiable=False,
            why="Until the root user turns it on, no IAM role (not even an administrator) can see the bills, "
            "budgets or billing preferences: only the root user can, which means using it every month.",
        ),
    ]
    topics = alarm_topics(spec)
    if topics:
        steps.append(
            ManualStep(
                id="alarm-subscriptions",
                title="Confirm every alarm subscription (each address clicks the link in AWS's e-mail)",
                account=topics[0].account if len({t.account for t in topics}) == 1 else MANAGEMENT,
                runbook=RESPOND_RUNBOOK,
                order=30,
                why="An e-mail subscription stays 'pending confirmation' until its address confirms it, and "
                "until then no alarm reaches that address; a new address in the spec must confirm too.",
            )
        )
    if logging_enabled(spec):
        steps.append(
            ManualStep(
                id="mfa-delete",
                title="Turn on MFA Delete on the log archive bucket",
                account=spec.logging.account,
                runbook="mfa-delete.md",
                order=30,
                phase=FIRST_WEEK,
                why="Only the log archive account's root user, with its MFA device, can turn it on; afterwards "
                "no log version can be deleted and versioning cannot be suspended without that device.",
            )
        )
    if spec.billing.enabled:
        steps.append(
            ManualStep(
                id="billing-preference",
                title='Turn on "Receive CloudWatch billing alerts" in Billing preferences',
                account=MANAGEMENT,
                runbook=BILLING_RUNBOOK,
                order=35,
                why="AWS publishes no AWS/Billing metrics until it is on (there is no API for it), so the "
                "billing alarms would never fire: a stolen key would show first on the invoice.",
            )
        )
    return sorted(steps, key=step_order)


BILLING_RUNBOOK = "billing.md"


def step_order(step: ManualStep) -> tuple[int, int, str]:
    """Phase first, then `order`, then id: the checklist's order everywhere."""
    return list(PHASES).index(step.phase), step.order, step.id
