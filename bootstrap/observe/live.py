"""Observe live state for a desired state: the organization's walk, with every account-region read alongside it."""

from __future__ import annotations

from bootstrap.aws.session import Sessions
from bootstrap.observe.account_regions import observe_with_walk
from bootstrap.observe.organizations import OnListed, observe_organizations
from bootstrap.observed import ObservedState
from bootstrap.resources import DesiredState


def observe(sessions: Sessions, desired: DesiredState) -> ObservedState:
    sessions.client("organizations")  # first: the walk is the chain of round trips every member account waits on

    def walk(on_listed: OnListed) -> ObservedState:
        return observe_organizations(sessions, desired, on_listed)

    return observe_with_walk(sessions, desired, walk)
