"""Messages about an earlier run: a refused stale plan names what changed since it was made, an earlier
apply is told in one line with what this run does, and the ids of new accounts are reported."""

from __future__ import annotations

from bootstrap.changes import Action, Change, Plan, PropertyDiff
from bootstrap.plan.after_apply import created_account_ids, created_accounts_line
from bootstrap.plan.stale import earlier_apply_line, plan_differences, stale_plan_message
from bootstrap.resources import GLOBAL, Location

WHERE = Location("management", GLOBAL)
SCP = "AWS::Organizations::Policy"
ACCOUNT = "AWS::Organizations::Account"


def _change(address: str, action: Action, *diffs: PropertyDiff, kind: str = SCP) -> Change:
    return Change(address, kind, WHERE, action, diffs=diffs)


SAVED = Plan(
    changes=(
        _change("organizations/scp/acme-root-1", Action.CREATE),
        _change("organizations/scp/acme-security-1", Action.UPDATE, PropertyDiff("Content", "a", "b")),
        _change("organizations/ou/Sandbox", Action.UPDATE, PropertyDiff("Name", "Old", "Sandbox")),
    )
)
FRESH = Plan(
    changes=(
        _change("organizations/scp/acme-root-1", Action.UPDATE, PropertyDiff("TargetIds", [], ["r-1"])),
        _change("organizations/scp/acme-security-1", Action.UPDATE, PropertyDiff("Content", "c", "b")),
        _change("organizations/account/audit", Action.UPDATE, PropertyDiff("ParentIds", ["x"], ["y"])),
    )
)


def test_a_stale_plan_names_each_resource_that_changed_and_how() -> None:
    found = plan_differences(SAVED, FRESH)
    assert found == [
        "organizations/account/audit now needs ~ update",
        "organizations/ou/Sandbox no longer needs ~ update",
        "organizations/scp/acme-root-1: + create in the plan, ~ update now",
        "organizations/scp/acme-security-1: Content changed live",
    ]
    message = stale_plan_message(SAVED, FRESH)
    assert message.startswith("live state has changed since this plan was made, at 4 resource(s): ")
    assert "organizations/scp/acme-security-1: Content changed live" in message
    assert "\n" not in message


def test_changes_an_interrupted_run_made_are_not_differences() -> None:
    done = frozenset({"organizations/ou/Sandbox"})
    assert "organizations/ou/Sandbox no longer needs ~ update" not in plan_differences(SAVED, FRESH, done)


def test_a_stale_plan_with_the_same_changes_says_so() -> None:
    assert "the changes it lists are the same" in stale_plan_message(SAVED, SAVED)


def test_many_differences_are_counted_beyond_the_first_ones() -> None:
    many = Plan(changes=tuple(_change(f"organizations/scp/p{i:02}", Action.CREATE) for i in range(12)))
    message = stale_plan_message(Plan(changes=()), many)
    assert "at 12 resource(s)" in message and "; and 4 more" in message


def test_an_earlier_apply_is_one_line_of_what_happened_and_what_this_run_does() -> None:
    line = earlier_apply_line(started_at="2026-12-05T10:00:00Z", status="interrupted", done=3, total=7)
    assert line == (
        "The last apply (started 2026-12-05T10:00:00Z) was interrupted after 3 of 7 change(s); this run reads "
        "live state again and applies only what still differs from the spec."
    )
    saved = earlier_apply_line(started_at="t", status="failed", done=2, total=5, plan_file="plan.json")
    assert "failed after 2 of 5 change(s); this run applies the 3 remaining change(s) of plan.json" in saved
    assert "\n" not in saved


def test_new_account_ids_are_reported_after_apply() -> None:
    applied = Plan(
        changes=(
            _change("organizations/account/audit", Action.CREATE, kind=ACCOUNT),
            _change("organizations/account/log-archive", Action.CREATE, kind=ACCOUNT),
            _change("organizations/account/legacy", Action.UPDATE, kind=ACCOUNT),
            _change("organizations/account/failed", Action.CREATE, kind=ACCOUNT),
        )
    )
    after = Plan(
        changes=(),
        labels={"111122223333": "account audit", "444455556666": "account log-archive", "7": "account legacy"},
    )
    done = {"organizations/account/audit", "organizations/account/log-archive", "organizations/account/legacy"}
    assert created_account_ids(applied, after, done) == {"audit": "111122223333", "log-archive": "444455556666"}
    assert created_accounts_line(applied, after, done) == "New accounts: audit 111122223333, log-archive 444455556666."
    assert created_accounts_line(applied, after, set()) is None
