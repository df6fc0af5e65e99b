"""The account baseline's alternate contacts (`Bootstrap::Account::AlternateContacts`): how they are read,
compared, changed, and the IAM actions that takes.

One resource per account holds its security, billing and operations contacts (those the spec sets). They are read
and written from the management account through Account Management, naming a member account by `AccountId`
(which needs the organization's trusted access for `account.amazonaws.com`, a change of its own that comes
first); the management account's own contacts are read and written without `AccountId` (AWS refuses its own id).

Reading: one `GetAlternateContact` per contact type the spec sets, at once (AWS has no call that lists them). A
type that is not set answers `ResourceNotFoundException`: that contact is absent. Before trusted access is
enabled, a member account's contacts cannot be read from the management account (`AccessDeniedException`): they
are planned as to be set, and the plan says why they were not read. Changing: `PutAlternateContact` per contact
that differs. The toolkit never deletes a contact: a contact the spec drops is left as it is.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from blueprints.account_baseline import CONTACT_PROPERTIES
from bootstrap.aws.retry import error_code, with_retries
from bootstrap.changes import Change
from bootstrap.errors import SafetyError
from bootstrap.names import ACCOUNT_PRINCIPAL
from bootstrap.observed import Finding, ObservedResource
from bootstrap.resources import Location, Resource
from bootstrap.spec.model import MANAGEMENT
from bootstrap.types.base import HandlerContext, Outputs, ReadScope, ResourceType, TypeRule
from bootstrap.types.mapping import FieldMap

ALTERNATE_CONTACTS = "Bootstrap::Account::AlternateContacts"
ABSENT = "ResourceNotFoundException"
NOT_YET_ALLOWED = ("AccessDeniedException",)
"""What reading a member account's contacts answers before trusted access for Account Management is enabled."""
CONTACT = FieldMap.of(
    ("Name", "Name"), ("Title", "Title"), ("EmailAddress", "EmailAddress"), ("PhoneNumber", "PhoneNumber")
)
KINDS = tuple(CONTACT_PROPERTIES.values())
"""The resource's properties, one per contact type: `Security` is AWS's `SECURITY`."""


def _by_id(account_id: str | None) -> dict[str, str]:
    """`AccountId` for a member account; nothing for the management account (AWS refuses its own id there)."""
    return {} if account_id is None else {"AccountId": account_id}


def _contact(account: Any, account_id: str | None, kind: str) -> dict[str, str] | None:
    try:
        answer = account.get_alternate_contact(AlternateContactType=kind.upper(), **_by_id(account_id))
    except ClientError as err:
        if error_code(err) == ABSENT:
            return None
        raise
    return {k: str(v) for k, v in CONTACT.to_cfn(answer["AlternateContact"]).items()}


def read_alternate_contacts(scope: ReadScope, resources: list[Resource]) -> dict[str, ObservedResource]:
    """Every contact type the account's resource sets, read at once from the management account."""
    account = scope.management_client("account")
    member = None if scope.location.account == MANAGEMENT else scope.account_id
    found = {}
    for resource in resources:
        kinds = [k for k in KINDS if k in resource.properties]
        try:
            answers = scope.gather([partial(_contact, account, member, kind) for kind in kinds])
        except ClientError as err:
            if error_code(err) not in NOT_YET_ALLOWED or member is None:
                raise
            scope.findings.append(
                Finding(
                    resource.address,
                    "not read: the management account may read a member account's alternate contacts once "
                    f"trusted access for {ACCOUNT_PRINCIPAL} is enabled (planned first); planned as to be set",
                )
            )
            continue
        properties: dict[str, Any] = {kind: answer for kind, answer in zip(kinds, answers, strict=True)}
        if member is not None:
            properties["AccountId"] = member
        found[resource.address] = ObservedResource(
            resource.address, resource.type, scope.account_id or scope.location.account, properties, owned=True
        )
    return found


class AlternateContactsHandler:
    """Puts each contact that differs (all of them on a create), from the management account."""

    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        account = ctx.client("account", Location(MANAGEMENT, resource.location.region))
        member = props.get("AccountId")
        member_id = None if member is None else str(member)
        changed = {d.name for d in change.diffs} if change.diffs else set(KINDS)
        for kind in KINDS:
            if kind in props and kind in changed:
                self._put(ctx, account, kind, {**CONTACT.to_api(props[kind]), **_by_id(member_id)})
        return Outputs(member_id or resource.location.account)

    update = create

    @staticmethod
    def _put(ctx: HandlerContext, account: Any, kind: str, arguments: dict[str, str]) -> None:
        with_retries(
            lambda: account.put_alternate_contact(AlternateContactType=kind.upper(), **arguments), sleep=ctx.sleep
        )

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError(
            f"the toolkit never deletes an account's alternate contacts ({change.address})",
            "Revert the spec change; without them AWS's security notices reach only the root e-mail address.",
        )


def _contact_removed(before: Any, after: Any) -> bool:
    return bool(before) and not after


TYPES = (
    ResourceType(
        ALTERNATE_CONTACTS,
        TypeRule(compared=KINDS, deletable=False, weakens=dict.fromkeys(KINDS, _contact_removed)),
        AlternateContactsHandler(),
        read_alternate_contacts,
        read_actions=("account:GetAlternateContact",),
        write_actions=("account:PutAlternateContact",),
        service="account",
    ),
)
