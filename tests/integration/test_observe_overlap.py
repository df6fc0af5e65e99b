"""Account-regions are read alongside the organization's walk: a member account's reads start as soon as a
listing names it, before the walk is done, and what is observed is what reading them after the walk observes."""

from __future__ import annotations

import time
from typing import Any

from bootstrap.aws.session import AwsTarget, Sessions
from bootstrap.desired import desired_state
from bootstrap.observe.account_regions import observe_with_walk
from bootstrap.observe.organizations import OnListed, observe_organizations
from bootstrap.observed import ObservedState
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec

ACCOUNT = "AWS::Organizations::Account"


def _fresh() -> Sessions:
    return Sessions(AwsTarget(max_attempts=2), default_region="us-east-1")


def _listing(state: ObservedState) -> list[dict[str, Any]]:
    """The member accounts the walk found, as an Organizations listing names them."""
    return [
        {"Id": r.physical_id, "Email": r.properties["Email"], "Name": r.properties["AccountName"]}
        for r in state.resources.values()
        if r.type == ACCOUNT and r.physical_id
    ]


def test_member_accounts_are_read_before_the_walk_is_done(
    spec: LandingZoneSpec, sessions: Sessions, apply: Any
) -> None:
    apply(spec, sessions)
    reader, desired = _fresh(), desired_state(spec)
    entered_during_walk = []

    def walk(on_listed: OnListed) -> ObservedState:
        state = observe_organizations(reader, desired)
        listing = _listing(state)
        assert listing
        on_listed(listing)
        deadline = time.monotonic() + 30
        while "sts:AssumeRole" not in reader.stats.snapshot() and time.monotonic() < deadline:
            time.sleep(0.01)
        entered_during_walk.append(reader.stats.snapshot().get("sts:AssumeRole", 0))
        return state

    observe_with_walk(reader, desired, walk)
    assert entered_during_walk[0] >= 1


def test_reading_early_observes_what_reading_after_the_walk_observes(
    spec: LandingZoneSpec, sessions: Sessions, apply: Any
) -> None:
    apply(spec, sessions)
    desired = desired_state(spec)
    early_reader, late_reader = _fresh(), _fresh()

    def early(on_listed: OnListed) -> ObservedState:
        return observe_organizations(early_reader, desired, on_listed)

    def late(on_listed: OnListed) -> ObservedState:
        del on_listed  # nothing starts before the walk is done
        return observe_organizations(late_reader, desired)

    started_early = observe_with_walk(early_reader, desired, early)
    started_late = observe_with_walk(late_reader, desired, late)
    assert started_early.fingerprint() == started_late.fingerprint()
    assert started_early.findings == started_late.findings
    assert any(r.type != ACCOUNT and r.location.account != MANAGEMENT for r in desired.resources)
