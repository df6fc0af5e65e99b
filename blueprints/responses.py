"""What to do when an alarm of the landing zone fires: the data `runbooks/respond.md` is generated from.

Every layer that creates a CloudWatch alarm also describes the response to it here, next to the data that
creates the alarm, so a new alarm without a response section fails a test instead of paging someone who
has no idea what it means. `blueprints/respond.py` collects every layer's responses (`responses_for`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlarmResponse:
    """The response section of one alarm.

    `alarm_name` is the alarm's `AlarmName` exactly as the blueprint creates it (the section's anchor).
    `checks` are AWS CLI commands already filled in with this organization's names (log group, bucket,
    trail, account ids by name), so the person on call can paste them; `contain` the steps that stop the
    damage; `tell` who must hear about it; `where` the account and region the commands run in (empty: where
    the section's commands say).
    """

    alarm_name: str
    title: str
    meaning: str
    checks: tuple[str, ...]
    contain: tuple[str, ...]
    tell: str
    where: str = ""
