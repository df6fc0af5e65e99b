"""Build the desired state of a spec: every blueprint's resources, in blueprint order."""

from __future__ import annotations

from dataclasses import replace

from blueprints import (
    account_baseline,
    accounts,
    billing,
    log_archive,
    network,
    network_baseline,
    organization,
    roles,
    trail,
)
from blueprints import identity as identity_blueprint
from blueprints.common import Blueprint
from bootstrap.names import BOOTSTRAP, ROLE_ADDRESS_PREFIX, role_logical_id
from bootstrap.resources import DesiredState, Resource
from bootstrap.spec.baseline import baseline_applies
from bootstrap.spec.identity_checks import identity_applies
from bootstrap.spec.log_archive import logging_enabled
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec
from bootstrap.spec.network_plan import VpcInstance

ROOT_TARGET = {"Fn::GetAtt": [organization.ORG_ID, "RootId"]}


def build_blueprints(spec: LandingZoneSpec, vpcs: list[VpcInstance] | None = None) -> list[Blueprint]:
    """Every blueprint of the spec, in the order the engine's resources are listed (the organization,
    then its accounts, then the landing zone's roles in them, then the layers built in those accounts: the
    baseline every account gets, logging, the network baseline, custom VPCs). `vpcs`: the VPC instances with
    their blocks as allocated against live state (`bootstrap.workflow`); by default, as in an empty organization."""
    blueprints = [organization.build(spec), *accounts.build(spec), *roles.build(spec)]
    if baseline_applies(spec.baseline):
        blueprints.append(account_baseline.build(spec))
    if logging_enabled(spec):
        blueprints += [log_archive.build(spec), trail.build(spec)]
    if network_baseline.network_baseline_applies(spec):
        blueprints.append(network_baseline.build(spec))
    if spec.network.vpcs:
        blueprints += network.build(spec, vpcs)
    if billing.billing_applies(spec):
        blueprints.append(billing.build(spec))
    if identity_applies(spec):
        blueprints += identity_blueprint.build(spec)
    return blueprints


def desired_state(spec: LandingZoneSpec, blueprints: list[Blueprint] | None = None) -> DesiredState:
    built = blueprints if blueprints is not None else build_blueprints(spec)
    resources = [_through_bootstrap_role(r) for bp in built for r in bp.resources]
    roles_ = tuple(r.logical_id for r in resources if r.address.startswith(ROLE_ADDRESS_PREFIX))
    return DesiredState(tuple(_after_roles(r, roles_) for r in resources))


def _after_roles(resource: Resource, role_ids: tuple[str, ...]) -> Resource:
    """The root's SCPs wait for the landing zone's roles: once `protect-landing-zone-roles` is attached
    there, only the bootstrap role may create them, and an adopted account is entered as
    OrganizationAccountAccessRole until its bootstrap role exists."""
    if resource.type != "AWS::Organizations::Policy" or ROOT_TARGET not in list(resource.properties["TargetIds"]):
        return resource
    return replace(resource, depends_on=(*resource.depends_on, *role_ids))


def _through_bootstrap_role(resource: Resource) -> Resource:
    """Everything in a member account waits for that account's bootstrap role: the toolkit enters an
    adopted account as OrganizationAccountAccessRole only until it has created the bootstrap role there,
    and KMS refuses a key policy that would not let the caller (then the bootstrap role) manage the key."""
    account = resource.location.account
    bootstrap = role_logical_id(BOOTSTRAP, account)
    if account == MANAGEMENT or resource.logical_id == bootstrap or bootstrap in resource.depends_on:
        return resource
    return replace(resource, depends_on=(*resource.depends_on, bootstrap))
