"""Handlers for AWS Organizations: the organization, root policy types, OUs, policies (SCPs, RCPs, the AI
services opt-out policy; the type comes from the desired `Type`) and accounts.

All are idempotent: "already exists", "already enabled", "already attached" count as success. Creating an
OU, a policy or an account takes no client token, so it is never repeated blindly (`bootstrap.types.once`),
and a conflict (a duplicate policy, an e-mail in use) is blamed on someone else only once the object is
found not to be the toolkit's. Accounts are never closed; the organization is never deleted. An OU or SCP
renamed in place keeps its id; its ownership tags are stamped again with its new address (`AddressTag`).
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code, with_retries
from bootstrap.aws.waiter import wait_for
from bootstrap.changes import Change
from bootstrap.errors import AwsError, SafetyError
from bootstrap.resources import ADDRESS_TAG, ADDRESS_TAG_PROPERTY, MANAGED_TAG, Location, Resource
from bootstrap.types.base import ClientFor, HandlerContext, Outputs
from bootstrap.types.once import create_once, no_blind_retry

_ACCOUNT_FAILURES = {
    "EMAIL_ALREADY_EXISTS": "another AWS account already uses this e-mail address; give the account another "
    "e-mail in the spec (accounts[].email or account_email_pattern), or adopt the account with accounts[].id",
    "ACCOUNT_LIMIT_EXCEEDED": "the organization has reached its account quota; ask AWS Support for more",
    "INVALID_EMAIL": "AWS rejected the e-mail address; fix it in the spec",
    "CONCURRENT_ACCOUNT_MODIFICATION": "another account operation was running; run apply again",
    "INTERNAL_FAILURE": "AWS failed internally; run apply again",
}


def _tags(props: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": t["Value"]} for t in props.get("Tags", [])]


def _client(ctx: HandlerContext, resource_or_change: Resource | Change) -> Any:
    return ctx.client("organizations", resource_or_change.location)


def _restamp(ctx: HandlerContext, client: Any, resource_id: str | None, props: dict[str, Any]) -> None:
    """Stamp the desired ownership tags again (after a rename); `tag_resource` overwrites those keys only,
    so tags others added stay."""
    with_retries(lambda: client.tag_resource(ResourceId=resource_id, Tags=_tags(props)), sleep=ctx.sleep)


def _root(client: Any) -> dict[str, Any]:
    return dict(client.list_roots()["Roots"][0])


def _ignore(err: ClientError, *codes: str) -> None:
    if error_code(err) not in codes:
        raise err


def tag(client: ClientFor, where: Location, object_id: str, tags: dict[str, str]) -> None:
    """Stamp tags on an OU or a policy (`bootstrap adopt`); `tag_resource` keeps tags of other keys."""
    client.client("organizations", where).tag_resource(
        ResourceId=object_id, Tags=[{"Key": k, "Value": v} for k, v in tags.items()]
    )


class OrganizationHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        client = _client(ctx, resource)
        try:
            org = client.create_organization(FeatureSet=props.get("FeatureSet", "ALL"))["Organization"]
        except ClientError as err:
            _ignore(err, "AlreadyInOrganizationException")
            org = client.describe_organization()["Organization"]
        root = _root(client)
        return Outputs(org["Id"], {"Id": org["Id"], "Arn": org["Arn"], "RootId": root["Id"]})

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        raise SafetyError(
            "the organization's feature set is never changed by the toolkit",
            "Enable all features in the Organizations console; it needs every member's approval.",
        )

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError("the toolkit never deletes the organization")


class RootPolicyTypesHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        client = _client(ctx, resource)
        root = _root(client)
        enabled = {p["Type"] for p in root.get("PolicyTypes", []) if p["Status"] == "ENABLED"}
        for policy_type in props["PolicyTypes"]:
            if policy_type in enabled:
                continue
            try:
                with_retries(
                    partial(client.enable_policy_type, RootId=root["Id"], PolicyType=policy_type), sleep=ctx.sleep
                )
            except ClientError as err:
                _ignore(err, "PolicyTypeAlreadyEnabledException")
        self._await_enabled(ctx, client, set(props["PolicyTypes"]))
        return Outputs(root["Id"])

    update = create

    def _await_enabled(self, ctx: HandlerContext, client: Any, wanted: set[str]) -> None:
        def enabled() -> set[str]:
            return {p["Type"] for p in _root(client).get("PolicyTypes", []) if p["Status"] == "ENABLED"}

        wait_for(
            lambda: True if wanted <= enabled() else None,
            timeout=ctx.wait_timeout,
            sleep=ctx.sleep,
            first_delay=2.0,
            max_delay=2.0,
            on_timeout=lambda: AwsError(
                f"policy types {sorted(wanted - enabled())} are still not enabled", "Run apply again in a few minutes."
            ),
        )

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError("the toolkit never disables policy types")


class OrganizationalUnitHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        client = _client(ctx, resource)
        no_blind_retry(client, "CreateOrganizationalUnit")

        def find() -> dict[str, Any] | None:
            pages = client.get_paginator("list_organizational_units_for_parent").paginate(ParentId=props["ParentId"])
            same = [o for page in pages for o in page["OrganizationalUnits"] if o["Name"] == props["Name"]]
            return dict(same[0]) if same else None

        try:
            ou = create_once(
                lambda: with_retries(
                    lambda: client.create_organizational_unit(
                        ParentId=props["ParentId"], Name=props["Name"], Tags=_tags(props)
                    ),
                    sleep=ctx.sleep,
                )["OrganizationalUnit"],
                find,
                what=f"the OU {resource.address}",
            )
        except ClientError as err:
            _ignore(err, "DuplicateOrganizationalUnitException")
            found = find()
            if found is None:
                raise AwsError(
                    f"AWS says an OU named {props['Name']} exists under {props['ParentId']}, but it cannot be found",
                    "Run apply again in a minute (Organizations may still be settling).",
                ) from None
            ou = found
        return Outputs(ou["Id"], {"Id": ou["Id"], "Arn": ou["Arn"]})

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        client = _client(ctx, resource)
        changed = {d.name for d in change.diffs}
        if "Name" in changed:
            with_retries(
                lambda: client.update_organizational_unit(OrganizationalUnitId=change.physical_id, Name=props["Name"]),
                sleep=ctx.sleep,
            )
        if ADDRESS_TAG_PROPERTY in changed:
            _restamp(ctx, client, change.physical_id, props)
        return Outputs(change.physical_id)

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        """Delete an empty OU. Emptiness is checked here too, not left to AWS alone: an endpoint that
        does not enforce it (the sandbox) would otherwise strand the accounts inside."""
        client = _client(ctx, change)
        try:
            occupied = _has_children(client, str(change.physical_id))
        except ClientError as err:
            _ignore(err, "ParentNotFoundException")
            return  # already gone
        if occupied:
            raise _not_empty(change)
        try:
            with_retries(
                lambda: client.delete_organizational_unit(OrganizationalUnitId=change.physical_id),
                sleep=ctx.sleep,
            )
        except ClientError as err:
            if error_code(err) == "OrganizationalUnitNotEmptyException":
                raise _not_empty(change) from None
            _ignore(err, "OrganizationalUnitNotFoundException")


def _has_children(client: Any, ou_id: str) -> bool:
    """Whether an OU holds any account or child OU (paged: a List call may return an empty first page)."""
    for operation, key in (
        ("list_accounts_for_parent", "Accounts"),
        ("list_organizational_units_for_parent", "OrganizationalUnits"),
    ):
        if any(page[key] for page in client.get_paginator(operation).paginate(ParentId=ou_id)):
            return True
    return False


def _not_empty(change: Change) -> AwsError:
    return AwsError(
        f"OU {change.address} ({change.physical_id}) is not empty, so it was not deleted",
        "Move its accounts and child OUs out (or add them to the spec), then apply again.",
    )


class PolicyHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        client = _client(ctx, resource)
        no_blind_retry(client, "CreatePolicy")
        try:
            policy = create_once(
                lambda: with_retries(
                    lambda: client.create_policy(
                        Content=_minified(props["Content"]),
                        Description=props.get("Description", ""),
                        Name=props["Name"],
                        Type=props["Type"],
                        Tags=_tags(props),
                    ),
                    sleep=ctx.sleep,
                )["Policy"]["PolicySummary"],
                lambda: _own_policy(client, props),
                what=f"the policy {resource.address}",
            )
        except ClientError as err:
            if error_code(err) != "DuplicatePolicyException":
                raise
            mine = _own_policy(client, props)  # made by a call of this toolkit whose answer was lost
            if mine is None:
                raise AwsError(
                    f"a {props['Type']} named {props['Name']} already exists and is not the toolkit's",
                    "Rename or delete that policy, or tag it bootstrap:managed=true to adopt it.",
                ) from None
            policy = mine
        for target in props.get("TargetIds", []):
            self._attach(ctx, client, policy["Id"], target, props["Type"])
        return Outputs(policy["Id"], {"Id": policy["Id"], "Arn": policy["Arn"]})

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        client = _client(ctx, resource)
        policy_id = change.physical_id
        changed = {d.name for d in change.diffs}
        if changed & {"Content", "Name", "Description"}:
            with_retries(
                lambda: client.update_policy(
                    PolicyId=policy_id,
                    Name=props["Name"],
                    Description=props.get("Description", ""),
                    Content=_minified(props["Content"]),
                ),
                sleep=ctx.sleep,
            )
        if ADDRESS_TAG_PROPERTY in changed:
            _restamp(ctx, client, policy_id, props)
        if "TargetIds" in changed:
            before = set((change.before or {}).get("TargetIds", []))
            after = set(props.get("TargetIds", []))
            for target in sorted(after - before):
                self._attach(ctx, client, policy_id, target, props["Type"])
            for target in sorted(before - after):
                self._detach(ctx, client, policy_id, target)
        return Outputs(policy_id)

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        client = _client(ctx, change)
        pages = client.get_paginator("list_targets_for_policy").paginate(PolicyId=change.physical_id)
        for target in [t["TargetId"] for page in pages for t in page["Targets"]]:
            self._detach(ctx, client, change.physical_id, target)
        try:
            with_retries(lambda: client.delete_policy(PolicyId=change.physical_id), sleep=ctx.sleep)
        except ClientError as err:
            _ignore(err, "PolicyNotFoundException")

    @staticmethod
    def _attach(ctx: HandlerContext, client: Any, policy_id: str | None, target: str, policy_type: str) -> None:
        try:
            with_retries(lambda: client.attach_policy(PolicyId=policy_id, TargetId=target), sleep=ctx.sleep)
        except ClientError as err:
            if error_code(err) == "ConstraintViolationException":
                raise AwsError(
                    f"cannot attach {policy_id} to {target}: {err.response['Error'].get('Message')}",
                    f"The target has too many policies of type {policy_type} attached; detach one it does not need.",
                ) from None
            _ignore(err, "DuplicatePolicyAttachmentException")

    @staticmethod
    def _detach(ctx: HandlerContext, client: Any, policy_id: str | None, target: str) -> None:
        try:
            with_retries(lambda: client.detach_policy(PolicyId=policy_id, TargetId=target), sleep=ctx.sleep)
        except ClientError as err:
            _ignore(err, "PolicyNotAttachedException", "TargetNotFoundException")


class AccountHandler:
    def create(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        """The creation request is journaled, and a resumed run waits for the request an interrupted one
        made (the plan's `pending`, or the journal's note) instead of making another."""
        client = _client(ctx, resource)
        no_blind_retry(client, "CreateAccount")
        noted = ctx.resumed(change.address).get("create_account_request")
        request_id = change.pending or (str(noted) if noted else None)
        if request_id is None:
            status = create_once(
                lambda: with_retries(
                    lambda: client.create_account(
                        Email=props["Email"],
                        AccountName=props["AccountName"],
                        Tags=_tags(props),
                        **({"RoleName": props["RoleName"]} if props.get("RoleName") else {}),
                    ),
                    sleep=ctx.sleep,
                )["CreateAccountStatus"],
                lambda: _account_request(client, props),
                what=f"the account {change.address}",
            )
            request_id = status["Id"]
            ctx.journal.record(change.address, create_account_request=request_id)
        account_id = self._await(ctx, client, request_id, props)
        root_id = _root(client)["Id"]
        target = props["ParentIds"][0]
        if target != root_id:
            self._move(ctx, client, account_id, root_id, target)
        # SUCCEEDED comes minutes before the account can be entered; what follows in it must not fail.
        ctx.sessions.wait_usable(account_id, timeout=ctx.wait_timeout, sleep=ctx.sleep)
        return Outputs(account_id, {"AccountId": account_id})

    def update(self, ctx: HandlerContext, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        client = _client(ctx, resource)
        source = ((change.before or {}).get("ParentIds") or [None])[0]
        if source is None:
            source = client.list_parents(ChildId=change.physical_id)["Parents"][0]["Id"]
        self._move(ctx, client, change.physical_id, source, props["ParentIds"][0])
        return Outputs(change.physical_id, {"AccountId": str(change.physical_id)})

    def delete(self, ctx: HandlerContext, change: Change) -> None:
        raise SafetyError("the toolkit never closes accounts", "Close accounts by hand if you really mean to.")

    @staticmethod
    def _move(ctx: HandlerContext, client: Any, account_id: str | None, source: str, target: str) -> None:
        try:
            with_retries(
                lambda: client.move_account(AccountId=account_id, SourceParentId=source, DestinationParentId=target),
                sleep=ctx.sleep,
            )
        except ClientError as err:
            _ignore(err, "DuplicateAccountException")

    @staticmethod
    def _await(ctx: HandlerContext, client: Any, request_id: str, props: dict[str, Any]) -> str:
        def created() -> str | None:
            status = client.describe_create_account_status(CreateAccountRequestId=request_id)["CreateAccountStatus"]
            if status["State"] == "FAILED":
                reason = status.get("FailureReason", "UNKNOWN")
                existing = _account_by_email(client, props["Email"]) if reason == "EMAIL_ALREADY_EXISTS" else None
                if existing is not None:  # the spec's account (matched by e-mail), made by a repeated request
                    return existing
                raise AwsError(
                    f"AWS refused to create account {props['AccountName']} <{props['Email']}>: {reason}",
                    _ACCOUNT_FAILURES.get(reason, "See the Organizations console for details, fix, apply again."),
                )
            return str(status["AccountId"]) if status["State"] == "SUCCEEDED" else None

        return wait_for(
            created,
            timeout=ctx.wait_timeout,
            sleep=ctx.sleep,
            on_timeout=lambda: AwsError(
                f"account {props['AccountName']} is still being created (request {request_id})",
                "Run apply again later: it waits for this request instead of creating another.",
            ),
        )


def _account_request(client: Any, props: dict[str, Any]) -> dict[str, Any] | None:
    """The latest creation request for this account name still under way or done, if any."""
    pages = client.get_paginator("list_create_account_status").paginate(States=["IN_PROGRESS", "SUCCEEDED"])
    requests: list[dict[str, Any]] = [
        s for page in pages for s in page["CreateAccountStatuses"] if s["AccountName"] == props["AccountName"]
    ]
    requests.sort(key=lambda s: str(s.get("RequestedTimestamp", "")))
    return requests[-1] if requests else None


def _account_by_email(client: Any, email: str) -> str | None:
    """The organization's account with this e-mail: the spec's account, by the toolkit's own matching rule."""
    pages = client.get_paginator("list_accounts").paginate()
    found = [a["Id"] for page in pages for a in page["Accounts"] if str(a["Email"]).lower() == email.lower()]
    return str(found[0]) if found else None


def _own_policy(client: Any, props: dict[str, Any]) -> dict[str, Any] | None:
    """The policy of this name and type, if it carries the toolkit's tags for this address."""
    pages = client.get_paginator("list_policies").paginate(Filter=props["Type"])
    named = [p for page in pages for p in page["Policies"] if p["Name"] == props["Name"]]
    wanted = {t["Key"]: t["Value"] for t in _tags(props)}
    for summary in named:
        tags = {t["Key"]: t["Value"] for t in client.list_tags_for_resource(ResourceId=summary["Id"])["Tags"]}
        if tags.get(MANAGED_TAG) == "true" and tags.get(ADDRESS_TAG) == wanted.get(ADDRESS_TAG):
            return dict(summary)
    return None


def _minified(content: Any) -> str:
    return content if isinstance(content, str) else json.dumps(content, separators=(",", ":"))
