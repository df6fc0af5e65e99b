"""Build the desired state of a spec: every blueprint's resources, in blueprint order."""

from __future__ import annotations

from blueprints import log_archive, organization, trail
from blueprints.common import Blueprint
from bootstrap.resources import DesiredState
from bootstrap.spec.log_archive import logging_enabled
from bootstrap.spec.model import LandingZoneSpec


def build_blueprints(spec: LandingZoneSpec) -> list[Blueprint]:
    blueprints = [organization.build(spec)]
    if logging_enabled(spec):
        blueprints += [log_archive.build(spec), trail.build(spec)]
    return blueprints


def desired_state(spec: LandingZoneSpec, blueprints: list[Blueprint] | None = None) -> DesiredState:
    built = blueprints if blueprints is not None else build_blueprints(spec)
    return DesiredState(tuple(r for bp in built for r in bp.resources))
