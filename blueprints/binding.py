"""Templates that stand alone per account, resources the engine can resolve across accounts.

A blueprint's template is one stack in one account: what lives elsewhere (the organization id, a key in
another account) enters it as a Parameter, and its own account and region as pseudo parameters
(`AWS::AccountId`). The engine applies every blueprint together, so `add_bound` rewrites those names in
the engine's copy of a resource into what the planner resolves: a literal, or a `Fn::GetAtt` of the
resource that produces the value (an account, a key). The rewritten references also order the apply:
a resource naming an account's id waits for that account to exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from troposphere import AWS_ACCOUNT_ID, AWS_PARTITION, AWS_REGION, Join, Ref

from blueprints.common import Blueprint
from bootstrap.names import account_logical_id
from bootstrap.resources import Location
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec

MEMBER_ACCESS_ROLE = "OrganizationAccountAccessRole"
"""The role the toolkit assumes in member accounts (`bootstrap.aws.session.MEMBER_ROLE`, not imported
here because blueprints stay free of boto3)."""

Bindings = Mapping[str, Any]


def account_id_value(spec: LandingZoneSpec, name: str) -> Any:
    """An account's id as the engine resolves it: literal for the management account (the spec pins it),
    the member account's `AccountId` attribute otherwise (known once the account exists)."""
    if name == MANAGEMENT:
        return spec.organization.management_account_id
    return {"Fn::GetAtt": [account_logical_id(name), "AccountId"]}


def location_bindings(spec: LandingZoneSpec, location: Location, **parameters: Any) -> dict[str, Any]:
    """Pseudo parameters of a stack at `location`, plus the template's own parameters."""
    return {
        "AWS::AccountId": account_id_value(spec, location.account),
        "AWS::Region": location.region,
        "AWS::Partition": "aws",
        **parameters,
    }


def engine_dependencies(location: Location) -> tuple[str, ...]:
    """Everything in a member account waits for that account to be created."""
    return () if location.account == MANAGEMENT else (account_logical_id(location.account),)


def bind(value: Any, bindings: Bindings) -> Any:
    """`value` with each `{"Ref": name}` whose name is bound replaced by its binding."""
    if isinstance(value, Mapping):
        if set(value) == {"Ref"} and value["Ref"] in bindings:
            return bindings[value["Ref"]]
        return {k: bind(v, bindings) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [bind(v, bindings) for v in value]
    return value


def add_bound(
    bp: Blueprint,
    obj: Any,
    *,
    bindings: Bindings,
    address: str,
    location: Location,
    protected: bool = False,
    engine_depends_on: tuple[str, ...] = (),
    import_id: str | None = None,
) -> Any:
    """`Blueprint.add`, with the engine's copy of the properties bound (the template keeps its Refs)."""
    bp.add(
        obj,
        address=address,
        location=location,
        protected=protected,
        engine_depends_on=(*engine_dependencies(location), *engine_depends_on),
        import_id=import_id,
    )
    added = bp.resources[-1]
    bp.resources[-1] = replace(added, properties=bind(dict(added.properties), bindings))
    return obj


def arn(*parts: Any) -> Join:
    """An ARN joined from literal parts and references."""
    return Join("", list(parts))


def iam_arn(account: Any, resource: str) -> Join:
    return arn("arn:", Ref(AWS_PARTITION), ":iam::", account, f":{resource}")


ACCOUNT = Ref(AWS_ACCOUNT_ID)
REGION = Ref(AWS_REGION)
PARTITION = Ref(AWS_PARTITION)
