"""Settings a live bucket policy reserves to one role: say so in the plan, before apply is refused.

Once the log bucket's policy is in place (`blueprints/log_archive.py`), it denies changing the bucket's
policy, versioning, Object Lock, encryption, public access block, ownership controls and access logging
to every principal but the break-glass role. The role the toolkit runs as is not exempt, by design, so a
plan that changes one of those settings can only be applied by the break-glass role. The plan says so
on the change (a warning note) instead of leaving it to an AccessDenied halfway through apply.

Who may make the change is read from the live policy, not from the spec: a bucket whose policy was
replaced by a permissive one (or that has none yet) can be repaired by the toolkit itself, and no note
is due. Pure: no AWS here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bootstrap.changes import Action, Change, Note
from bootstrap.observed import ObservedState
from bootstrap.types.registry import rule_for
from bootstrap.types.s3_reserved import ACTIONS, describe, reserved_to

BUCKET_POLICY = "AWS::S3::BucketPolicy"


def _live_policy(change: Change, observed: ObservedState) -> Any:
    """The live bucket policy that governs `change`: its own document, or its bucket's."""
    if change.type == BUCKET_POLICY:
        live = observed.resources.get(change.address)
        return live.properties.get("PolicyDocument") if live is not None else None
    for live in observed.resources.values():
        if live.type == BUCKET_POLICY and live.physical_id == change.physical_id:
            return live.properties.get("PolicyDocument")
    return None


def break_glass_notes(changes: Iterable[Change], observed: ObservedState) -> list[Note]:
    """A warning on every update that the live bucket policy reserves to the break-glass role."""
    notes = []
    for change in changes:
        if change.action is not Action.UPDATE or not rule_for(change.type).guarded_by_break_glass:
            continue
        policy = _live_policy(change, observed)
        reserved: dict[str, list[str]] = {}
        for diff in change.diffs:
            action = ACTIONS.get(diff.name)
            principals = reserved_to(policy, action) if action else None
            if principals is not None:
                reserved[diff.name] = principals
        if not reserved:
            continue
        who = describe(sorted(set.intersection(*(set(p) for p in reserved.values()))))
        notes.append(
            Note(
                change.address,
                f"AWS will allow this change only to {who}: run apply as that role. The live bucket policy "
                f"denies changing {', '.join(reserved)} to every other principal, the toolkit's role included.",
                "warning",
            )
        )
    return notes
