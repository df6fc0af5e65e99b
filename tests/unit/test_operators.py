"""Who the landing zone's roles let in: the caller as a trust policy sees it, and the plan's warning."""

from __future__ import annotations

import pytest

from bootstrap.changes import Action, Change, Plan
from bootstrap.plan.operators import caller_notes
from bootstrap.resources import GLOBAL, Location
from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.spec.roles import operator_patterns, principal_pattern

MGMT = "123456789012"


@pytest.mark.parametrize(
    ("caller", "seen_as"),
    [
        (f"arn:aws:sts::{MGMT}:assumed-role/PlatformAdmin/alice", f"arn:aws:iam::{MGMT}:role/PlatformAdmin"),
        (f"arn:aws:iam::{MGMT}:user/alice", f"arn:aws:iam::{MGMT}:user/alice"),
        (f"arn:aws:iam::{MGMT}:root", None),  # nobody should run the landing zone as root
        ("not an arn", None),
    ],
)
def test_principal_pattern(caller: str, seen_as: str | None) -> None:
    assert principal_pattern(caller) == seen_as


def spec_with(operators: list[str]) -> LandingZoneSpec:
    return parse_spec(render_spec_yaml(Answers(management_account_id=MGMT, operators=operators)))


PLAN = Plan(changes=(Change("iam/role/bootstrap/audit", "AWS::IAM::Role", Location("audit", GLOBAL), Action.UPDATE),))


@pytest.mark.parametrize(
    ("operators", "caller", "warned"),
    [
        ([f"arn:aws:iam::{MGMT}:role/Platform*"], f"arn:aws:sts::{MGMT}:assumed-role/PlatformAdmin/s", False),
        ([], f"arn:aws:sts::{MGMT}:assumed-role/LandingZoneBootstrap/s", False),  # always an operator
        ([], f"arn:aws:sts::{MGMT}:assumed-role/PlatformAdmin/s", True),
        ([f"arn:aws:iam::{MGMT}:role/Other"], f"arn:aws:iam::{MGMT}:root", True),
    ],
)
def test_a_caller_outside_the_operators_is_warned_before_any_write(
    operators: list[str], caller: str, warned: bool
) -> None:
    spec = spec_with(operators)
    notes = caller_notes(PLAN, spec, caller)
    assert bool(notes) is warned
    if warned:
        (note,) = notes
        assert note.severity == "warning" and "organization.operators" in note.message
        assert operator_patterns(spec)[-1] in note.message  # says how to run as the right one
    assert caller_notes(Plan(changes=()), spec, caller) == []  # nothing to apply: nothing to warn about


def test_operators_outside_the_management_account_are_refused() -> None:
    from bootstrap.errors import SpecError

    with pytest.raises(SpecError, match="not a principal of the management account"):
        spec_with(["arn:aws:iam::999999999999:role/Admin"])
