"""What `bootstrap init`'s identity answers become in the spec: the library permission sets chosen, a group per
set, and assignments by OU (the management account only for billing, and for the administrators who run the
toolkit, with `allow_management_account` saying so).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bootstrap.spec.answers import Answers

DEFAULT_SETS = ("administrator", "power-user", "read-only", "security-audit", "billing")
DEFAULT_GROUPS = {
    "administrator": ("platform-admins", "Administer every account; run the toolkit"),
    "power-user": ("developers", "Build and run workloads; no IAM or Organizations changes"),
    "read-only": ("readers", "Read configuration and data; change nothing"),
    "security-audit": ("security-auditors", "Review security configuration; read the log archive"),
    "billing": ("finance", "Bills, budgets and cost management"),
    "break-glass-viewer": ("incident-reviewers", "Watch what happens during an incident"),
}
SUSPENDED = "Suspended"
_OUS_OF = {
    "power-user": ("Workloads", "Sandbox"),
    "read-only": ("Workloads",),
}
"""Where a set is assigned when not everywhere (top-level OUs, those the answers have)."""
_IN_MANAGEMENT = frozenset({"administrator", "billing", "break-glass-viewer"})


def group_name(answers: Answers, permission_set: str) -> str:
    return answers.identity_groups.get(permission_set) or DEFAULT_GROUPS.get(permission_set, (permission_set, ""))[0]


def identity_section(answers: Answers) -> dict[str, Any]:
    """The template's view of the identity answers."""
    top = list(dict.fromkeys(p.split("/")[0] for p in answers.organizational_units))
    everywhere = [p for p in top if p != SUSPENDED]
    assignments = []
    for permission_set in answers.identity_sets:
        wanted = _OUS_OF.get(permission_set)
        ous = [p for p in everywhere if wanted is None or p in wanted] if permission_set != "billing" else []
        accounts = ["management"] if permission_set in _IN_MANAGEMENT else []
        if ous or accounts:
            assignments.append(
                {"group": group_name(answers, permission_set), "set": permission_set, "ous": ous, "accounts": accounts}
            )
    return {
        "enabled": answers.identity,
        "source": answers.identity_source,
        "sets": list(answers.identity_sets),
        "groups": _groups(answers),
        "assignments": assignments,
        "management": any(a["accounts"] for a in assignments),
    }


def _groups(answers: Answers) -> list[tuple[str, str]]:
    """(name, description) of each group, once: one group may receive several permission sets."""
    found: dict[str, str] = {}
    for permission_set in answers.identity_sets:
        found.setdefault(group_name(answers, permission_set), DEFAULT_GROUPS.get(permission_set, ("", ""))[1])
    return list(found.items())
