"""Observe live state for a desired state: the organization's walk, then every account-region."""

from __future__ import annotations

from bootstrap.aws.session import Sessions
from bootstrap.observe.organizations import observe_organizations
from bootstrap.observe.scope import observe_account_regions
from bootstrap.observed import ObservedState
from bootstrap.resources import DesiredState


def observe(sessions: Sessions, desired: DesiredState) -> ObservedState:
    state = ObservedState()
    state.merge(observe_organizations(sessions, desired))
    # needs the member account ids the walk found
    state.merge(observe_account_regions(sessions, desired, state))
    return state
