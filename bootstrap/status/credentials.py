"""The credentials that guard the landing zone, as `bootstrap status` reads them: the management account's
root user, the break-glass principal (IAM) and MFA Delete on the log bucket (S3).

Root MFA and root access keys come from `get_account_summary` (the counters AWS keeps for the root user);
the sandbox has no root user, so there those steps are `unavailable`, never done. The break-glass principal
(`organization.break_glass_principal`) is read with `get_role` or `get_user` and, for a user, its MFA
devices and access keys.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code
from bootstrap.aws.session import Sessions
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.spec.roles import break_glass_principal

UNAVAILABLE = {  # what the sandbox (a simulated endpoint, `AwsTarget.simulated`) cannot show
    "root-mfa": "the sandbox has no root user, so root MFA cannot be observed there",
    "root-access-keys": "the sandbox has no root user, so root access keys cannot be observed there",
    "mfa-delete": "the sandbox accepts MFA Delete but never stores it, so it always reads as not enabled",
}


def _account_summary(sessions: Sessions) -> dict[str, int]:
    return dict(sessions.client("iam").get_account_summary()["SummaryMap"])


def root_mfa(spec: LandingZoneSpec, sessions: Sessions, accounts: dict[str, str]) -> tuple[str, str]:
    if sessions.target.simulated:
        return "unavailable", UNAVAILABLE["root-mfa"]
    enabled = _account_summary(sessions).get("AccountMFAEnabled", 0) == 1
    return ("done", "root user has an MFA device") if enabled else ("pending", "root user has no MFA device")


def root_keys(spec: LandingZoneSpec, sessions: Sessions, accounts: dict[str, str]) -> tuple[str, str]:
    if sessions.target.simulated:
        return "unavailable", UNAVAILABLE["root-access-keys"]
    present = _account_summary(sessions).get("AccountAccessKeysPresent", 0)
    return ("done", "no root access keys") if present == 0 else ("pending", "the root user has access keys")


def break_glass(spec: LandingZoneSpec, sessions: Sessions, accounts: dict[str, str]) -> tuple[str, str]:
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


def mfa_delete(spec: LandingZoneSpec, sessions: Sessions, accounts: dict[str, str]) -> tuple[str, str]:
    from bootstrap.status.mfa_delete import check_mfa_delete

    state, detail = check_mfa_delete(sessions, spec, accounts.get(spec_log_account(spec)))
    if state != "done" and sessions.target.simulated:
        return "unavailable", UNAVAILABLE["mfa-delete"]
    return state, detail


def spec_log_account(spec: LandingZoneSpec) -> str:
    logging_spec = getattr(spec, "logging", None)
    return str(getattr(logging_spec, "account", "log-archive"))
