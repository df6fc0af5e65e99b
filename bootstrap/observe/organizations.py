"""Observe AWS Organizations in bulk: the organization, root policy types, the OU tree, SCPs, accounts.

Calls for an organization of N accounts and K OUs: about K (OU tree) + N/20 (accounts, 20 a page)
+ K (tags and attached policies of OUs) + 3 per owned SCP. Account tags are never read one by one:
accounts are matched to the spec by id, e-mail or name.

OUs and SCPs are matched to a desired resource by its address (ownership tag first, then path or name),
else by one of its former addresses (an OU renamed in the spec with `renamed_from`, its descendants and
their SCPs): the plan then renames the object in place. Owned ones report their address tag as the
property `AddressTag`, so that a stale tag (left by a rename) shows in the plan and is stamped again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from blueprints.organization import ou_address, policy_address
from bootstrap.aws.retry import error_code
from bootstrap.aws.session import Sessions
from bootstrap.observe.state import Finding, ObservedResource, ObservedState
from bootstrap.resources import ADDRESS_TAG, ADDRESS_TAG_PROPERTY, MANAGED_TAG, DesiredState, Resource

ORG = "AWS::Organizations::Organization"
POLICY_TYPES = "Bootstrap::Organizations::RootPolicyTypes"
OU = "AWS::Organizations::OrganizationalUnit"
SCP = "AWS::Organizations::Policy"
ACCOUNT = "AWS::Organizations::Account"
ROOT_ADDRESS = "organizations/root"
"""Where the root's attachment slots are counted (`ObservedState.unmanaged_attachments`)."""


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page[key]


def _tags(client: Any, resource_id: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in _pages(client, "list_tags_for_resource", "Tags", ResourceId=resource_id)}


def observe_organizations(sessions: Sessions, desired: DesiredState) -> ObservedState:
    client = sessions.client("organizations")
    state = ObservedState()
    try:
        org = client.describe_organization()["Organization"]
    except ClientError as err:
        if error_code(err) == "AWSOrganizationsNotInUseException":
            return state  # nothing exists yet: everything will be created
        raise
    root = next(_pages(client, "list_roots", "Roots"))
    root_id = root["Id"]
    enabled = sorted(p["Type"] for p in root.get("PolicyTypes", []) if p["Status"] == "ENABLED")
    for r in desired.of_type(ORG):
        state.resources[r.address] = ObservedResource(
            r.address,
            ORG,
            org["Id"],
            {"FeatureSet": org["FeatureSet"]},
            owned=False,
            attributes={"RootId": root_id, "Id": org["Id"], "Arn": org["Arn"]},
        )
    for r in desired.of_type(POLICY_TYPES):
        # Only the types the spec asks for: other enabled types (tag, backup policies) are someone else's.
        wanted = set(r.properties.get("PolicyTypes", []))
        ours = [t for t in enabled if t in wanted]
        state.resources[r.address] = ObservedResource(
            r.address, POLICY_TYPES, root_id, {"RootId": root_id, "PolicyTypes": ours}, owned=False
        )
    ou_paths = _observe_ous(client, root_id, desired, state)
    _observe_accounts(client, root_id, ou_paths, desired, state)
    # Policies outlive their type being disabled on the root (AWS only detaches them), so they are read
    # either way: otherwise the plan would try to create policies that already exist.
    _observe_policies(client, root_id, desired, state, scp_enabled="SERVICE_CONTROL_POLICY" in enabled)
    return state


