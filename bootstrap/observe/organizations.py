"""Observe AWS Organizations in bulk: the organization, root policy types, the OU tree, the policies the
toolkit may own (SCPs, RCPs, the AI services opt-out policy), accounts.

Calls for an organization of N accounts and K OUs: about K (OU tree) + N/20 (accounts, 20 a page)
+ K (tags of OUs) + 3 (policy lists, one per managed type) + 3 per owned policy + 1 per target and type
the spec attaches policies to (attachment slots). Account tags are never read one by one: accounts are
matched to the spec by id, e-mail or name.

Reads overlap wherever one does not need another's answer, on a pool of `sessions.parallelism` threads:
the organization, the root, the policy lists and the accounts being created are asked for at once; the OU
tree is read level by level (every OU of a level at once), and each OU's tags and accounts are asked for as
soon as the OU is found; each policy's tags, content and targets, and each attachment slot, in parallel.
So the wall time follows the depth of the tree, not the number of calls. Answers are then matched in the
order a one-by-one walk would meet them, so the observed state does not depend on which answer came first.

OUs and policies are matched to a desired resource by its address (ownership tag first, then path or name),
else by one of its former addresses (an OU renamed in the spec with `renamed_from`, its descendants and
their SCPs): the plan then renames the object in place. Owned ones report their address tag as the
property `AddressTag`, so that a stale tag (left by a rename) shows in the plan and is stamped again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from botocore.exceptions import ClientError

from blueprints.organization import MANAGED_POLICY_TYPES
from bootstrap.aws.retry import error_code
from bootstrap.aws.session import Sessions
from bootstrap.guardrails.packing import SHORT_NAMES
from bootstrap.names import ROOT_ADDRESS, attachment_key, ou_address, policy_address
from bootstrap.observed import HELD_ACCOUNTS, Finding, ObservedResource, ObservedState
from bootstrap.resources import ADDRESS_TAG, ADDRESS_TAG_PROPERTY, MANAGED_TAG, DesiredState, Resource

ORG = "AWS::Organizations::Organization"
POLICY_TYPES = "Bootstrap::Organizations::RootPolicyTypes"
OU = "AWS::Organizations::OrganizationalUnit"
SCP = "AWS::Organizations::Policy"
ACCOUNT = "AWS::Organizations::Account"


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page[key]


def _all(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item of a paginated listing (read in a pool thread: a generator would read in the caller's)."""
    return list(_pages(client, operation, key, **kwargs))


def _tags(client: Any, resource_id: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in _pages(client, "list_tags_for_resource", "Tags", ResourceId=resource_id)}


OnListed = Callable[[list[dict[str, Any]]], None]
"""Told each account listing as it arrives (from a pool thread), so that what needs an account's id can start."""


def observe_organizations(
    sessions: Sessions, desired: DesiredState, on_listed: OnListed | None = None
) -> ObservedState:
    pool = ThreadPoolExecutor(max_workers=sessions.parallelism, thread_name_prefix="observe-org")
    try:
        return _observe(sessions.client("organizations"), pool, desired, on_listed or (lambda _: None))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # on an error, nothing queued is started


def _observe(client: Any, pool: ThreadPoolExecutor, desired: DesiredState, on_listed: OnListed) -> ObservedState:
    state = ObservedState()
    # Asked at once: if the organization does not exist, the others fail too and are never looked at.
    org_read = pool.submit(client.describe_organization)
    root_read = pool.submit(lambda: next(_pages(client, "list_roots", "Roots")))
    policy_reads = {t: pool.submit(_all, client, "list_policies", "Policies", Filter=t) for t in MANAGED_POLICY_TYPES}
    creating_read = pool.submit(
        _all, client, "list_create_account_status", "CreateAccountStatuses", States=["IN_PROGRESS"]
    )
    try:
        org = org_read.result()["Organization"]
    except ClientError as err:
        if error_code(err) == "AWSOrganizationsNotInUseException":
            return state  # nothing exists yet: everything will be created
        raise
    root = root_read.result()
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
    # Policies outlive their type being disabled on the root (AWS only detaches them), so they are read
    # either way: otherwise the plan would try to create policies that already exist.
    policies = _PolicyReads(client, pool, {t: f.result() for t, f in policy_reads.items()})
    tree = _read_tree(client, pool, root_id, on_listed)
    _observe_ous(tree, desired, state)
    attachments = _read_attachments(client, pool, desired, state, root_id, enabled)
    matched = _observe_accounts(tree, creating_read.result(), desired, state, str(org.get("MasterAccountId", "")))
    _mark_held_accounts(tree, matched, state)
    _observe_policies(policies, attachments, desired, state)
    return state


