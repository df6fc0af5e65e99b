"""Planner tables: a hand-built observed state against the desired state of a small spec -> expected plan.

The observed states here are written the way `bootstrap.observe.organizations` reports AWS (live ids,
tags decide `owned`), so these tables pin the planner's decisions without any AWS call.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from blueprints import accounts, organization
from bootstrap.changes import Action, Plan, PropertyDiff
from bootstrap.desired import desired_state
from bootstrap.errors import InputError
from bootstrap.observed import Finding, ObservedResource, ObservedState
from bootstrap.plan.diff import make_plan
from bootstrap.plan.refs import UNKNOWN
from bootstrap.plan.saved import FORMAT_VERSION, plan_from_json, plan_to_json
from bootstrap.resources import ADDRESS_TAG_PROPERTY, DesiredState, Location
from bootstrap.spec.model import LandingZoneSpec

ORG = "AWS::Organizations::Organization"
TYPES = "Bootstrap::Organizations::RootPolicyTypes"
OU = "AWS::Organizations::OrganizationalUnit"
SCP = "AWS::Organizations::Policy"
ACCOUNT = "AWS::Organizations::Account"

A_ORG = "organizations/organization"
A_TYPES = "organizations/root/policy-types"
A_SEC = "organizations/ou/Security"
A_WL = "organizations/ou/Workloads"
A_PROD = "organizations/ou/Workloads/Prod"
A_SCP_SEC = "organizations/scp/acme-security-1"
A_SCP_PROD = "organizations/scp/acme-workloads-prod-1"
A_ACCT = "organizations/account/tools"

ROOT_ID = "r-ab12"
IDS = {
    A_ORG: "o-abc123",
    A_SEC: "ou-ab12-sec",
    A_WL: "ou-ab12-wl",
    A_PROD: "ou-ab12-prod",
    A_SCP_SEC: "p-sec00001",
    A_SCP_PROD: "p-prod0001",
    A_ACCT: "111111111111",
}
MGMT = Location("management", "global")

SPEC = LandingZoneSpec.model_validate(
    {
        "organization": {
            "name": "acme",
            "management_account_id": "123456789012",
            "home_region": "us-east-1",
            "allowed_regions": ["us-east-1"],
            "root_guardrails": [],  # the Root's policies have tables of their own (test_plan_root.py)
            "ai_services_opt_out": False,
        },
        "account_email_pattern": "aws+{name}@example.com",
        "organizational_units": [
            {"path": "Security", "guardrails": ["deny-leave-organization"]},
            {"path": "Workloads/Prod", "guardrails": ["deny-root-user"]},
        ],
        "accounts": [{"name": "tools", "ou": "Security"}],
        "baseline": {"enabled": False},
    }
)
DESIRED: DesiredState = desired_state(SPEC, [organization.build(SPEC), *accounts.build(SPEC)])
"""An organization-only landing zone (no `log-archive` account, so no logging layer), the organization
layer alone (no roles, no account baseline): these tables are about the Organizations resources."""


def props(address: str) -> dict[str, Any]:
    return dict(DESIRED.by_address[address].properties)


def matching() -> ObservedState:
    """Live state exactly as the spec wants it, in the shape observe reports it."""
    state = ObservedState()

    def put(address: str, type_: str, physical_id: str, properties: dict[str, Any], **kw: Any) -> None:
        if type_ in (OU, SCP) and kw.get("owned"):
            properties = {**properties, ADDRESS_TAG_PROPERTY: address}  # owned ones report their address tag
        state.resources[address] = ObservedResource(address, type_, physical_id, properties, **kw)

    put(
        A_ORG,
        ORG,
        IDS[A_ORG],
        {"FeatureSet": "ALL"},
        owned=False,
        attributes={"RootId": ROOT_ID, "Id": IDS[A_ORG], "Arn": "arn:aws:organizations::123456789012:o"},
    )
    put(
        A_TYPES,
        TYPES,
        ROOT_ID,
        {"RootId": ROOT_ID, "PolicyTypes": ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"]},
        owned=False,
    )
    put(A_SEC, OU, IDS[A_SEC], {"Name": "Security", "ParentId": ROOT_ID}, owned=True)
    put(A_WL, OU, IDS[A_WL], {"Name": "Workloads", "ParentId": ROOT_ID}, owned=True)
    put(A_PROD, OU, IDS[A_PROD], {"Name": "Prod", "ParentId": IDS[A_WL]}, owned=True)
    for address, target in ((A_SCP_SEC, A_SEC), (A_SCP_PROD, A_PROD)):
        p = props(address)
        put(
            address,
            SCP,
            IDS[address],
            {
                "Name": p["Name"],
                "Description": p["Description"],
                "Type": "SERVICE_CONTROL_POLICY",
                "Content": p["Content"],
                "TargetIds": [IDS[target]],
            },
            owned=True,
        )
    put(
        A_ACCT,
        ACCOUNT,
        IDS[A_ACCT],
        {"AccountName": "tools", "Email": "aws+tools@example.com", "ParentIds": [IDS[A_SEC]]},
        owned=True,
        attributes={"AccountId": IDS[A_ACCT]},
    )
    return state


def plan_of(observed: ObservedState, **kw: Any) -> Plan:
    return make_plan(
        DESIRED,
        observed,
        spec_digest="digest-1",
        management_account_id="123456789012",
        created_at="2025-01-01T00:00:00Z",
        **kw,
    )


def set_props(state: ObservedState, address: str, **changed: Any) -> None:
    live = state.resources[address]
    state.resources[address] = replace(live, properties={**live.properties, **changed})


def orphan(
    state: ObservedState, address: str, type_: str, physical_id: str, properties: dict[str, Any], owned: bool = True
) -> None:
    state.orphans[address] = ObservedResource(address, type_, physical_id, properties, owned=owned)


# --- the table ------------------------------------------------------------------------------------------

Expected = tuple[str, Action, tuple[PropertyDiff, ...] | None]
"""(address, action, diffs); diffs None means "not checked" (creates carry every property)."""


@dataclass(frozen=True)
class Case:
    mutate: Callable[[ObservedState], None]
    changes: list[Expected]
    summary: str
    notes: list[tuple[str, str, str]] = field(default_factory=list)
    """(address, severity, message fragment) that must be among the plan's notes."""


