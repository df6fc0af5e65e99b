"""The ids of the spec's accounts, for `bootstrap status`: all it needs of the organization.

An adopted account's id is in the spec; the others are found by their e-mail address, as the observer matches
them, in one `list_accounts` listing (20 accounts a page), not the whole organization walk a plan makes (its OUs,
policies, attachments and tags: some seventy calls for the default landing zone, where this takes one).
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code
from bootstrap.aws.session import Sessions
from bootstrap.spec.model import LandingZoneSpec


def account_ids(spec: LandingZoneSpec, sessions: Sessions) -> dict[str, str]:
    """Spec account name -> id, for the accounts that exist (none before the organization does)."""
    ids = {a.name: a.id for a in spec.accounts if a.id}
    wanted = {spec.account_email(a).lower(): a.name for a in spec.accounts if not a.id}
    if not wanted:
        return ids
    client = sessions.client("organizations")
    token = None
    try:
        while True:
            page = client.list_accounts(**({"NextToken": token} if token else {}))
            for account in page.get("Accounts", []):
                name = wanted.get(str(account.get("Email", "")).lower())
                if name is not None:
                    ids[name] = str(account["Id"])
            token = page.get("NextToken")
            if not token:
                return ids
    except ClientError as err:
        if error_code(err) == "AWSOrganizationsNotInUseException":
            return ids  # no organization yet: no account of the spec has been created
        raise
