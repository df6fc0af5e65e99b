"""Tell drift from what the spec asked: a change at an address whose desired state is what the last successful
apply made is drift (live state changed behind the toolkit's back); any other change is the spec's.

The toolkit keeps no state, AWS is the state; this only labels changes for the reviewer. After an apply whose
verification found nothing left to do, the workflow records a digest of each address's desired resource
(`.bootstrap/applied.json` beside the journal). A plan compares against it: same digest, so the spec did not
change there, so the change is drift. No record (a first run, another machine): no label.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace

from bootstrap.changes import Action, Change, Plan
from bootstrap.resources import DesiredState, Resource

DRIFT = "drift"
SPEC = "spec"


def resource_digest(resource: Resource) -> str:
    """What the spec asks of one resource, as a digest: its type, location and properties (references and all)."""
    blob = json.dumps(
        [resource.type, resource.location.account, resource.location.region, resource.properties],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def desired_digests(desired: DesiredState) -> dict[str, str]:
    return {r.address: resource_digest(r) for r in desired.resources}


def mark_origins(plan: Plan, desired: DesiredState, applied: Mapping[str, str] | None) -> Plan:
    """The plan with each change labelled `drift` or `spec` (unlabelled without a record of the last apply)."""
    if not applied:
        return plan
    return replace(plan, changes=tuple(_marked(c, desired, applied) for c in plan.changes))


def _marked(change: Change, desired: DesiredState, applied: Mapping[str, str]) -> Change:
    resource = desired.by_address.get(change.address)
    if change.action is Action.DELETE or resource is None:
        return replace(change, origin=SPEC)  # an orphan: the spec no longer holds it
    same = applied.get(change.address) == resource_digest(resource)
    return replace(change, origin=DRIFT if same else SPEC)
