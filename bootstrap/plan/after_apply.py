"""What `apply` reports when it is done: the ids of the accounts it created.

New accounts are known by name in the plan (AWS assigns the id), so their ids come from the labels of the
plan made after the apply (`Plan.labels`: live id -> "account <name>").
"""

from __future__ import annotations

from bootstrap.changes import Action, Plan
from bootstrap.names import account_address

ACCOUNT = "AWS::Organizations::Account"
_PREFIX = account_address("")


def created_account_ids(applied: Plan, after: Plan, done: set[str] | frozenset[str]) -> dict[str, str]:
    """Account name -> id for each account the applied plan created (and the apply did)."""
    by_label = {label: live_id for live_id, label in after.labels.items()}
    found: dict[str, str] = {}
    for change in applied.changes:
        if change.type != ACCOUNT or change.action is not Action.CREATE or change.address not in done:
            continue
        name = change.address.removeprefix(_PREFIX)
        live_id = by_label.get(f"account {name}")
        if live_id is not None:
            found[name] = live_id
    return found


def created_accounts_line(applied: Plan, after: Plan, done: set[str] | frozenset[str]) -> str | None:
    """ "New accounts: log-archive 111122223333, audit 444455556666." or None when none was created."""
    found = created_account_ids(applied, after, done)
    if not found:
        return None
    return "New accounts: " + ", ".join(f"{name} {live_id}" for name, live_id in sorted(found.items())) + "."