@dataclass
class _Tree:
    """The OU tree as read: OUs in the order a breadth-first walk meets them, with their tags, and the
    accounts under the root and under each OU."""

    found: list[tuple[str, dict[str, Any], str]]
    """(parent id, OU, path) per OU."""
    tags: dict[str, Future[dict[str, str]]]
    accounts: dict[str, Future[list[dict[str, Any]]]]
    """Parent id (the root first, then each OU in walk order) -> its accounts."""


def _read_tree(client: Any, pool: ThreadPoolExecutor, root_id: str, on_listed: OnListed) -> _Tree:
    """Walk the OU tree level by level: the children of every OU of one level are listed at once, and each
    OU's tags and accounts are asked for as soon as it is found (they overlap the next levels). Each account
    listing goes to `on_listed` as soon as it is read."""

    def listed(parent_id: str) -> list[dict[str, Any]]:
        accounts = _all(client, "list_accounts_for_parent", "Accounts", ParentId=parent_id)
        on_listed(accounts)
        return accounts

    def accounts_of(parent_id: str) -> Future[list[dict[str, Any]]]:
        return pool.submit(listed, parent_id)

    tree = _Tree([], {}, {root_id: accounts_of(root_id)})
    level = [(root_id, "")]
    while level:
        listings = [
            pool.submit(_all, client, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=p)
            for p, _ in level
        ]
        below = []
        for (parent_id, parent_path), listing in zip(level, listings, strict=True):
            for ou in listing.result():
                path = f"{parent_path}/{ou['Name']}" if parent_path else ou["Name"]
                tree.found.append((parent_id, ou, path))
                # read for every OU: one renamed by someone else is found by its tag
                tree.tags[ou["Id"]] = pool.submit(_tags, client, ou["Id"])
                tree.accounts[ou["Id"]] = accounts_of(ou["Id"])
                below.append((ou["Id"], path))
        level = below
    return tree


def _observe_ous(tree: _Tree, desired: DesiredState, state: ObservedState) -> None:
    """Match desired OUs by ownership tag, then by path."""
    by_tag: dict[str, ObservedResource] = {}
    by_path: dict[str, ObservedResource] = {}
    for parent_id, ou, path in tree.found:
        tags = tree.tags[ou["Id"]].result()
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
    tree: _Tree, in_progress: list[dict[str, Any]], desired: DesiredState, state: ObservedState, management: str
) -> set[str]:
    """Match the spec's accounts to live ones; the ids matched."""
    accounts: dict[str, tuple[dict[str, Any], str]] = {}
    for parent_id, listing in tree.accounts.items():
        for account in listing.result():
            accounts[account["Id"]] = (account, parent_id)
    by_email = {a["Email"].lower(): a["Id"] for a, _ in accounts.values()}
    by_name: dict[str, list[dict[str, Any]]] = {}
    for account, _ in accounts.values():
        by_name.setdefault(account["Name"], []).append(account)
    creating = {s["AccountName"]: s["Id"] for s in in_progress}
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
    others = [a for i, (a, _) in sorted(accounts.items()) if i not in matched and i != management]
    if others:
        state.findings.append(Finding("organizations/accounts", _not_in_spec(others, tree)))
    return matched


_LISTED = 10
"""Accounts named one by one in the note about accounts outside the spec; more are counted."""


