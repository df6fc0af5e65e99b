"""Renaming an OU through the spec (`renamed_from`): in place, against moto.

The OU, its child OU and their SCPs keep their ids; the accounts inside stay where they are; the plan
shows updates only (nothing destroyed); afterwards the plan is empty, with and without `renamed_from`.
Live state is checked with plain boto3 (the `outsider`).
"""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console

from bootstrap.aws.session import Sessions
from bootstrap.changes import Action, PropertyDiff
from bootstrap.errors import ApplyInterrupted
from bootstrap.guardrails.packing import pack_all
from bootstrap.plan.render import print_plan
from bootstrap.resources import ADDRESS_TAG, ADDRESS_TAG_PROPERTY, MANAGED_TAG
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live

OLD, NEW = "Sandbox", "Experiments"
CHILD = "Team-A"


def _with_child(data: dict[str, Any]) -> None:
    """The default landing zone plus a guarded child OU of Sandbox holding an account."""
    data["organizational_units"].append({"path": f"{OLD}/{CHILD}", "guardrails": ["deny-leave-organization"]})
    data["accounts"].append({"name": "lab", "ou": f"{OLD}/{CHILD}"})


def _renamed(*, keep_renamed_from: bool) -> Any:
    def edit(data: dict[str, Any]) -> None:
        _with_child(data)
        for ou in data["organizational_units"]:
            if ou["path"] == OLD:
                ou["path"] = NEW
                if keep_renamed_from:
                    ou["renamed_from"] = OLD
            elif ou["path"] == f"{OLD}/{CHILD}":
                ou["path"] = f"{NEW}/{CHILD}"
        for account in data["accounts"]:
            if account["ou"] == f"{OLD}/{CHILD}":
                account["ou"] = f"{NEW}/{CHILD}"

    return edit


def _snapshot(outsider: Any) -> dict[str, Any]:
    tree = outsider.ou_tree()
    return {
        "tree": tree,
        "policies": {name: p["Id"] for name, p in outsider.policies().items()},
        "lab": outsider.account_id("lab"),
    }


def test_rename_is_planned_as_updates_and_keeps_every_id(
    variant: Any, sessions: Sessions, apply: Any, outsider: Any
) -> None:
    before_spec: LandingZoneSpec = variant(_with_child)
    assert not apply(before_spec, sessions).failed
    before = _snapshot(outsider)
    assert {OLD, f"{OLD}/{CHILD}"} <= set(before["tree"])
    assert {"acme-sandbox-1", "acme-sandbox-team-a-1"} <= set(before["policies"])

    renamed: LandingZoneSpec = variant(_renamed(keep_renamed_from=True))
    live, _ = plan_live(renamed, sessions)
    plan = live.plan
    changes = {c.address: c for c in plan.changes}
    renamed_policies = {f"organizations/scp/{p.name}" for p in pack_all(renamed) if p.ou_path.split("/")[0] == NEW}
    assert {"organizations/scp/acme-experiments-1", "organizations/scp/acme-experiments-team-a-1"} <= renamed_policies
    assert set(changes) == {f"organizations/ou/{NEW}", f"organizations/ou/{NEW}/{CHILD}", *renamed_policies}
    assert all(c.action is Action.UPDATE and not c.destructive for c in plan.changes)
    assert plan.summary() == f"Plan: 0 to add, {2 + len(renamed_policies)} to change, 0 to destroy."
    ou = changes[f"organizations/ou/{NEW}"]
    assert ou.physical_id == before["tree"][OLD]
    assert set(ou.diffs) == {
        PropertyDiff("Name", OLD, NEW),
        PropertyDiff(ADDRESS_TAG_PROPERTY, f"organizations/ou/{OLD}", f"organizations/ou/{NEW}"),
    }
    child = changes[f"organizations/ou/{NEW}/{CHILD}"]
    assert child.physical_id == before["tree"][f"{OLD}/{CHILD}"]
    assert child.diffs == (
        PropertyDiff(ADDRESS_TAG_PROPERTY, f"organizations/ou/{OLD}/{CHILD}", f"organizations/ou/{NEW}/{CHILD}"),
    ), "the child keeps its name and parent: only its address changes"
    scp = changes["organizations/scp/acme-experiments-1"]
    assert scp.physical_id == before["policies"]["acme-sandbox-1"]
    assert {d.name for d in scp.diffs} == {"Name", ADDRESS_TAG_PROPERTY}
    assert (
        changes["organizations/scp/acme-experiments-team-a-1"].physical_id
        == before["policies"]["acme-sandbox-team-a-1"]
    )
    console = Console(record=True, width=200, color_system=None)
    print_plan(plan, console)
    text = console.export_text()
    assert f"Name: {OLD} → {NEW}" in text
    assert "Destructive" not in text

    result = apply(renamed, sessions)  # no --allow-destroy: nothing destructive may be in the plan
    assert not result.failed

    after = _snapshot(outsider)
    assert after["tree"] == {
        (f"{NEW}{path[len(OLD) :]}" if path.split("/")[0] == OLD else path): ou_id
        for path, ou_id in before["tree"].items()
    }, "same OUs, same ids, new paths"
    assert after["policies"] == {
        name.replace("acme-sandbox", "acme-experiments"): policy_id for name, policy_id in before["policies"].items()
    }, "same SCPs, same ids, new names"
    assert after["lab"] == before["lab"]
    assert outsider.parent_of(after["lab"]) == before["tree"][f"{OLD}/{CHILD}"]
    assert outsider.policy_targets("acme-experiments-team-a-1") == [before["tree"][f"{OLD}/{CHILD}"]]
    for path in (NEW, f"{NEW}/{CHILD}"):
        assert outsider.tags(after["tree"][path]) == {MANAGED_TAG: "true", ADDRESS_TAG: f"organizations/ou/{path}"}
    assert outsider.tags(after["policies"]["acme-experiments-1"])[ADDRESS_TAG] == "organizations/scp/acme-experiments-1"

    sessions.stats.reset()
    again, _ = plan_live(renamed, sessions)
    assert again.plan.empty, [(c.address, c.diffs) for c in again.plan.changes]
    assert sessions.stats.writes == 0

    final, _ = plan_live(variant(_renamed(keep_renamed_from=False)), sessions)
    assert final.plan.empty, [(c.address, c.diffs) for c in final.plan.changes]