def _edited_content(state: ObservedState) -> None:
    content = json.loads(json.dumps(props(A_SCP_SEC)["Content"]))
    content["Statement"][0]["Action"] = "organizations:DescribeOrganization"
    set_props(state, A_SCP_SEC, Content=content)


def _orphans(state: ObservedState) -> None:
    set_props(state, A_SCP_PROD, TargetIds=[])
    orphan(state, "organizations/ou/Legacy", OU, "ou-ab12-legacy", {"Name": "Legacy", "ParentId": ROOT_ID})
    orphan(state, "organizations/ou/Legacy/Old", OU, "ou-ab12-old", {"Name": "Old", "ParentId": "ou-ab12-legacy"})
    orphan(
        state,
        "organizations/scp/acme-legacy-1",
        SCP,
        "p-legacy001",
        {"Name": "acme-legacy-1", "TargetIds": ["ou-ab12-legacy"]},
    )


def _unowned(state: ObservedState) -> None:
    live = state.resources[A_SCP_SEC]
    state.resources[A_SCP_SEC] = replace(live, owned=False, properties={**live.properties, "TargetIds": []})
    state.resources[A_PROD] = replace(
        state.resources[A_PROD], owned=False, properties={"Name": "Prod", "ParentId": ROOT_ID}
    )
    orphan(state, "organizations/ou/Theirs", OU, "ou-ab12-theirs", {"Name": "Theirs", "ParentId": ROOT_ID}, owned=False)
    orphan(state, "organizations/scp/their-scp", SCP, "p-theirs01", {"Name": "their-scp"}, owned=False)


def _slots(state: ObservedState) -> None:
    state.unmanaged_attachments[A_SEC] = ["FullAWSAccess", "team-a", "team-b", "team-c", "team-d"]
    state.unmanaged_attachments[A_PROD] = ["FullAWSAccess", "team-a", "team-b", "team-c"]  # exactly full


def _pending(state: ObservedState) -> None:
    state.resources[A_ACCT] = ObservedResource(A_ACCT, ACCOUNT, None, {}, owned=True, pending="car-0123456789")


