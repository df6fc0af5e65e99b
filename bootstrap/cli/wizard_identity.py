"""`bootstrap init`'s identity questions: whether to build the identity layer, where people come from (the Identity
Center directory or an external identity provider), which permission sets of the library, and the group that
receives each, asked through the same `Draft` as the rest so each answer is checked against the whole spec.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import questionary

from bootstrap.spec.identity_answers import DEFAULT_GROUPS, DEFAULT_SETS
from bootstrap.spec.permission_set_library import load_permission_sets

if TYPE_CHECKING:
    from bootstrap.cli.wizard import Draft

SOURCES = [
    ("identity_center", "the Identity Center directory: the toolkit creates the groups, you add the people"),
    ("external", "an external identity provider (Okta, Entra ID, ...): it provisions the groups through SCIM"),
]


def _group_name(text: str) -> str:
    if not text or len(text) > 128 or any(c in text for c in "\n\"'"):
        raise ValueError("a group's display name: 1-128 characters, no quotes")
    return text


def ask_identity(draft: Draft) -> None:
    """The identity layer: on or off, its identity source, its permission sets and their groups."""
    if not draft.ask(
        "identity",
        questionary.confirm(
            "Give people access through IAM Identity Center (permission sets, groups, assignments)?", default=True
        ),
    ):
        return
    sources = [questionary.Choice(label, value=value) for value, label in SOURCES]
    draft.ask(
        "identity_source", questionary.select("Identity source: where do people and groups come from?", choices=sources)
    )
    library = load_permission_sets()
    sets = draft.ask(
        "identity_sets",
        questionary.checkbox(
            "Permission sets (from the library):",
            choices=[
                questionary.Choice(
                    f"{ps.name}: {ps.title} ({ps.session_duration})", value=ps.name, checked=ps.name in DEFAULT_SETS
                )
                for ps in library.values()
            ],
            validate=draft.check("identity_sets", list),
        ),
    )
    groups: dict[str, str] = {}
    for name in sets:
        draft.ask(
            "identity_groups",
            questionary.text(
                f"Group that receives {name}:",
                default=DEFAULT_GROUPS.get(name, (name, ""))[0],
                validate=draft.check("identity_groups", _with(groups, name)),
            ),
            _with(groups, name),
        )
        groups = dict(draft.fields["identity_groups"])


def _with(groups: dict[str, str], name: str) -> Callable[[str], dict[str, str]]:
    """Parses one group-name answer into the whole mapping of groups so far (the answers' `identity_groups`)."""

    def parse(text: str) -> dict[str, str]:
        return {**groups, name: _group_name(text)}

    return parse
