"""The organization's IAM Identity Center instance (`Bootstrap::SSO::Instance`): found, never made.

The organization instance is enabled by hand in the console (choosing the identity source, connecting an
identity provider and requiring MFA are decisions for people: runbooks/identity-center.md). Until it exists, the
reader reports a `waiting` finding: nothing of the identity layer is planned, the rest of the plan stands.
"""

from __future__ import annotations

from typing import Any

from blueprints.identity import INSTANCE
from bootstrap.changes import WAITING, Change
from bootstrap.errors import AwsError, SafetyError
from bootstrap.observed import Finding, ObservedResource
from bootstrap.resources import Resource
from bootstrap.types.base import HandlerContext, Outputs, ReadScope, ResourceType, TypeRule
from bootstrap.types.pages import pages
from bootstrap.types.sso_common import instance

RUNBOOK = "runbooks/identity-center.md"
NOT_ENABLED = (
    "IAM Identity Center is not enabled for the organization in {region}: nothing of the identity layer is planned "
    "until it is. Enable the organization instance there, choose the identity source and require MFA "
    f"({RUNBOOK}), then plan again"
)


def read_instance(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    found = instance(scope)
    if found is None:
        for resource in resources:
            scope.findings.append(
                Finding(resource.address, NOT_ENABLED.format(region=resource.location.region), WAITING)
            )
        return {}
    return {
        r.address: ObservedResource(
            r.address,
            r.type,
            str(found["InstanceArn"]),
            {"Status": found.get("Status", "ACTIVE")},
            owned=True,  # the organization's own, used as it is: nothing of it is ever changed
            attributes={"InstanceArn": str(found["InstanceArn"]), "IdentityStoreId": str(found["IdentityStoreId"])},
        )
        for r in resources
    }


class InstanceHandler:
    """Never creates or changes the instance: the plan holds no change for it (see the module's docstring)."""

    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        found = pages(ctx.client("sso-admin", resource.location), "list_instances", "Instances")
        if not found:
            raise AwsError(NOT_ENABLED.format(region=resource.location.region), f"Follow {RUNBOOK}.")
        arn = str(found[0]["InstanceArn"])
        return Outputs(arn, {"InstanceArn": arn, "IdentityStoreId": str(found[0]["IdentityStoreId"])})

    update = create

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError(
            "the toolkit never disables IAM Identity Center", "Disable it in the console if you really mean to."
        )


TYPES = (
    ResourceType(
        INSTANCE,
        TypeRule(compared=("Status",), report_only=frozenset({"Status"}), deletable=False),
        InstanceHandler(),
        read_instance,
        read_actions=("sso:ListInstances",),
        write_actions=("sso:ListInstances",),
        service="sso-admin",
    ),
)