def _not_in_spec(others: list[dict[str, Any]], tree: _Tree) -> str:
    """Which accounts the spec leaves out, and what to do with one that was removed from it on purpose."""
    paths = {ou["Id"]: path for _, ou, path in tree.found}
    where = {a["Id"]: paths.get(parent, "Root") for parent, f in tree.accounts.items() for a in f.result()}
    named = ", ".join(f"{a['Name']} ({a['Id']}, in {where.get(a['Id'], 'Root')})" for a in others[:_LISTED])
    more = f" and {len(others) - _LISTED} more" if len(others) > _LISTED else ""
    return (
        f"{len(others)} account(s) in the organization are not in the spec and are left alone: {named}{more}. "
        "The toolkit never closes an account. To retire one, list it under accounts with ou: Suspended "
        "(deny-all) and apply, then close it by hand (Organizations console, AWS accounts, Close)"
    )


def _mark_held_accounts(tree: _Tree, matched: set[str], state: ObservedState) -> None:
    """Record on each owned OU no longer in the spec the accounts in it that the spec places nowhere: AWS
    refuses to delete an OU holding accounts, so the planner refuses that deletion at plan time."""
    for address, orphan in list(state.orphans.items()):
        listing = tree.accounts.get(orphan.physical_id or "")
        if orphan.type != OU or listing is None:
            continue
        held = [f"{a['Name']} ({a['Id']})" for a in listing.result() if a["Id"] not in matched]
        if held:
            state.orphans[address] = replace(orphan, attributes={**orphan.attributes, HELD_ACCOUNTS: ", ".join(held)})


@dataclass(frozen=True)
class _Policy:
    """One customer-managed policy as read: its tags, and if the toolkit owns it its content and targets."""

    tags: dict[str, str]
    content: str | None = None
    targets: tuple[str, ...] = ()

    @property
    def owned(self) -> bool:
        return self.tags.get(MANAGED_TAG) == "true"


def _read_policy(client: Any, policy_id: str) -> _Policy:
    tags = _tags(client, policy_id)
    if tags.get(MANAGED_TAG) != "true":
        return _Policy(tags)  # not the toolkit's: its content and targets are none of its business
    content = client.describe_policy(PolicyId=policy_id)["Policy"]["Content"]
    targets = sorted(t["TargetId"] for t in _pages(client, "list_targets_for_policy", "Targets", PolicyId=policy_id))
    return _Policy(tags, content, tuple(targets))


class _PolicyReads:
    """Per managed policy type, its customer-managed policies with their reads under way (in parallel)."""

    def __init__(self, client: Any, pool: ThreadPoolExecutor, listed: dict[str, list[dict[str, Any]]]) -> None:
        self.listed = listed
        self.details = {
            summary["Id"]: pool.submit(_read_policy, client, summary["Id"])
            for summaries in listed.values()
            for summary in summaries
            if not summary.get("AwsManaged")
        }


def _read_attachments(
    client: Any, pool: ThreadPoolExecutor, desired: DesiredState, state: ObservedState, root_id: str, enabled: list[str]
) -> dict[str, Future[list[dict[str, Any]]]]:
    """Attachment-slot key -> the policies attached to that target, of that type, being read.

    Only for the types enabled on the root (a disabled type has nothing attached) and only where the spec
    attaches policies of that type: the planner checks those targets' attachment slots. Needs the OUs matched.
    """
    targets = {"Fn::GetAtt:RootId": (root_id, ROOT_ADDRESS)}
    for r in desired.of_type(OU):
        live = state.resources.get(r.address)
        if live is not None and live.physical_id is not None:
            targets[f"Ref:{r.logical_id}"] = (live.physical_id, r.address)
    counted: set[tuple[str, str]] = set()
    reads: dict[str, Future[list[dict[str, Any]]]] = {}
    for r in desired.of_type(SCP):
        policy_type = str(r.properties["Type"])
        for ref in r.properties.get("TargetIds", []):
            target = targets.get(_target_key(ref))
            if target is None or policy_type not in enabled or (target[0], policy_type) in counted:
                continue
            counted.add((target[0], policy_type))
            reads[attachment_key(target[1], policy_type)] = pool.submit(
                _all, client, "list_policies_for_target", "Policies", TargetId=target[0], Filter=policy_type
            )
    return reads


