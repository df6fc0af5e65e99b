"""The plan model: small frozen change objects, ordered, and the notes that go with them. Below every layer:
the planner makes them, the apply engine and the types' handlers take them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bootstrap.resources import Location


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REPLACE = "replace"

    @property
    def symbol(self) -> str:
        return {"create": "+", "update": "~", "delete": "-", "replace": "-/+"}[self.value]


@dataclass(frozen=True)
class PropertyDiff:
    name: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Change:
    """One change to one resource: what, where, from what to what, and why."""

    address: str
    type: str
    location: Location
    action: Action
    physical_id: str | None = None
    diffs: tuple[PropertyDiff, ...] = ()
    reason: str = ""
    depends_on: tuple[str, ...] = ()
    before: dict[str, Any] | None = None
    """Observed properties (live ids), for updates and deletes."""
    pending: str | None = None
    """An asynchronous creation already under way (request id), awaited instead of repeated."""

    @property
    def destructive(self) -> bool:
        return self.action in (Action.DELETE, Action.REPLACE)


@dataclass(frozen=True)
class Note:
    """Something the user should know that is not a change: unmanaged objects, refused changes."""

    address: str
    message: str
    severity: str = "info"  # info | warning | error


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    notes: tuple[Note, ...] = ()
    state_fingerprint: str = ""
    spec_digest: str = ""
    management_account_id: str = ""
    created_at: str = ""
    api_calls: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    """Names for the live ids a plan shows (`ou-ab12-cd34` -> `OU Security`); for people only, so they are
    not part of the plan id."""

    @property
    def empty(self) -> bool:
        return not self.changes

    @property
    def blocked(self) -> list[Note]:
        """Error notes: the plan cannot be applied until they are resolved."""
        return [n for n in self.notes if n.severity == "error"]

    def count(self) -> tuple[int, int, int]:
        add = sum(c.action in (Action.CREATE, Action.REPLACE) for c in self.changes)
        change = sum(c.action is Action.UPDATE for c in self.changes)
        destroy = sum(c.action in (Action.DELETE, Action.REPLACE) for c in self.changes)
        return add, change, destroy

    def summary(self) -> str:
        if self.blocked:
            add, change, destroy = self.count()
            return (
                f"Blocked: {len(self.blocked)} error(s) above must be resolved first "
                f"({add} to add, {change} to change, {destroy} to destroy waiting)."
            )
        warnings = sum(n.severity == "warning" for n in self.notes)
        if self.empty and warnings:
            return f"No changes the toolkit will make, but {warnings} warning(s) above: read them before trusting it."
        if self.empty:
            return "No changes. Live state matches the spec."
        add, change, destroy = self.count()
        return f"Plan: {add} to add, {change} to change, {destroy} to destroy."

    @property
    def plan_id(self) -> str:
        """Identifies what the plan would do (not when it was made): journals of a resumed apply key on it,
        and a saved plan whose id does not match its content has been edited.

        Covers everything apply acts on (ids, previous values, order, pending requests) and the notes
        that gate it, so an edited target id or a removed error note is caught like an edited value."""
        blob = json.dumps(
            {
                "spec": self.spec_digest,
                "state": self.state_fingerprint,
                "account": self.management_account_id,
                "changes": [
                    [
                        c.address,
                        c.type,
                        c.location.account,
                        c.location.region,
                        c.action.value,
                        c.physical_id,
                        [(d.name, d.before, d.after) for d in c.diffs],
                        list(c.depends_on),
                        c.before,
                        c.pending,
                    ]
                    for c in self.changes
                ],
                "notes": [(n.address, n.severity, n.message) for n in self.notes],
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]
