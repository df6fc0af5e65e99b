"""Per-type diff rules: which properties are compared, and how a difference may be repaired."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TypeRule:
    compared: tuple[str, ...]
    sets: frozenset[str] = frozenset()
    """Compared as unordered sets (policy targets, parent ids, enabled policy types)."""
    replace_on: frozenset[str] = frozenset()
    """A difference here needs the resource replaced (delete and create)."""
    report_only: frozenset[str] = frozenset()
    """A difference here is reported but the toolkit does not change it (no API, or not its call)."""
    deletable: bool = True
    """The toolkit may delete an owned object of this type that the spec no longer asks for."""


RULES: dict[str, TypeRule] = {
    "AWS::Organizations::Organization": TypeRule(
        compared=("FeatureSet",), report_only=frozenset({"FeatureSet"}), deletable=False
    ),
    "Bootstrap::Organizations::RootPolicyTypes": TypeRule(
        compared=("PolicyTypes",), sets=frozenset({"PolicyTypes"}), deletable=False
    ),
    "AWS::Organizations::OrganizationalUnit": TypeRule(
        compared=("Name", "ParentId"), replace_on=frozenset({"ParentId"})
    ),
    "AWS::Organizations::Policy": TypeRule(
        compared=("Name", "Description", "Content", "TargetIds"),
        sets=frozenset({"TargetIds"}),
    ),
    "AWS::Organizations::Account": TypeRule(
        compared=("AccountName", "Email", "ParentIds"),
        sets=frozenset({"ParentIds"}),
        report_only=frozenset({"AccountName", "Email"}),
        deletable=False,
    ),
}


def rule_for(type_: str) -> TypeRule:
    try:
        return RULES[type_]
    except KeyError:
        raise KeyError(f"no diff rule for resource type {type_}") from None
