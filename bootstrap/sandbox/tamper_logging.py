"""The demo's outsider for the logging layer: stop the organization trail's logging, as an intruder would
before doing anything else, with plain boto3 calls outside the toolkit's own observation and plan."""

from __future__ import annotations

from bootstrap.aws.session import Sessions
from bootstrap.spec.log_archive import logging_enabled, trail_name
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec


def tamper_logging(sessions: Sessions, spec: LandingZoneSpec, trail_account_id: str | None = None) -> list[str]:
    """Stop the trail's logging; return what was done, for the demo's report.

    `trail_account_id` is needed only when the trail lives in a delegated administrator account (the
    management account is the caller). Returns nothing when the spec builds no trail.
    """
    if not logging_enabled(spec):
        return []
    if spec.logging.trail_account != MANAGEMENT and trail_account_id is None:
        raise ValueError("the trail lives in a member account: pass its account id")
    account = None if spec.logging.trail_account == MANAGEMENT else trail_account_id
    cloudtrail = sessions.client("cloudtrail", account_id=account, region=spec.organization.home_region)
    name = trail_name(spec)
    cloudtrail.stop_logging(Name=name)
    return [f"stopped logging of the organization trail {name} (cloudtrail stop-logging)"]
