"""The manual steps of a landing zone as data: what only a person can do, in the order to do it.

The runbooks index lists them as a checklist and `bootstrap status` verifies each one by its `id`
against live state where AWS lets us read it. To add a step, append a `ManualStep` to the list in
`manual_steps`, write (or extend) its runbook template in `runbooks/`, and put an anchor
`<a id="<step id>"></a>` where its instructions start: `tests/unit/test_render.py` checks both.
"""

from __future__ import annotations

from dataclasses import dataclass

from bootstrap.spec.identity_checks import identity_applies
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
    if identity_applies(spec):
        steps.append(
            ManualStep(
                id="identity-center",
                title="Enable IAM Identity Center for the organization, choose the identity source, require MFA",
                account=MANAGEMENT,
                runbook="identity-center.md",
                order=40,
                why="People sign in through Identity Center with short sessions and least privilege, instead of "
                "the root user or long-lived keys; the organization instance and its MFA settings can only be "
                "set up in the console.",
            )
        )
    return sorted(steps, key=lambda step: (step.order, step.id))
