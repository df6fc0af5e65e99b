"""Who a bucket policy still lets change a bucket's settings: the log bucket's policy reserves them to the
break-glass role. Pure (no AWS): the planner warns with it (`bootstrap.plan.guards`), and the S3 handler names
who may make a change that AWS denied (`bootstrap.types.s3`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from typing import Any

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