def test_without_renamed_from_the_same_edit_is_a_delete_and_create(
    variant: Any, sessions: Sessions, apply: Any
) -> None:
    """What `renamed_from` saves the user from: the plain path edit destroys the OU and its SCPs."""
    apply(variant(_with_child), sessions)
    live, _ = plan_live(variant(_renamed(keep_renamed_from=False)), sessions)
    deleted = {c.address for c in live.plan.changes if c.action is Action.DELETE}
    assert {f"organizations/ou/{OLD}", "organizations/scp/acme-sandbox-1"} <= deleted


def test_interrupted_rename_resumes_with_updates_only(
    variant: Any, sessions: Sessions, apply: Any, run_plan: Any, interrupting: Any, outsider: Any
) -> None:
    """Stopped after the parent was renamed: the child is then at its new path with its old tag, and the
    next plan still finds it (by path and by former tag) and finishes the rename."""
    apply(variant(_with_child), sessions)
    before = _snapshot(outsider)
    renamed = variant(_renamed(keep_renamed_from=True))
    live, ctx = plan_live(renamed, sessions)
    first = live.plan.changes[0].address
    assert first == f"organizations/ou/{NEW}", "the parent OU comes first: its child and SCPs refer to it"
    with pytest.raises(ApplyInterrupted):
        run_plan(live.plan, ctx, recorder=interrupting(2))
    tree = outsider.ou_tree()
    assert tree[NEW] == before["tree"][OLD], "the parent was renamed"
    assert outsider.tags(tree[f"{NEW}/{CHILD}"])[ADDRESS_TAG] == f"organizations/ou/{OLD}/{CHILD}", "not its child"

    resumed, _ = plan_live(renamed, sessions)
    assert resumed.plan.changes and all(c.action is Action.UPDATE for c in resumed.plan.changes)
    assert f"organizations/ou/{NEW}" not in {c.address for c in resumed.plan.changes}
    assert not apply(renamed, sessions).failed
    assert _snapshot(outsider)["tree"][f"{NEW}/{CHILD}"] == before["tree"][f"{OLD}/{CHILD}"]
    final, _ = plan_live(renamed, sessions)
    assert final.plan.empty


def test_renamed_from_an_ou_that_does_not_exist_creates_the_new_one(
    variant: Any, sessions: Sessions, apply: Any
) -> None:
    """A stale `renamed_from` (the old OU is long gone) is harmless: nothing matches it."""

    def edit(data: dict[str, Any]) -> None:
        data["organizational_units"].append({"path": "Labs", "renamed_from": "Research"})

    spec = variant(edit)
    live, _ = plan_live(spec, sessions)
    assert ("organizations/ou/Labs", Action.CREATE) in {(c.address, c.action) for c in live.plan.changes}
    assert not apply(spec, sessions).failed
    assert plan_live(spec, sessions)[0].plan.empty
