"""Drift is told apart from what the spec asked, by the digest of each address's desired resource at the last
apply that left nothing to do."""

from __future__ import annotations

import io

from rich.console import Console
from variants import default_spec

from bootstrap.changes import Action, Change, Plan
from bootstrap.desired import desired_state
from bootstrap.plan.origin import DRIFT, SPEC, desired_digests, mark_origins
from bootstrap.plan.render import print_plan

TRAIL = "logging/trail"


def _plan(*changes: Change) -> Plan:
    return Plan(changes=changes)


def test_a_change_where_the_spec_did_not_change_is_drift_and_elsewhere_the_specs() -> None:
    before = desired_state(default_spec())
    after = desired_state(default_spec(trail_account="audit"))  # moves the trail: the spec changed there
    applied = desired_digests(before)
    trail = after.by_address[TRAIL]
    key = after.by_address["logging/key/logs"]
    plan = _plan(
        Change(TRAIL, trail.type, trail.location, Action.UPDATE, "t"),
        Change(key.address, key.type, key.location, Action.UPDATE, "k"),
        Change("organizations/scp/gone", "AWS::Organizations::Policy", key.location, Action.DELETE, "p"),
    )
    marked = mark_origins(plan, after, applied)
    assert [c.origin for c in marked.changes] == [SPEC, DRIFT, SPEC]


def test_without_a_record_nothing_is_labelled() -> None:
    desired = desired_state(default_spec())
    trail = desired.by_address[TRAIL]
    plan = _plan(Change(TRAIL, trail.type, trail.location, Action.UPDATE, "t"))
    assert mark_origins(plan, desired, None).changes[0].origin == ""
    assert mark_origins(plan, desired, {}).changes[0].origin == ""


def test_drift_is_printed_as_such() -> None:
    desired = desired_state(default_spec())
    trail = desired.by_address[TRAIL]
    plan = mark_origins(
        _plan(Change(TRAIL, trail.type, trail.location, Action.UPDATE, "t")), desired, desired_digests(desired)
    )
    out = io.StringIO()
    print_plan(plan, Console(file=out, width=160, no_color=True))
    assert "drift (changed outside the toolkit)" in out.getvalue()
