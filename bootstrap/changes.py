"""The plan model: small frozen change objects, ordered, and the notes that go with them. Below every layer:
the planner makes them, the apply engine and the types' handlers take them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
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
    weakens: tuple[str, ...] = ()
    """What about it weakens security (`TypeRule.weakens`): property names, or "deleted"."""
    origin: str = ""
    """`drift` (live state changed behind the toolkit's back) or `spec` (the spec asked for it); empty when
    unknown (`bootstrap.plan.origin`)."""
    removes: bool = False
    """Making it removes something that exists (its type's rule says so: a default VPC's removal is the creation
    of its absence), so it is destructive as a delete is, whatever its action."""
    consented_by: str = ""
    """The spec field that asks for this removal by name (`TypeRule.consent`): it needs no `--allow-destroy`."""

    @property
    def destructive(self) -> bool:
        return self.action in (Action.DELETE, Action.REPLACE) or self.removes

    @property
    def symbol(self) -> str:
        """As people read it: a removal is shown as `-`, whatever its action (the creation of an absence)."""
        return Action.DELETE.symbol if self.removes else self.action.symbol

    @property
    def needs_consent(self) -> bool:
        """Destructive, and not asked for by the spec by name: apply runs it only with `--allow-destroy`."""
        return self.destructive and not (self.removes and self.consented_by)

    def to_dict(self) -> dict[str, Any]:
        """The change as the plan's JSON, its saved file and its id all write it (one definition)."""
        return {
            "address": self.address,
            "type": self.type,
            "account": self.location.account,
            "region": self.location.region,
            "action": self.action.value,
            "physical_id": self.physical_id,
            "destructive": self.destructive,
            "removes": self.removes,
            "consented_by": self.consented_by,
            "origin": self.origin,
            "weakens": list(self.weakens),
            "reason": self.reason,
            "depends_on": list(self.depends_on),
            "pending": self.pending,
            "before": self.before,
            "diffs": [{"property": d.name, "before": d.before, "after": d.after} for d in self.diffs],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Change:
        """Read back what `to_dict` wrote (KeyError, TypeError or ValueError on anything else)."""
        return cls(
            address=data["address"],
            type=data["type"],
            location=Location(data["account"], data["region"]),
            action=Action(data["action"]),
            physical_id=data.get("physical_id"),
            diffs=tuple(PropertyDiff(d["property"], d["before"], d["after"]) for d in data.get("diffs", [])),
            reason=data.get("reason", ""),
            depends_on=tuple(data.get("depends_on", [])),
            before=data.get("before"),
            pending=data.get("pending"),
            removes=bool(data.get("removes", False)),
            consented_by=str(data.get("consented_by", "")),
            origin=str(data.get("origin", "")),
            weakens=tuple(str(w) for w in data.get("weakens", [])),
        )


FAILED = "failed"
"""The severity of a note about an account-region that could not be read."""
UNAVAILABLE = "unavailable"
"""The severity of a note about a resource or setting the endpoint cannot read or set (the sandbox lacks the API):
nothing is planned for it, and the plan counts the note as a warning and says so, never "matches the spec"."""
WAITING = "waiting"
"""The severity of a finding about something the toolkit waits for and cannot make itself (Identity Center not
enabled yet, a group an identity provider has not provisioned yet): nothing is planned for that address or for
what refers to it, the rest of the plan stands, and nothing is blocked."""


@dataclass(frozen=True)
class Note:
    """Something the user should know that is not a change: unmanaged objects, refused changes."""

    address: str
    message: str
    severity: str = "info"  # info | warning | error | failed | unavailable
    """`error` blocks the plan; `failed` is an account-region that could not be read (its changes are left out,
    the rest of the plan stands, and the command exits 1)."""

    def to_dict(self) -> dict[str, Any]:
        return {"address": self.address, "severity": self.severity, "message": self.message}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Note:
        return cls(data["address"], data["message"], data["severity"])


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

    @property
    def unavailable(self) -> list[Note]:
        """Settings the endpoint cannot read or set: the plan holds no change for them."""
        return [n for n in self.notes if n.severity == UNAVAILABLE]

    @property
    def failures(self) -> list[Note]:
        """Account-regions that could not be read: the plan holds none of their changes."""
        return [n for n in self.notes if n.severity == FAILED]

    def count(self) -> tuple[int, int, int]:
        add = sum(c.action in (Action.CREATE, Action.REPLACE) and not c.removes for c in self.changes)
        change = sum(c.action is Action.UPDATE for c in self.changes)
        destroy = sum(c.action in (Action.DELETE, Action.REPLACE) or c.removes for c in self.changes)
        return add, change, destroy

    def summary(self) -> str:
        if self.blocked:
            add, change, destroy = self.count()
            return (
                f"Blocked: {len(self.blocked)} error(s) above must be resolved first "
                f"({add} to add, {change} to change, {destroy} to destroy waiting)."
            )
        warnings = sum(n.severity in ("warning", WAITING) for n in self.notes)  # unavailable ones: said below
        unread = (
            f" {len(self.failures)} account-region(s) could not be read (see the notes): nothing is planned there."
            if self.failures
            else ""
        )
        if self.unavailable:
            unread += (
                f" {len(self.unavailable)} setting(s) this endpoint cannot read or set (see the notes): not planned."
            )
        if self.empty and warnings:
            return (
                f"No changes the toolkit will make, but {warnings} warning(s) above: read them before trusting it."
                + unread
            )
        if self.empty and self.failures:
            return f"No changes where live state could be read.{unread}"
        if self.empty and unread:
            return f"No changes to what this endpoint can read.{unread}"
        if self.empty:
            return "No changes. Live state matches the spec."
        add, change, destroy = self.count()
        return f"Plan: {add} to add, {change} to change, {destroy} to destroy.{unread}"

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
                "changes": [c.to_dict() for c in self.changes],
                "notes": [n.to_dict() for n in self.notes],
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]
