"""The one registry of resource types, built from the modules of `bootstrap.types`.

The order is the order readers run in within an account-region (keys before what they encrypt, buckets before
their policies, topics before their policies and subscriptions). The observer, the planner, the apply engine and
`bootstrap permissions` all look types up here; `tests/unit/test_type_registry.py` checks that every type the
blueprints can emit is registered with every part.
"""

from __future__ import annotations

from collections.abc import Mapping

from bootstrap.types import (
    account_contacts,
    budgets,
    ce,
    cloudtrail,
    cloudwatch,
    ec2_default_vpc,
    ec2_ebs,
    ec2_flow_logs,
    ec2_metadata,
    ec2_nat,
    ec2_routes,
    ec2_subnets,
    ec2_vpc,
    iam,
    iam_password,
    iam_root_access,
    identitystore_group,
    kms,
    logs,
    organizations,
    s3,
    s3control,
    sns,
    sso_assignment,
    sso_instance,
    sso_permission_set,
)
from bootstrap.types.base import Handler, ResourceType, TypeRule

_MODULES = (
    *(organizations, kms, s3, cloudtrail, logs, cloudwatch, iam, sns, s3control),
    *(ec2_default_vpc, ec2_ebs),
    *(budgets, ce),
    *(iam_password, iam_root_access, account_contacts, ec2_metadata),  # the account baseline's other settings
    *(ec2_vpc, ec2_subnets, ec2_routes, ec2_nat, ec2_flow_logs),  # VPCs first: their parts' readers look them up
    *(sso_instance, sso_permission_set, identitystore_group, sso_assignment),  # the instance before what is in it
)


def _build() -> dict[str, ResourceType]:
    types: dict[str, ResourceType] = {}
    for module in _MODULES:
        for type_ in module.TYPES:
            if type_.name in types:
                raise ValueError(f"resource type {type_.name} is registered twice")
            types[type_.name] = type_
    return types


TYPES: Mapping[str, ResourceType] = _build()


class UnknownTypeError(KeyError):
    """A resource type the engine does not know: a blueprint emitted a type no module describes."""


def type_for(name: str) -> ResourceType:
    try:
        return TYPES[name]
    except KeyError:
        raise UnknownTypeError(f"no module of bootstrap.types describes the resource type {name}") from None


def rule_for(name: str) -> TypeRule:
    return type_for(name).rule


def handler_for(name: str) -> Handler:
    return type_for(name).handler
