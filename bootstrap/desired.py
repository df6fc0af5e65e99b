"""Build the desired state of a spec: every blueprint's resources, in blueprint order."""

from __future__ import annotations

from blueprints import account_baseline, accounts, log_archive, organization, trail
from blueprints.common import Blueprint
from bootstrap.resources import DesiredState
from bootstrap.spec.baseline import baseline_applies
from bootstrap.spec.log_archive import logging_enabled
from bootstrap.spec.model import LandingZoneSpec


def build_blueprints(spec: LandingZoneSpec) -> list[Blueprint]:
    """Every blueprint of the spec, in the order the engine's resources are listed (the organization,
    then its accounts, then the layers built in those accounts: the baseline every account gets, logging)."""
    blueprints = [organization.build(spec), *accounts.build(spec)]
    if baseline_applies(spec.baseline):
        blueprints.append(account_baseline.build(spec))
    if logging_enabled(spec):
        blueprints += [log_archive.build(spec), trail.build(spec)]
    return blueprints


def desired_state(spec: LandingZoneSpec, blueprints: list[Blueprint] | None = None) -> DesiredState:
    built = blueprints if blueprints is not None else build_blueprints(spec)
    return DesiredState(tuple(r for bp in built for r in bp.resources))
