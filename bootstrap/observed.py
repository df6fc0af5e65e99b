"""The observed-state model: what the toolkit found live, in the same vocabulary as the desired state."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bootstrap.resources import Location

HELD_ACCOUNTS = "HeldAccounts"
"""Attribute of an owned OU no longer in the spec: the accounts in it that the spec places nowhere
("name (id), ..."), for which AWS would refuse to delete it."""


@dataclass(frozen=True)
class ObservedResource:
    """A live object matched to a desired address (or owned by the toolkit and no longer desired)."""

    address: str
    type: str
    physical_id: str | None
    properties: Mapping[str, Any]
    owned: bool
    """Carries the toolkit's ownership tag. Objects not owned are never changed beyond what the spec
    asks of them by name, and never deleted."""
    attributes: Mapping[str, str] = field(default_factory=dict)
    """Values of `Fn::GetAtt` (for example the organization's RootId)."""
    pending: str | None = None
    """An asynchronous creation already under way (the request id), to be awaited rather than repeated."""
    location: Location | None = None
    """Where an orphan lives, when its type has objects in many account-regions (a VPC no longer in the spec)."""


@dataclass(frozen=True)
class Finding:
    """Something observed that the toolkit reports and never touches."""

    address: str
    message: str
    severity: str = "info"


@dataclass(frozen=True)
class ReadFailure:
    """An account-region whose live state could not be read (access denied there, an endpoint that timed out, a
    region that errors): nothing is planned for the resources desired there, or for what refers to them, and the
    rest of the run goes on."""

    account: str
    region: str
    message: str
    remediation: str
    addresses: tuple[str, ...]
    """The desired resources left unread."""

    @property
    def where(self) -> str:
        return f"{self.account} / {self.region}"


@dataclass
class ObservedState:
    resources: dict[str, ObservedResource] = field(default_factory=dict)
    orphans: dict[str, ObservedResource] = field(default_factory=dict)
    """Owned by the toolkit but no longer in the desired state: candidates for deletion."""
    findings: list[Finding] = field(default_factory=list)
    unmanaged_attachments: dict[str, list[str]] = field(default_factory=dict)
    """Per OU address: names of attached SCPs the toolkit does not own (they take attachment slots)."""
    failures: list[ReadFailure] = field(default_factory=list)
    """Account-regions that could not be read."""
    facts: dict[str, list[Any]] = field(default_factory=dict)
    """What readers noted beyond the desired resources, by kind (`ReadScope.note`): every VPC's block, for
    the organization-wide CIDR allocation."""
    skipped: set[str] = field(default_factory=set)
    """Desired addresses in a region their account has not enabled: nothing can be read or made there, so
    nothing is planned for them (or for what refers to them) until the region is enabled."""

    def merge(self, other: ObservedState) -> None:
        self.resources.update(other.resources)
        self.orphans.update(other.orphans)
        self.findings.extend(other.findings)
        self.unmanaged_attachments.update(other.unmanaged_attachments)
        self.failures.extend(other.failures)
        for kind, values in other.facts.items():
            self.facts.setdefault(kind, []).extend(values)
        self.skipped |= other.skipped

    def fingerprint(self) -> str:
        """A digest of everything observed; a saved plan is applied only while this is unchanged."""
        canon: dict[str, Any] = {
            "resources": {a: _canon(r) for a, r in sorted(self.resources.items())},
            "orphans": {a: _canon(r) for a, r in sorted(self.orphans.items())},
            "unmanaged": dict(sorted(self.unmanaged_attachments.items())),
        }
        if self.failures:  # what could not be read is part of what the plan was made from
            canon["unread"] = sorted(f.where for f in self.failures)
        if self.skipped:
            canon["skipped"] = sorted(self.skipped)
        if self.facts:  # only when some reader noted any: fingerprints of other layers stay as they were
            canon["facts"] = {k: sorted(map(str, v)) for k, v in sorted(self.facts.items())}
        blob = json.dumps(canon, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


def _canon(r: ObservedResource) -> dict[str, Any]:
    return {"id": r.physical_id, "props": r.properties, "owned": r.owned, "pending": r.pending}