def _observe_policies(
    policies: _PolicyReads,
    attachments: dict[str, Future[list[dict[str, Any]]]],
    desired: DesiredState,
    state: ObservedState,
) -> None:
    """Customer-managed policies of every type the toolkit may own: tags tell its own (an organization has
    tens, not thousands). Attachments the toolkit does not own are counted per attachment slot (target,
    the Root included, and type)."""
    wanted = {(str(r.properties["Name"]), str(r.properties["Type"])): r for r in desired.of_type(SCP)}
    owned_ids: set[str] = set()
    owned_policies: list[ObservedResource] = []
    by_tag: dict[str, ObservedResource] = {}
    by_name: dict[str, ObservedResource] = {}
    for policy_type in MANAGED_POLICY_TYPES:
        for summary in policies.listed[policy_type]:
            if summary.get("AwsManaged"):
                continue
            observed = _observe_policy(summary, policies.details[summary["Id"]].result(), policy_type, wanted, state)
            if observed is None:
                continue
            owned_ids.add(str(observed.physical_id))
            owned_policies.append(observed)
            by_tag.setdefault(observed.address, observed)
            by_name.setdefault(policy_address(summary["Name"], policy_type), observed)
    pairs = _match(desired.of_type(SCP), by_tag, by_name)
    for r, match in pairs.items():
        state.resources[r.address] = ObservedResource(r.address, SCP, match.physical_id, match.properties, True)
    claimed = {m.physical_id for m in pairs.values()}
    for observed in owned_policies:
        if observed.physical_id not in claimed:
            state.orphans[observed.address] = observed
    for key, attached in attachments.items():
        state.unmanaged_attachments[key] = sorted(p["Name"] for p in attached.result() if p["Id"] not in owned_ids)


def _target_key(ref: Any) -> str:
    """`{"Ref": "OuX"}` -> `Ref:OuX`; the root's `{"Fn::GetAtt": [org, "RootId"]}` -> `Fn::GetAtt:RootId`."""
    if isinstance(ref, dict) and "Ref" in ref:
        return f"Ref:{ref['Ref']}"
    if isinstance(ref, dict) and "Fn::GetAtt" in ref:
        return f"Fn::GetAtt:{ref['Fn::GetAtt'][1]}"
    return ""


def _observe_policy(
    summary: dict[str, Any],
    read: _Policy,
    policy_type: str,
    wanted: dict[tuple[str, str], Resource],
    state: ObservedState,
) -> ObservedResource | None:
    """One customer-managed policy if the toolkit owns it; else None (with a finding if it holds a wanted name)."""
    name = summary["Name"]
    address = read.tags.get(ADDRESS_TAG) or policy_address(name, policy_type)
    if not read.owned:
        if (name, policy_type) in wanted:
            address = policy_address(name, policy_type)
            state.findings.append(
                Finding(
                    address,
                    f"a {SHORT_NAMES[policy_type]} named {name} exists ({summary['Id']}) but the toolkit does not "
                    "own it; it will not be changed, and the toolkit cannot create its own under that name. If it "
                    f"is the landing zone's (its tags were removed), run `bootstrap adopt {address}`; if not, "
                    "rename or delete it",
                    "error",
                )
            )
            # recorded as the address's unowned occupant, for `bootstrap adopt`; the finding blocks the plan
            state.resources[address] = ObservedResource(
                address, SCP, summary["Id"], {"Name": name, "Type": policy_type}, owned=False
            )
        return None
    return ObservedResource(
        address,
        SCP,
        summary["Id"],
        {
            "Name": name,
            "Description": summary.get("Description", ""),
            "Type": policy_type,
            "Content": _parse(str(read.content)),
            "TargetIds": list(read.targets),
            ADDRESS_TAG_PROPERTY: read.tags.get(ADDRESS_TAG),
        },
        owned=True,
    )


def _parse(content: str) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return content
