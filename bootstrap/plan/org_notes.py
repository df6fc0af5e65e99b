"""What the plan tells a reviewer about OUs and accounts leaving the spec.

- An owned OU that is no longer in the spec is deleted by `apply`, which AWS refuses while accounts are in
  it: such a deletion is refused here, at plan time, naming the accounts (the observer records those the
  spec does not move elsewhere as the orphan's `HELD_ACCOUNTS` attribute).
- An OU created next to an owned OU being removed under the same parent is most likely a rename without
  `renamed_from`: the plan says that `renamed_from` exists, and what it keeps.
"""

from __future__ import annotations

from collections.abc import Iterable

from bootstrap.changes import Note
from bootstrap.names import ou_address
from bootstrap.observed import HELD_ACCOUNTS, ObservedResource
from bootstrap.resources import Resource

OU = "AWS::Organizations::OrganizationalUnit"
_PREFIX = ou_address("")


def held_ou_refusal(address: str, orphan: ObservedResource) -> Note | None:
    """An error note refusing to delete an OU that still holds accounts, or None."""
    held = orphan.attributes.get(HELD_ACCOUNTS, "") if orphan.type == OU else ""
    if not held:
        return None
    path = address.removeprefix(_PREFIX)
    return Note(
        address,
        f"no longer in the spec, but the OU still holds account(s) {held}; AWS cannot delete an OU with "
        f"accounts in it, so the plan refuses to. Put {path} back under organizational_units, or list each "
        "account under accounts with another ou (for an account to retire: ou: Suspended, then close it by "
        "hand), then plan again",
        "error",
    )


def rename_hints(created: Iterable[Resource], orphans: Iterable[tuple[str, ObservedResource]]) -> list[Note]:
    """For each OU the plan creates beside an owned OU it removes (same parent path), say that
    `renamed_from` keeps the OU instead."""
    removed: dict[str, list[str]] = {}
    for address, orphan in orphans:
        if orphan.type == OU and orphan.owned:
            path = address.removeprefix(_PREFIX)
            removed.setdefault(_parent(path), []).append(path)
    notes = []
    for resource in created:
        if resource.type != OU:
            continue
        path = resource.address.removeprefix(_PREFIX)
        for old in removed.get(_parent(path), []):
            notes.append(
                Note(
                    resource.address,
                    f"created while {old} is removed: if this OU is {old} renamed, add `renamed_from: {old}` "
                    f"to it under organizational_units, and the plan renames the OU in place (same id, "
                    "accounts, child OUs and SCPs) instead of creating one and deleting the other",
                    "warning",
                )
            )
    return notes


def _parent(path: str) -> str:
    return path.rpartition("/")[0]
