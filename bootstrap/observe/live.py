"""Observe every layer the desired state has resources in."""

from __future__ import annotations

from bootstrap.aws.session import Sessions
from bootstrap.observe.logging import observe_logging
from bootstrap.observe.organizations import observe_organizations
from bootstrap.observe.state import ObservedState
from bootstrap.resources import DesiredState


def observe(sessions: Sessions, desired: DesiredState) -> ObservedState:
    state = ObservedState()
    state.merge(observe_organizations(sessions, desired))
    state.merge(observe_logging(sessions, desired, state))  # needs the member account ids found above
    return state
