"""Whether the principal running the toolkit is one the landing zone's roles and keys let in.

The bootstrap role of every account trusts only `organization.operators` (and the management account's
own bootstrap role), and KMS refuses a key policy that would not let its creator manage the key. A caller
outside those patterns can still read, but its apply would enter member accounts as
OrganizationAccountAccessRole, which no key policy names, and create management-account keys it could
not manage: the plan says so before any write, and how to run as the right principal.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from bootstrap.changes import Note, Plan
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.spec.roles import operator_patterns, principal_pattern

ADDRESS = "organization/operators"


def caller_notes(plan: Plan, spec: LandingZoneSpec, caller_arn: str) -> list[Note]:
    """A warning when the plan has changes and the caller is not one of the spec's operators."""
    if plan.empty:
        return []
    principal = principal_pattern(caller_arn)
    patterns = operator_patterns(spec)
    if principal is not None and any(fnmatchcase(principal, p) for p in patterns):
        return []
    who = "the root user" if principal is None else principal
    own = patterns[-1]
    return [
        Note(
            ADDRESS,
            f"you run as {who} ({caller_arn}), which is not one of organization.operators ({', '.join(patterns)}): "
            "the bootstrap roles will not let you in, member accounts are then entered as "
            "OrganizationAccountAccessRole (which no key policy lets manage the keys), and KMS refuses to create a "
            "key whose policy would not let you manage it. Add your principal to organization.operators and apply, "
            f"or run as an operator (for example the management account's bootstrap role, {own})",
            "warning",
        )
    ]
