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

from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from typing import Any

from bootstrap.observe.state import ObservedState
from bootstrap.plan.model import Action, Change, Note
from bootstrap.plan.rules import rule_for

BUCKET_POLICY = "AWS::S3::BucketPolicy"

ACTIONS: dict[str, str] = {
    "VersioningConfiguration": "s3:PutBucketVersioning",
    "ObjectLockConfiguration": "s3:PutBucketObjectLockConfiguration",
    "BucketEncryption": "s3:PutEncryptionConfiguration",
    "PublicAccessBlockConfiguration": "s3:PutBucketPublicAccessBlock",
    "OwnershipControls": "s3:PutBucketOwnershipControls",
    "LoggingConfiguration": "s3:PutBucketLogging",
    "PolicyDocument": "s3:PutBucketPolicy",
}
"""The IAM action that changes each property of a bucket or bucket policy (removing a setting is the
same action as putting it: `DeleteBucketEncryption` is `s3:PutEncryptionConfiguration`)."""

_EXEMPTING = ("arnnotlike", "arnnotequals", "stringnotlike", "stringnotequals")
"""Condition operators by which a Deny to everyone exempts principals named by `aws:PrincipalArn`."""


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _to_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    return isinstance(principal, Mapping) and "*" in _as_list(principal.get("AWS"))


def _exempted(condition: Any) -> set[str] | None:
    """The principal ARNs a Deny's condition exempts, when it exempts by principal ARN and tests nothing
    else (a Deny that also tests TLS or the organization does not concern the toolkit's own calls)."""
    if not condition:
        return set()  # denied to everyone, no exception
    if not isinstance(condition, Mapping):
        return None
    exempt: set[str] = set()
    for operator, tests in condition.items():
        if str(operator).lower() not in _EXEMPTING or not isinstance(tests, Mapping):
            return None
        for key, values in tests.items():
            if str(key).lower() != "aws:principalarn":
                return None
            exempt.update(str(v) for v in _as_list(values))
    return exempt


def reserved_to(policy: Any, action: str) -> list[str] | None:
    """Who `policy` (a bucket policy document) still lets perform `action`: the principal ARNs that every
    Deny of it to everyone exempts, sorted; empty if it is denied to all; None when nothing denies it."""
    if not isinstance(policy, Mapping):
        return None
    allowed: set[str] | None = None
    for statement in _as_list(policy.get("Statement")):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Deny":
            continue
        if not _to_everyone(statement.get("Principal")):
            continue
        if not any(fnmatchcase(action.lower(), str(a).lower()) for a in _as_list(statement.get("Action"))):
            continue
        exempt = _exempted(statement.get("Condition"))
        if exempt is None:
            continue
        allowed = exempt if allowed is None else allowed & exempt
    return None if allowed is None else sorted(allowed)


def describe(principals: Iterable[str]) -> str:
    """People's words for exempt principal ARNs: `the break-glass role X (or the account's root user)`."""
    roles = [arn.split(":role/", 1)[1] for arn in principals if ":role/" in arn]
    root = any(arn.endswith(":root") for arn in principals)
    if not roles:
        return "the account's root user" if root else "no principal at all"
    who = f"the break-glass role {roles[0]}" if len(roles) == 1 else "the roles " + ", ".join(roles)
    return who + (" (or the account's root user)" if root else "")


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