def _observe_ous(client: Any, root_id: str, desired: DesiredState, state: ObservedState) -> dict[str, str]:
    """Walk the OU tree; return OU id -> path. Match desired OUs by ownership tag, then by path."""
    paths: dict[str, str] = {}
    found: list[tuple[str, dict[str, Any], str]] = []
    queue = [(root_id, "")]
    while queue:
        parent_id, parent_path = queue.pop(0)
        for ou in _pages(client, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent_id):
            path = f"{parent_path}/{ou['Name']}" if parent_path else ou["Name"]
            paths[ou["Id"]] = path
            found.append((parent_id, ou, path))
            queue.append((ou["Id"], path))
    by_tag: dict[str, ObservedResource] = {}
    by_path: dict[str, ObservedResource] = {}
    for parent_id, ou, path in found:
        tags = _tags(client, ou["Id"])  # read for every OU: one renamed by someone else is found by its tag
        owned = tags.get(MANAGED_TAG) == "true"
        address = tags.get(ADDRESS_TAG, "") if owned else ""
        properties: dict[str, Any] = {"Name": ou["Name"], "ParentId": parent_id}
        if owned:
            properties[ADDRESS_TAG_PROPERTY] = address or None
        observed = ObservedResource(address or ou_address(path), OU, ou["Id"], properties, owned)
        if address:
            by_tag[address] = observed
        by_path[ou_address(path)] = observed
    for r, match in _match(desired.of_type(OU), by_tag, by_path).items():
        state.resources[r.address] = ObservedResource(r.address, OU, match.physical_id, match.properties, match.owned)
    claimed = {r.physical_id for r in state.resources.values() if r.type == OU}
    for address, observed in by_tag.items():
        if observed.physical_id not in claimed:
            state.orphans[address] = observed
    return paths


def _match(wanted: list[Resource], *indexes: dict[str, ObservedResource]) -> dict[Resource, ObservedResource]:
    """Pair desired resources with live objects: each index (by tag, then by path or name) is searched
    for every resource's address first, and only then for former addresses, so that a live object at a
    resource's own address is never taken by another resource's rename. A live object is paired once."""
    pairs: dict[Resource, ObservedResource] = {}
    taken: set[str | None] = set()
    for renamed in (False, True):
        for index in indexes:
            for r in wanted:
                if r in pairs:
                    continue
                for address in r.former_addresses if renamed else (r.address,):
                    match = index.get(address)
                    if match is not None and match.physical_id not in taken:
                        pairs[r] = match
                        taken.add(match.physical_id)
                        break
    return pairs


def _observe_accounts(
    client: Any, root_id: str, ou_paths: dict[str, str], desired: DesiredState, state: ObservedState
) -> None:
    accounts: dict[str, tuple[dict[str, Any], str]] = {}
    for parent_id in [root_id, *ou_paths]:
        for account in _pages(client, "list_accounts_for_parent", "Accounts", ParentId=parent_id):
            accounts[account["Id"]] = (account, parent_id)
    by_email = {a["Email"].lower(): a["Id"] for a, _ in accounts.values()}
    by_name: dict[str, list[dict[str, Any]]] = {}
    for account, _ in accounts.values():
        by_name.setdefault(account["Name"], []).append(account)
    creating = {
        s["AccountName"]: s["Id"]
        for s in _pages(client, "list_create_account_status", "CreateAccountStatuses", States=["IN_PROGRESS"])
    }
    matched: set[str] = set()
    for r in desired.of_type(ACCOUNT):
        props = r.properties
        # By id or e-mail only: names are not unique, and moving the wrong account under guardrails is harm.
        account_id = r.import_id or by_email.get(str(props["Email"]).lower())
        namesakes = by_name.get(str(props["AccountName"]), [])
        if account_id is None and namesakes:
            found = ", ".join(f"{a['Id']} <{a['Email']}>" for a in namesakes)
            state.findings.append(
                Finding(
                    r.address,
                    f"no account has the spec's e-mail {props['Email']}, but an account with this name exists "
                    f"({found}). To adopt it, set its `id:` in the spec; to create a new one, give it another name",
                    "error",
                )
            )
            continue
        if account_id and account_id in accounts:
            account, parent = accounts[account_id]
            matched.add(account_id)
            if account["Status"] != "ACTIVE":
                state.findings.append(Finding(r.address, f"account {account_id} is {account['Status']}", "warning"))
            state.resources[r.address] = ObservedResource(
                r.address,
                ACCOUNT,
                account_id,
                {"AccountName": account["Name"], "Email": account["Email"], "ParentIds": [parent]},
                owned=True,
                attributes={"AccountId": account_id},
            )
        elif str(props["AccountName"]) in creating:
            state.resources[r.address] = ObservedResource(
                r.address, ACCOUNT, None, {}, owned=True, pending=creating[str(props["AccountName"])]
            )
        elif r.import_id:
            state.findings.append(
                Finding(r.address, f"account {r.import_id} named in the spec is not in this organization", "error")
            )
    others = len(accounts) - len(matched) - 1  # the management account is never in the spec
    if others > 0:
        state.findings.append(
            Finding(
                "organizations/accounts",
                f"{others} account(s) in the organization are not in the spec; they are left alone",
            )
        )


