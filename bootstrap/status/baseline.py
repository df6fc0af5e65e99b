"""`bootstrap status` checks of the account baseline: alternate contacts set in every account (read back from the
management account, a member account by its id), and centralized root access for member accounts enabled (read
with `iam:ListOrganizationsFeatures`).

A step is `done` only when live state proves it. The sandbox implements no centralized root access, so there that
step is `unavailable`, never `done`.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from blueprints.account_baseline import ROOT_FEATURES, accounts
from bootstrap.aws.retry import error_code
from bootstrap.aws.session import Sessions
from bootstrap.names import ACCOUNT_PRINCIPAL
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec

CONTACT_TYPES = ("SECURITY", "BILLING", "OPERATIONS")
NOT_IN_SANDBOX = "the sandbox does not implement IAM's centralized root access, so it cannot be read there"
NOTHING_ENABLED = ("ServiceAccessNotEnabledException", "OrganizationNotFoundException")


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


def check_member_root_credentials(spec: LandingZoneSpec, sessions: Sessions, ids: dict[str, str]) -> tuple[str, str]:
    """`done` when root credentials management and root sessions are both enabled for the organization."""
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
    return "done", (
        "centralized root access enabled; accounts created before it keep their root password until it is "
        "deleted (runbooks/account-baseline.md)"
    )
