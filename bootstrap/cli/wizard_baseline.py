"""`bootstrap init`'s account baseline questions: the alternate contacts every account gets (security, billing,
operations), asked through the same `Draft` as the rest, so each answer is checked against the whole spec as it
is given. Defaults come from the answers already given: the security contact is the first alarm address, the
billing and operations contacts the security contact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import questionary

from bootstrap.spec.baseline import check_contact_email, check_phone

if TYPE_CHECKING:
    from bootstrap.cli.wizard import Draft


def ask_baseline(draft: Draft) -> None:
    """The alternate contacts' e-mail addresses and their phone number (AWS requires one for each contact)."""
    alarms = draft.fields.get("alarm_emails") or []
    security = draft.ask(
        "security_contact_email",
        questionary.text(
            "Security contact of every account (AWS's security notices), e-mail:",
            default=str(alarms[0]) if alarms else "",
            validate=draft.check("security_contact_email", check_contact_email),
        ),
    )
    for kind in ("billing", "operations"):
        draft.ask(
            f"{kind}_contact_email",
            questionary.text(
                f"{kind.capitalize()} contact of every account, e-mail:",
                default=security,
                validate=draft.check(f"{kind}_contact_email", check_contact_email),
            ),
        )
    draft.ask(
        "contact_phone",
        questionary.text(
            "Phone number of these contacts (AWS requires one, e.g. +1 206 555 0100):",
            default="",
            validate=draft.check("contact_phone", check_phone),
        ),
    )