CASES: dict[str, Case] = {
    "fully matching": Case(lambda s: None, [], "No changes. Live state matches the spec."),
    "SCP detached": Case(
        lambda s: set_props(s, A_SCP_SEC, TargetIds=[]),
        [(A_SCP_SEC, Action.UPDATE, (PropertyDiff("TargetIds", [], [IDS[A_SEC]]),))],
        "Plan: 0 to add, 1 to change, 0 to destroy.",
    ),
    "SCP attached to an extra target": Case(
        lambda s: set_props(s, A_SCP_SEC, TargetIds=[IDS[A_WL], IDS[A_SEC]]),
        [(A_SCP_SEC, Action.UPDATE, (PropertyDiff("TargetIds", [IDS[A_WL], IDS[A_SEC]], [IDS[A_SEC]]),))],
        "Plan: 0 to add, 1 to change, 0 to destroy.",
    ),
    "policy types listed in another order": Case(
        lambda s: set_props(s, A_TYPES, PolicyTypes=["RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY"]),
        [],
        "No changes. Live state matches the spec.",
    ),
    "account in the wrong OU": Case(
        lambda s: set_props(s, A_ACCT, ParentIds=[ROOT_ID]),
        [(A_ACCT, Action.UPDATE, (PropertyDiff("ParentIds", [ROOT_ID], [IDS[A_SEC]]),))],
        "Plan: 0 to add, 1 to change, 0 to destroy.",
    ),
    "SCP content edited": Case(
        _edited_content,
        [(A_SCP_SEC, Action.UPDATE, None)],
        "Plan: 0 to add, 1 to change, 0 to destroy.",
    ),
    "OU renamed": Case(
        lambda s: set_props(s, A_SEC, Name="Security-old"),
        [(A_SEC, Action.UPDATE, (PropertyDiff("Name", "Security-old", "Security"),))],
        "Plan: 0 to add, 1 to change, 0 to destroy.",
    ),
    "owned OU moved under another parent": Case(
        lambda s: set_props(s, A_PROD, ParentId=ROOT_ID),
        [(A_PROD, Action.REPLACE, (PropertyDiff("ParentId", ROOT_ID, IDS[A_WL]),))],
        "Plan: 1 to add, 0 to change, 1 to destroy.",
    ),
    "SCP policy type disabled": Case(
        lambda s: set_props(s, A_TYPES, PolicyTypes=["RESOURCE_CONTROL_POLICY"]),
        [
            (
                A_TYPES,
                Action.UPDATE,
                (
                    PropertyDiff(
                        "PolicyTypes",
                        ["RESOURCE_CONTROL_POLICY"],
                        ["RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY"],
                    ),
                ),
            )
        ],
        "Plan: 0 to add, 1 to change, 0 to destroy.",
    ),
    "owned orphans": Case(
        _orphans,
        [
            (A_SCP_PROD, Action.UPDATE, (PropertyDiff("TargetIds", [], [IDS[A_PROD]]),)),
            ("organizations/scp/acme-legacy-1", Action.DELETE, ()),
            ("organizations/ou/Legacy/Old", Action.DELETE, ()),
            ("organizations/ou/Legacy", Action.DELETE, ()),
        ],
        "Plan: 0 to add, 1 to change, 3 to destroy.",
    ),
    "unowned objects": Case(
        _unowned,
        [],
        "Blocked: 1 error(s) above must be resolved first (0 to add, 0 to change, 0 to destroy waiting).",
        [
            (A_SCP_SEC, "error", f"run `bootstrap adopt {A_SCP_SEC}`"),
            (A_PROD, "warning", "not owned by the toolkit"),
            ("organizations/ou/Theirs", "info", "not owned by the toolkit"),
            ("organizations/scp/their-scp", "info", "not owned by the toolkit"),
        ],
    ),
    "account e-mail and name differ": Case(
        lambda s: set_props(s, A_ACCT, Email="old@example.com", AccountName="Tools Account"),
        [],
        "No changes the toolkit will make, but 2 warning(s) above: read them before trusting it.",
        [(A_ACCT, "warning", "Email is 'old@example.com' live"), (A_ACCT, "warning", "AccountName is 'Tools Account'")],
    ),
    "organization without all features": Case(
        lambda s: set_props(s, A_ORG, FeatureSet="CONSOLIDATED_BILLING"),
        [],
        "No changes the toolkit will make, but 1 warning(s) above: read them before trusting it.",
        [(A_ORG, "warning", "FeatureSet is 'CONSOLIDATED_BILLING' live")],
    ),
    "attachment slots full": Case(
        _slots,
        [],
        "Blocked: 1 error(s) above must be resolved first (0 to add, 0 to change, 0 to destroy waiting).",
        [(A_SEC, "error", "1 too many")],
    ),
    "account creation under way": Case(
        _pending,
        [(A_ACCT, Action.CREATE, None)],
        "Plan: 1 to add, 0 to change, 0 to destroy.",
    ),
    "observe findings become notes": Case(
        lambda s: s.findings.append(Finding("organizations/accounts", "2 account(s) are not in the spec")),
        [],
        "No changes. Live state matches the spec.",
        [("organizations/accounts", "info", "2 account(s) are not in the spec")],
    ),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_planner_table(case: Case) -> None:
    observed = matching()
    case.mutate(observed)
    plan = plan_of(observed)
    got = [(c.address, c.action) for c in plan.changes]
    assert got == [(address, action) for address, action, _ in case.changes]
    for change, (_, _, diffs) in zip(plan.changes, case.changes, strict=True):
        if diffs is not None:
            assert change.diffs == diffs
        if change.action is not Action.CREATE:
            assert (
                change.physical_id
                == (observed.resources.get(change.address) or observed.orphans[change.address]).physical_id
            )
    for address, severity, fragment in case.notes:
        assert any(n.address == address and n.severity == severity and fragment in n.message for n in plan.notes), (
            f"no {severity} note on {address} with {fragment!r}: {plan.notes}"
        )
    assert plan.summary() == case.summary
    assert plan.empty == (not case.changes)


def test_the_small_spec_is_organizations_only() -> None:
    assert {r.type for r in DESIRED.resources} == {ORG, TYPES, OU, SCP, ACCOUNT}
    assert [r.address for r in DESIRED.of_type(SCP)] == [A_SCP_SEC, A_SCP_PROD]


def test_empty_observed_creates_everything_in_dependency_order() -> None:
    plan = plan_of(ObservedState())
    assert all(c.action is Action.CREATE for c in plan.changes)
    order = [c.address for c in plan.changes]
    assert sorted(order) == sorted(r.address for r in DESIRED.resources)
    assert order[0] == A_ORG
    pos = {a: i for i, a in enumerate(order)}
    assert pos[A_ORG] < pos[A_TYPES]
    assert pos[A_ORG] < pos[A_SEC] and pos[A_ORG] < pos[A_WL]
    assert pos[A_WL] < pos[A_PROD], "parents before children"
    assert pos[A_TYPES] < pos[A_SCP_SEC] and pos[A_SEC] < pos[A_SCP_SEC]
    assert pos[A_TYPES] < pos[A_SCP_PROD] and pos[A_PROD] < pos[A_SCP_PROD]
    assert pos[A_SEC] < pos[A_ACCT]
    deps = {c.address: set(c.depends_on) for c in plan.changes}
    assert deps[A_ORG] == set()
    assert deps[A_PROD] == {A_WL}
    assert deps[A_SEC] == {A_ORG}
    assert deps[A_SCP_PROD] == {A_PROD, A_TYPES}
    assert deps[A_ACCT] == {A_SEC}
    assert plan.summary() == f"Plan: {len(DESIRED.resources)} to add, 0 to change, 0 to destroy."
    assert not plan.blocked


def test_creates_show_unknown_ids_until_apply() -> None:
    plan = plan_of(ObservedState())
    prod = next(c for c in plan.changes if c.address == A_PROD)
    assert PropertyDiff("Name", None, "Prod") in prod.diffs
    assert PropertyDiff("ParentId", None, UNKNOWN) in prod.diffs


def test_creates_under_existing_parents_resolve_live_ids() -> None:
    observed = matching()
    del observed.resources[A_PROD], observed.resources[A_SCP_PROD]
    plan = plan_of(observed)
    assert [c.address for c in plan.changes] == [A_PROD, A_SCP_PROD]
    prod = plan.changes[0]
    assert PropertyDiff("ParentId", None, IDS[A_WL]) in prod.diffs
    assert plan.changes[1].depends_on == (A_PROD,), "only changes in this plan are dependencies"


def test_deletes_are_destructive_and_ordered_after_everything_else() -> None:
    observed = matching()
    _orphans(observed)
    set_props(observed, A_ACCT, ParentIds=["ou-ab12-legacy"])  # the account must leave before its OU goes
    plan = plan_of(observed)
    kinds = [c.action is Action.DELETE for c in plan.changes]
    assert kinds == sorted(kinds), "every delete after every non-delete"
    deletes = {c.address: c for c in plan.changes if c.action is Action.DELETE}
    assert all(c.destructive for c in deletes.values())
    assert not any(c.destructive for c in plan.changes if c.action is not Action.DELETE)
    legacy = deletes["organizations/ou/Legacy"]
    assert {"organizations/ou/Legacy/Old", "organizations/scp/acme-legacy-1", A_ACCT} <= set(legacy.depends_on)
    assert deletes["organizations/ou/Legacy"].location == MGMT
    assert deletes["organizations/ou/Legacy"].before == {"Name": "Legacy", "ParentId": ROOT_ID}


def test_slot_limit_follows_the_spec_quota() -> None:
    observed = matching()
    _slots(observed)
    assert not plan_of(observed, scps_per_target=10).blocked
    blocked = plan_of(observed, scps_per_target=5).blocked
    assert [n.address for n in blocked] == [A_SEC]
    assert "FullAWSAccess" in blocked[0].message


def test_pending_account_is_awaited_not_recreated() -> None:
    observed = matching()
    _pending(observed)
    (change,) = plan_of(observed).changes
    assert change.pending == "car-0123456789"
    assert change.physical_id is None
    assert "under way" in change.reason


def test_plan_is_deterministic_and_fingerprints_the_state() -> None:
    first, second = plan_of(matching()), plan_of(matching())
    assert first == second
    edited = matching()
    set_props(edited, A_SEC, Name="Other")
    assert plan_of(edited).state_fingerprint != first.state_fingerprint


# --- OUs renamed in the spec (`renamed_from`) -------------------------------------------------------------

RENAMED_SPEC = LandingZoneSpec.model_validate(
    {
        **SPEC.model_dump(mode="json", exclude_none=True),
        "organizational_units": [
            {"path": "Security", "guardrails": ["deny-leave-organization"]},
            {"path": "Apps", "renamed_from": "Workloads"},
            {"path": "Apps/Prod", "guardrails": ["deny-root-user"]},
        ],
    }
)
RENAMED: DesiredState = desired_state(RENAMED_SPEC, [organization.build(RENAMED_SPEC), *accounts.build(RENAMED_SPEC)])
"""SPEC with Workloads renamed to Apps: its child Workloads/Prod becomes Apps/Prod, and that child's SCP
acme-workloads-prod-1 becomes acme-apps-prod-1."""
R_APPS = "organizations/ou/Apps"
R_PROD = "organizations/ou/Apps/Prod"
R_SCP_PROD = "organizations/scp/acme-apps-prod-1"
MOVED = {A_WL: R_APPS, A_PROD: R_PROD, A_SCP_PROD: R_SCP_PROD}


def found_at_former_addresses() -> ObservedState:
    """The live objects of SPEC as the observer reports them for RENAMED: matched by their former addresses
    (their tags), so keyed by the new ones, still with their old names and address tags."""
    state = matching()
    for old, new in MOVED.items():
        live = state.resources.pop(old)
        state.resources[new] = replace(live, address=new)
    return state


def _parent_renamed(state: ObservedState) -> None:
    """An apply interrupted after the parent: it has its new name and tag, its child and SCP do not."""
    set_props(state, R_APPS, Name="Apps", **{ADDRESS_TAG_PROPERTY: R_APPS})


def _rename_applied(state: ObservedState) -> None:
    _parent_renamed(state)
    set_props(state, R_PROD, **{ADDRESS_TAG_PROPERTY: R_PROD})
    set_props(state, R_SCP_PROD, Name="acme-apps-prod-1", **{ADDRESS_TAG_PROPERTY: R_SCP_PROD})


def _unowned_parent(state: ObservedState) -> None:
    """Someone else's OU, found at the former path: it is renamed as the spec says, never stamped."""
    live = state.resources[R_APPS]
    state.resources[R_APPS] = replace(live, owned=False, properties={"Name": "Workloads", "ParentId": ROOT_ID})


def _tag(before: str, after: str) -> PropertyDiff:
    return PropertyDiff(ADDRESS_TAG_PROPERTY, before, after)


RENAME_CASES: dict[str, Case] = {
    "rename planned": Case(
        lambda s: None,
        [
            (R_APPS, Action.UPDATE, (PropertyDiff("Name", "Workloads", "Apps"), _tag(A_WL, R_APPS))),
            (R_PROD, Action.UPDATE, (_tag(A_PROD, R_PROD),)),
            (
                R_SCP_PROD,
                Action.UPDATE,
                (PropertyDiff("Name", "acme-workloads-prod-1", "acme-apps-prod-1"), _tag(A_SCP_PROD, R_SCP_PROD)),
            ),
        ],
        "Plan: 0 to add, 3 to change, 0 to destroy.",
    ),
    "rename interrupted after the parent": Case(
        _parent_renamed,
        [
            (R_PROD, Action.UPDATE, (_tag(A_PROD, R_PROD),)),
            (
                R_SCP_PROD,
                Action.UPDATE,
                (PropertyDiff("Name", "acme-workloads-prod-1", "acme-apps-prod-1"), _tag(A_SCP_PROD, R_SCP_PROD)),
            ),
        ],
        "Plan: 0 to add, 2 to change, 0 to destroy.",
    ),
    "rename applied": Case(_rename_applied, [], "No changes. Live state matches the spec."),
    "unowned OU at the former path": Case(
        _unowned_parent,
        [
            (R_APPS, Action.UPDATE, (PropertyDiff("Name", "Workloads", "Apps"),)),
            (R_PROD, Action.UPDATE, None),
            (R_SCP_PROD, Action.UPDATE, None),
        ],
        "Plan: 0 to add, 3 to change, 0 to destroy.",
    ),
}


@pytest.mark.parametrize("case", list(RENAME_CASES.values()), ids=list(RENAME_CASES))
def test_rename_table(case: Case) -> None:
    observed = found_at_former_addresses()
    case.mutate(observed)
    plan = make_plan(RENAMED, observed)
    assert [(c.address, c.action) for c in plan.changes] == [(a, action) for a, action, _ in case.changes]
    for change, (address, _, diffs) in zip(plan.changes, case.changes, strict=True):
        if diffs is not None:
            assert change.diffs == diffs
        assert change.physical_id == observed.resources[address].physical_id, "renamed in place: same id"
        assert not change.destructive
    assert plan.summary() == case.summary


def test_renamed_resources_carry_their_former_addresses() -> None:
    assert RENAMED.by_address[R_APPS].former_addresses == (A_WL,)
    assert RENAMED.by_address[R_PROD].former_addresses == (A_PROD,)
    assert RENAMED.by_address[R_SCP_PROD].former_addresses == (A_SCP_PROD,)
    assert RENAMED.by_address[A_SEC].former_addresses == ()
    assert RENAMED.by_address[A_SCP_SEC].former_addresses == ()


def test_rename_says_where_the_object_was_and_keeps_its_dependents_in_order() -> None:
    plan = make_plan(RENAMED, found_at_former_addresses())
    reasons = {c.address: c.reason for c in plan.changes}
    assert reasons[R_APPS] == f"renamed in place from {A_WL}"
    assert reasons[R_SCP_PROD] == f"renamed in place from {A_SCP_PROD}"
    deps = {c.address: set(c.depends_on) for c in plan.changes}
    assert deps[R_PROD] == {R_APPS} and deps[R_SCP_PROD] == {R_PROD}


def test_stale_address_tag_on_an_owned_ou_is_stamped_again_but_never_on_an_unowned_one() -> None:
    owned = matching()
    set_props(owned, A_SEC, **{ADDRESS_TAG_PROPERTY: "organizations/ou/Old"})
    assert [(c.address, c.diffs) for c in plan_of(owned).changes] == [(A_SEC, (_tag("organizations/ou/Old", A_SEC),))]
    unowned = matching()
    live = unowned.resources[A_SEC]
    unowned.resources[A_SEC] = replace(live, owned=False, properties={"Name": "Security", "ParentId": ROOT_ID})
    assert plan_of(unowned).empty


def test_creates_do_not_list_the_address_tag() -> None:
    plan = plan_of(ObservedState())
    assert all(d.name != ADDRESS_TAG_PROPERTY for c in plan.changes for d in c.diffs)


# --- saved plans ---------------------------------------------------------------------------------------


def rich_plan() -> Plan:
    observed = matching()
    _orphans(observed)
    _slots(observed)
    set_props(observed, A_ACCT, ParentIds=[ROOT_ID])
    _edited_content(observed)
    return plan_of(observed)


def test_saved_plan_round_trips() -> None:
    plan = rich_plan()
    assert len(plan.changes) >= 5 and plan.notes
    text = plan_to_json(plan)
    loaded = plan_from_json(text, "plan.json")
    assert loaded.changes == plan.changes
    assert loaded.notes == plan.notes
    assert (loaded.state_fingerprint, loaded.spec_digest, loaded.management_account_id, loaded.created_at) == (
        plan.state_fingerprint,
        plan.spec_digest,
        plan.management_account_id,
        plan.created_at,
    )
    assert loaded.plan_id == plan.plan_id
    assert plan_to_json(loaded) == text
    data = json.loads(text)
    assert data["format_version"] == FORMAT_VERSION
    assert data["summary"] == {"add": 0, "change": 3, "destroy": 3}


def _change(data: dict[str, Any], action: str) -> dict[str, Any]:
    return next(c for c in data["changes"] if c["action"] == action)


def _drop_id_and_a_change(data: dict[str, Any]) -> None:
    del data["plan_id"]
    data["changes"].pop()


EDITS: dict[str, Callable[[dict[str, Any]], None]] = {
    "target value": lambda d: _change(d, "update")["diffs"][0].update(after=["ou-evil"]),
    "action": lambda d: _change(d, "update").update(action="delete"),
    "deleted object id": lambda d: _change(d, "delete").update(physical_id="ou-someone-elses"),
    "previous value": lambda d: _change(d, "update").update(before={"ParentIds": ["ou-else"]}),
    "change removed": lambda d: d["changes"].pop(),
    "error note removed": lambda d: d.update(notes=[n for n in d["notes"] if n["severity"] != "error"]),
    "order": lambda d: d["changes"][-1].update(depends_on=[]),
    "spec digest": lambda d: d.update(spec_digest="other"),
    "plan id removed with a change": lambda d: _drop_id_and_a_change(d),
}


@pytest.mark.parametrize("edit", list(EDITS.values()), ids=list(EDITS))
def test_edited_plan_file_is_refused(edit: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(plan_to_json(rich_plan()))
    edit(data)
    with pytest.raises(InputError) as caught:
        plan_from_json(json.dumps(data), "plan.json")
    assert caught.value.exit_code == 2
    assert "plan.json: the plan file has been edited" in caught.value.message
    assert "bootstrap plan --out" in caught.value.remediation


@pytest.mark.parametrize("version", [0, 2, "1", None])
def test_other_format_versions_are_refused(version: object) -> None:
    data = json.loads(plan_to_json(rich_plan()))
    data["format_version"] = version
    with pytest.raises(InputError, match=r"plan format .* is not supported") as caught:
        plan_from_json(json.dumps(data), "plan.json")
    assert caught.value.message.startswith("plan.json: ")


@pytest.mark.parametrize("text", ["not json", "[]", '{"format_version": 1}', ""])
def test_garbage_is_not_a_plan(text: str) -> None:
    with pytest.raises(InputError) as caught:
        plan_from_json(text, "plan.json")
    assert "plan.json" in caught.value.message
