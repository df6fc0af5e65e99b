"""The manual steps of a landing zone as data: what only a person can do, in the order to do it.

The runbooks index lists them as a checklist and `bootstrap status` verifies each one by its `id`
against live state where AWS lets us read it. To add a step, append a `ManualStep` to the list in
`manual_steps`, write (or extend) its runbook template in `runbooks/`, and put an anchor
`<a id="<step id>"></a>` where its instructions start: `tests/unit/test_render.py` checks both.
"""

from __future__ import annotations

from dataclasses import dataclass

from bootstrap.spec.log_archive import logging_enabled
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec

ROOT_USER_RUNBOOK = "root-user-mfa.md"


@dataclass(frozen=True)
class ManualStep:
    """One step a person must do by hand.

    `account` is the spec's name of the account it is done in (`management` for the management account);
    `runbook` is the file name of the rendered runbook that explains it; `order` sorts the checklist
    (steps are numbered in tens so a new one can go between two others).
    """

    id: str
    title: str
    account: str
    runbook: str
    order: int
    why: str

    @property
    def link(self) -> str:
        """Relative Markdown link to the step's instructions inside its runbook."""
        return f"{self.runbook}#{self.id}"


def manual_steps(spec: LandingZoneSpec) -> list[ManualStep]:
    """Every manual step of `spec`, in the order a person must do them."""
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
    ]
    if logging_enabled(spec):
        steps.append(
            ManualStep(
                id="mfa-delete",
                title="Turn on MFA Delete on the log archive bucket",
                account=spec.logging.account,
                runbook="mfa-delete.md",
                order=30,
                why="Only the log archive account's root user, with its MFA device, can turn it on; afterwards "
                "no log version can be deleted and versioning cannot be suspended without that device.",
            )
        )
    steps += baseline_steps()
    return sorted(steps, key=lambda step: (step.order, step.id))


def baseline_steps() -> list[ManualStep]:
    """The account baseline's steps (`runbooks/account-baseline.md`): what apply sets, confirmed by a person."""
    return [
        ManualStep(
            id="member-root-credentials",
            title="Remove member accounts' root credentials (centralized root access)",
            account=MANAGEMENT,
            runbook="account-baseline.md",
            order=27,
            why="Apply enables centralized root access, so new accounts get no root credentials; accounts created "
            "before keep a root password (and perhaps keys or MFA) until they are deleted from the management account.",
        ),
        ManualStep(
            id="alternate-contacts",
            title="Check the alternate contacts of every account (security, billing, operations)",
            account=MANAGEMENT,
            runbook="account-baseline.md",
            order=45,
            why="AWS sends abuse reports, security notices and billing warnings to them; a contact nobody reads "
            "means an incident that AWS saw first reaches nobody.",
        ),
    ]
