"""The accounts blueprints: member accounts, in templates of at most 400 accounts each.

CloudFormation (and troposphere) refuse a template of more than 500 resources, so accounts do not share
the organization template: they fill `accounts`, then `accounts-2`, `accounts-3`, ... Each template
stands alone, as the logging templates do (`blueprints/binding.py`): the OUs it places accounts in, and
the root, enter it as Parameters (`ParentIdSecurity`, `RootId`). The engine's copy of each account is
bound to the organization blueprint's OUs (`{"Ref": "OuSecurity"}`), exactly as when accounts lived in
that template: an account still waits for its OU, and the plan is the same.
"""

from __future__ import annotations

from collections.abc import Iterator

from troposphere import Parameter, Ref, Template
from troposphere.organizations import Account

from blueprints.binding import add_bound, location_bindings
from blueprints.common import Blueprint, tags
from blueprints.organization import ORGANIZATIONS, parent_id_value
from bootstrap.names import account_address, account_logical_id, logical_id, ou_logical_id
from bootstrap.spec.model import ROOT, AccountSpec, LandingZoneSpec

NAME = "accounts"
ACCOUNTS_PER_TEMPLATE = 400
"""Below CloudFormation's 500 resources per template, with room for what a reviewer may add."""
MAX_PARAMETERS = 200
"""CloudFormation's quota of Parameters per template: one per distinct parent of the template's accounts."""

_ROOT_ID = r"^r-[0-9a-z]{4,32}$"
_OU_ID = r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$"


def blueprint_name(number: int) -> str:
    """`accounts` for the first template, `accounts-2`, `accounts-3`, ... after it."""
    return NAME if number == 1 else f"{NAME}-{number}"


def parent_parameter(ou: str) -> str:
    """The Parameter that carries the id of an account's parent: `RootId`, or `ParentId<OU path>`."""
    return "RootId" if ou == ROOT else logical_id("ParentId", ou)


def chunks(accounts: list[AccountSpec]) -> Iterator[list[AccountSpec]]:
    """The spec's accounts in order, cut into templates: a new one when the current one has
    `ACCOUNTS_PER_TEMPLATE` accounts, or would need more than `MAX_PARAMETERS` parents."""
    chunk: list[AccountSpec] = []
    parents: set[str] = set()
    for account in accounts:
        new_parent = account.ou not in parents
        if len(chunk) == ACCOUNTS_PER_TEMPLATE or (new_parent and len(parents) == MAX_PARAMETERS):
            yield chunk
            chunk, parents = [], set()
        chunk.append(account)
        parents.add(account.ou)
    if chunk:
        yield chunk


def build(spec: LandingZoneSpec) -> list[Blueprint]:
    """One blueprint per chunk of accounts; none when the spec has no member account."""
    parts = list(chunks(spec.accounts))
    return [_build_one(spec, chunk, number, len(parts)) for number, chunk in enumerate(parts, start=1)]


def _build_one(spec: LandingZoneSpec, accounts: list[AccountSpec], number: int, total: int) -> Blueprint:
    part = f" (part {number} of {total})" if total > 1 else ""
    template = Template(
        Description=f"Landing zone '{spec.organization.name}': member accounts{part}. Deploy in the management "
        "account after the organization template, passing the ids of its root and OUs as parameters.",
    )
    bp = Blueprint(blueprint_name(number), template)
    bound: dict[str, object] = {}
    for ou in sorted({a.ou for a in accounts}):
        name = parent_parameter(ou)
        described = (
            "the organization root" if ou == ROOT else f"the OU {ou} (organization template: {ou_logical_id(ou)})"
        )
        template.add_parameter(
            Parameter(
                name,
                Type="String",
                Description=f"Id of {described}.",
                AllowedPattern=_ROOT_ID if ou == ROOT else _OU_ID,
            )
        )
        bound[name] = parent_id_value(ou)
    bindings = location_bindings(spec, ORGANIZATIONS, **bound)
    for account in accounts:
        add_bound(
            bp,
            Account(
                account_logical_id(account.name),
                AccountName=account.name,
                Email=spec.account_email(account),
                ParentIds=[Ref(parent_parameter(account.ou))],
                Tags=tags(account_address(account.name)),
                # The role AWS creates in a new account: the toolkit's own, which every guardrail exempts.
                RoleName=spec.organization.bootstrap_role,
            ),
            bindings=bindings,
            address=account_address(account.name),
            location=ORGANIZATIONS,
            protected=True,
            import_id=account.id,
        )
    return bp
