"""`bootstrap status` checks of the account baseline: alternate contacts set in every account (read back from the
management account, a member account by its id), and member accounts' root credentials removed: centralized root
access enabled (`iam:ListOrganizationsFeatures`), then in each member account a root session limited to AWS's audit
task policy (`sts:AssumeRoot`) reads whether its root user still has a password or access keys.

A step is `done` only when live state proves it. The sandbox implements no centralized root access, so there that
step is `unavailable`, never `done`.
"""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import ClientError

from blueprints.account_baseline import ROOT_FEATURES, accounts
from bootstrap.aws.retry import error_code
from bootstrap.aws.session import Sessions
from bootstrap.names import ACCOUNT_PRINCIPAL, AUDIT_TASK_POLICY
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec
from bootstrap.status.parallel import each

CONTACT_TYPES = ("SECURITY", "BILLING", "OPERATIONS")
NOT_IN_SANDBOX = "the sandbox does not implement IAM's centralized root access, so it cannot be read there"
NOTHING_ENABLED = ("ServiceAccessNotEnabledException", "OrganizationNotFoundException")
ROOT_SESSION_SECONDS = 900
"""A root session's longest life (AssumeRoot's maximum); the audit needs seconds."""
RUNBOOK = "runbooks/account-baseline.md#member-root-credentials"


@dataclass(frozen=True)
class RootCredentials:
    """What a member account's root user holds: a password (a login profile), access keys, MFA devices."""

    password: bool
    access_keys: int
    mfa_devices: int


def _missing(sessions: Sessions, account_id: str | None) -> list[str]:
    """The contact types not set in one account (`account_id` None: the management account)."""
    client = sessions.client("account")
    member = {} if account_id is None else {"AccountId": account_id}
    missing = []
    for kind in CONTACT_TYPES:
        try:
            client.get_alternate_contact(AlternateContactType=kind, **member)
        except ClientError as err:
            if error_code(err) != "ResourceNotFoundException":
                raise
            missing.append(kind.lower())
    return missing


def check_alternate_contacts(spec: LandingZoneSpec, sessions: Sessions, ids: dict[str, str]) -> tuple[str, str]:
    """`done` when every account has its security, billing and operations contacts (whoever set them)."""
    if not spec.baseline.enabled or not spec.baseline.alternate_contacts.configured():
        return "pending", "the spec sets no alternate contacts: add baseline.alternate_contacts, then apply"
    gaps = []
    for name in accounts(spec):
        if name != MANAGEMENT and name not in ids:
            gaps.append(f"{name} (not created yet)")
            continue
        try:
            missing = _missing(sessions, ids.get(name))
        except ClientError as err:
            if error_code(err) != "AccessDeniedException" or name == MANAGEMENT:
                raise
            return "pending", f"trusted access for {ACCOUNT_PRINCIPAL} is not enabled yet; run `bootstrap apply`"
        if missing:
            gaps.append(f"{name} (no {', '.join(missing)})")
    if gaps:
        return "pending", "alternate contacts missing in: " + "; ".join(gaps)
    return "done", f"security, billing and operations contacts set in all {len(accounts(spec))} accounts"


def _root_credentials(sessions: Sessions, account_id: str) -> RootCredentials:
    """What the root user of one member account holds, read in a root session limited to the audit task policy
    (opened from the management account with `sts:AssumeRoot`; the policy grants the IAM reads)."""
    opened = sessions.regional_sts().assume_root(
        TargetPrincipal=account_id, TaskPolicyArn={"arn": AUDIT_TASK_POLICY}, DurationSeconds=ROOT_SESSION_SECONDS
    )
    iam = sessions.client_with("iam", opened["Credentials"])
    try:
        try:
            iam.get_login_profile()  # no UserName: the root user's
            password = True
        except ClientError as err:
            if error_code(err) != "NoSuchEntity":
                raise
            password = False
        keys = len(iam.list_access_keys()["AccessKeyMetadata"])  # root has at most 2: one page
        mfa = len(iam.list_mfa_devices()["MFADevices"])
    finally:
        iam.close()
    return RootCredentials(password, keys, mfa)


def _held(name: str, creds: RootCredentials) -> str:
    what = (["a password"] if creds.password else []) + (
        [f"{creds.access_keys} access key{'s' if creds.access_keys > 1 else ''}"] if creds.access_keys else []
    )
    return f"{name} ({' and '.join(what)})"


def check_member_root_credentials(spec: LandingZoneSpec, sessions: Sessions, ids: dict[str, str]) -> tuple[str, str]:
    """`done` when centralized root access is enabled and no member account's root user has a password or an
    access key, read in every member account at once through audit root sessions. Accounts created before
    centralized root access keep their root credentials until someone deletes them: this is what finds them."""
    if sessions.target.simulated:
        return "unavailable", NOT_IN_SANDBOX
    if not spec.baseline.enabled or not spec.baseline.centralized_root_access:
        return "pending", "the spec leaves centralized root access off (baseline.centralized_root_access)"
    try:
        enabled = sessions.client("iam").list_organizations_features().get("EnabledFeatures", [])
    except ClientError as err:
        if error_code(err) not in NOTHING_ENABLED:
            raise
        enabled = []
    off = [f for f in ROOT_FEATURES if f not in enabled]
    if off:
        return "pending", f"centralized root access: {', '.join(off)} not enabled; run `bootstrap apply`"
    members = sorted((name, i) for name, i in ids.items() if name != MANAGEMENT)
    if not members:
        return "done", "centralized root access enabled; no member account exists yet"
    reads = each(sessions, members, lambda member: _root_credentials(sessions, member[1]))
    held = [_held(r.item[0], r.answer) for r in reads if r.answer and (r.answer.password or r.answer.access_keys)]
    unread = [f"{r.item[0]} ({r.failure})" for r in reads if r.failure is not None]
    cannot = f"; could not read the root user of: {'; '.join(unread)}" if unread else ""
    if held:
        return "pending", (
            f"root credentials remain in: {'; '.join(held)}; delete them from the management account "
            f"({RUNBOOK}){cannot}"
        )
    if unread:
        return "unknown", cannot.removeprefix("; ")
    mfa = [f"{r.item[0]} ({r.answer.mfa_devices})" for r in reads if r.answer and r.answer.mfa_devices]
    noted = f"; MFA devices still registered (unusable without a password; deletable): {', '.join(mfa)}" if mfa else ""
    return "done", f"no root password or access key in any of the {len(members)} member accounts{noted}"