def _observe_policies(
    client: Any, root_id: str, desired: DesiredState, state: ObservedState, *, scp_enabled: bool
) -> None:
    """Customer-managed SCPs: tags tell the toolkit's own (an organization has tens, not thousands).

    Attachment slots are counted only while SCPs are enabled: with the type disabled nothing is attached.
    """
    wanted = {str(r.properties["Name"]): r for r in desired.of_type(SCP)}
    ou_addresses = {r.physical_id: a for a, r in state.resources.items() if r.type == OU}
    owned_ids: set[str] = set()
    owned_policies: list[ObservedResource] = []
    by_tag: dict[str, ObservedResource] = {}
    by_name: dict[str, ObservedResource] = {}
    for summary in _pages(client, "list_policies", "Policies", Filter="SERVICE_CONTROL_POLICY"):
        name = summary["Name"]
        if summary.get("AwsManaged"):
            continue
        tags = _tags(client, summary["Id"])
        owned = tags.get(MANAGED_TAG) == "true"
        address = tags.get(ADDRESS_TAG) or policy_address(name)
        if not owned:
            if name in wanted:
                state.findings.append(
                    Finding(
                        address,
                        f"an SCP named {name} exists ({summary['Id']}) but the toolkit does not own "
                        "it; it will not be changed, and the toolkit cannot create its own under that name",
                        "error",
                    )
                )
            continue
        owned_ids.add(summary["Id"])
        content = client.describe_policy(PolicyId=summary["Id"])["Policy"]["Content"]
        targets = sorted(
            t["TargetId"] for t in _pages(client, "list_targets_for_policy", "Targets", PolicyId=summary["Id"])
        )
        observed = ObservedResource(
            address,
            SCP,
            summary["Id"],
            {
                "Name": name,
                "Description": summary.get("Description", ""),
                "Type": "SERVICE_CONTROL_POLICY",
                "Content": _parse(content),
                "TargetIds": targets,
                ADDRESS_TAG_PROPERTY: tags.get(ADDRESS_TAG),
            },
            owned=True,
        )
        owned_policies.append(observed)
        by_tag.setdefault(address, observed)
        by_name.setdefault(policy_address(name), observed)
    pairs = _match(desired.of_type(SCP), by_tag, by_name)
    for r, match in pairs.items():
        state.resources[r.address] = ObservedResource(r.address, SCP, match.physical_id, match.properties, True)
    claimed = {m.physical_id for m in pairs.values()}
    for observed in owned_policies:
        if observed.physical_id not in claimed:
            state.orphans[observed.address] = observed
    if not scp_enabled:
        return
    for ou_id, address in [(root_id, ROOT_ADDRESS), *ou_addresses.items()]:
        if ou_id is None:
            continue
        attached = _pages(
            client, "list_policies_for_target", "Policies", TargetId=ou_id, Filter="SERVICE_CONTROL_POLICY"
        )
        state.unmanaged_attachments[address] = sorted(p["Name"] for p in attached if p["Id"] not in owned_ids)


def _parse(content: str) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return content
