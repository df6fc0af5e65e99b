"""Which handler applies which resource type. Explicit, so an unknown type fails loudly."""

from __future__ import annotations

from bootstrap.apply.context import Handler
from bootstrap.apply.handlers import organizations as org

HANDLERS: dict[str, Handler] = {
    "AWS::Organizations::Organization": org.OrganizationHandler(),
    "Bootstrap::Organizations::RootPolicyTypes": org.RootPolicyTypesHandler(),
    "AWS::Organizations::OrganizationalUnit": org.OrganizationalUnitHandler(),
    "AWS::Organizations::Policy": org.PolicyHandler(),
    "AWS::Organizations::Account": org.AccountHandler(),
}


def handler_for(type_: str) -> Handler:
    try:
        return HANDLERS[type_]
    except KeyError:
        raise KeyError(f"no handler for resource type {type_}") from None
