"""`bootstrap status`: each manual runbook step, verified against live state where AWS lets us read it.

A step is `done` only when live state proves it. Where the endpoint cannot show it (the sandbox has no
root user; moto never stores MFA Delete) the step says so plainly as `unavailable`, never `done`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console
from rich.markup import escape

from bootstrap.aws.retry import error_code
from bootstrap.aws.session import Sessions
from bootstrap.desired import desired_state
from bootstrap.errors import AwsError
from bootstrap.names import account_address
from bootstrap.observe.organizations import observe_organizations
from bootstrap.render.steps import ManualStep, manual_steps
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.spec.roles import break_glass_principal
from bootstrap.status.identity import check_identity_center

_MARK = {
    "done": "[green]✓ done[/]",
    "pending": "[yellow]○ pending[/]",
    "unavailable": "[dim]- unavailable[/]",
    "unknown": "[red]? unknown[/]",
}


@dataclass(frozen=True)
class StepStatus:
    step: ManualStep
    state: str  # done | pending | unavailable | unknown
    detail: str


UNAVAILABLE = {  # what the sandbox (a simulated endpoint, `AwsTarget.simulated`) cannot show
    "root-mfa": "the sandbox has no root user, so root MFA cannot be observed there",
    "root-access-keys": "the sandbox has no root user, so root access keys cannot be observed there",
    "mfa-delete": "the sandbox accepts MFA Delete but never stores it, so it always reads as not enabled",
    "billing-preference": "the 'Receive billing alerts' preference has no API, on AWS or in the sandbox",
}


Check = Callable[[LandingZoneSpec, Sessions, dict[str, str]], tuple[str, str]]


def _account_summary(sessions: Sessions) -> dict[str, int]:
    return dict(sessions.client("iam").get_account_summary()["SummaryMap"])


def _root_mfa(spec: LandingZoneSpec, sessions: Sessions, accounts: dict[str, str]) -> tuple[str, str]:
    if sessions.target.simulated:
        return "unavailable", UNAVAILABLE["root-mfa"]
    enabled = _account_summary(sessions).get("AccountMFAEnabled", 0) == 1
    return ("done", "root user has an MFA device") if enabled else ("pending", "root user has no MFA device")


def _root_keys(spec: LandingZoneSpec, sessions: Sessions, accounts: dict[str, str]) -> tuple[str, str]:
    if sessions.target.simulated:
        return "unavailable", UNAVAILABLE["root-access-keys"]
    present = _account_summary(sessions).get("AccountAccessKeysPresent", 0)
    return ("done", "no root access keys") if present == 0 else ("pending", "the root user has access keys")


def _mfa_delete(spec: LandingZoneSpec, sessions: Sessions, accounts: dict[str, str]) -> tuple[str, str]:
    from bootstrap.status.mfa_delete import check_mfa_delete

    state, detail = check_mfa_delete(sessions, spec, accounts.get(spec_log_account(spec)))
    if state != "done" and sessions.target.simulated:
        return "unavailable", UNAVAILABLE["mfa-delete"]
    return state, detail


def _break_glass(spec: LandingZoneSpec, sessions: Sessions, accounts: dict[str, str]) -> tuple[str, str]:
    """The break-glass principal exists; for a user, with an MFA device and no access keys."""
    principal = break_glass_principal(spec)
    kind, _, path = principal.split(":", 5)[5].partition("/")
    name = path.rsplit("/", 1)[-1]
    iam = sessions.client("iam")
    try:
        if kind == "role":
            iam.get_role(RoleName=name)
            return "done", f"role {name} exists; the break-glass roles require MFA to assume"
        iam.get_user(UserName=name)
    except ClientError as err:
        if error_code(err) == "NoSuchEntity":
            return "pending", f"{principal} does not exist yet"
        raise
    if not iam.list_mfa_devices(UserName=name)["MFADevices"]:
        return "pending", f"user {name} has no MFA device: it cannot assume the break-glass roles"
    keys = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
    if keys:
        return "pending", f"user {name} has {len(keys)} access key(s); a break-glass user needs none"
    return "done", f"user {name} has an MFA device and no access keys"


def spec_log_account(spec: LandingZoneSpec) -> str:
    logging_spec = getattr(spec, "logging", None)
    return str(getattr(logging_spec, "account", "log-archive"))


CHECKS: dict[str, Check] = {
    "root-mfa": _root_mfa,
    "root-access-keys": _root_keys,
    "break-glass": _break_glass,
    "mfa-delete": _mfa_delete,
    "identity-center": check_identity_center,
}


def collect_status(spec: LandingZoneSpec, sessions: Sessions) -> list[StepStatus]:
    observed = observe_organizations(sessions, desired_state(spec))
    accounts = {}
    for account in spec.accounts:
        live = observed.resources.get(account_address(account.name))
        if live is not None and live.physical_id:
            accounts[account.name] = str(live.physical_id)
    rows = []
    for step in manual_steps(spec):
        check = CHECKS.get(step.id)
        if check is None:
            rows.append(StepStatus(step, "unknown", "AWS offers no API to verify this step; tick it off by hand"))
            continue
        try:
            state, detail = check(spec, sessions, accounts)
        except (ClientError, BotoCoreError) as err:
            state, detail = "unknown", f"could not read it: {err}"
        except AwsError as err:
            state, detail = "unknown", f"could not read it: {err.message}"
        rows.append(StepStatus(step, state, detail))
    return rows


def print_status(rows: list[StepStatus], console: Console) -> None:
    console.print("[bold]Manual steps[/] (runbooks in the render output's runbooks/ folder):")
    for row in rows:
        console.print(f"  {_MARK[row.state]:<28} {escape(row.step.title)}  [dim]({escape(row.step.runbook)})[/]")
        console.print(f"      [dim]{escape(row.detail)}[/]")
    done = sum(r.state == "done" for r in rows)
    console.print(f"[bold]{done} of {len(rows)} manual steps verified done.[/]")
