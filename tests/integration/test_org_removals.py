"""What the plan tells a reviewer when OUs and accounts leave the spec, against moto: which account and
what to do with it, an OU that still holds accounts refused at plan time, and `renamed_from` named when
an edit looks like a rename without it."""

from __future__ import annotations

from typing import Any

from bootstrap.aws.session import Sessions
from bootstrap.changes import Action
from bootstrap.workflow import plan_live


def _with_labs(data: dict[str, Any]) -> None:
    data["organizational_units"].append({"path": "Labs"})
    data["accounts"].append({"name": "lab", "ou": "Labs"})


def _without_labs(data: dict[str, Any]) -> None:
    """The OU and its account both taken out of the spec."""


def test_an_ou_that_still_holds_accounts_is_refused_at_plan_time(
    variant: Any, sessions: Sessions, apply: Any, outsider: Any
) -> None:
    assert not apply(variant(_with_labs), sessions).failed
    lab = outsider.account_id("lab")
    plan = plan_live(variant(_without_labs), sessions)[0].plan
    assert "organizations/ou/Labs" not in {c.address for c in plan.changes if c.action is Action.DELETE}
    (refusal,) = [n for n in plan.blocked if n.address == "organizations/ou/Labs"]
    assert f"lab ({lab})" in refusal.message
    assert "AWS cannot delete an OU with accounts in it" in refusal.message
    assert plan.summary().startswith("Blocked")


def test_an_account_left_out_of_the_spec_is_named_with_what_to_do(
    variant: Any, sessions: Sessions, apply: Any, outsider: Any
) -> None:
    assert not apply(variant(_with_labs), sessions).failed
    lab = outsider.account_id("lab")

    def keep_labs_only(data: dict[str, Any]) -> None:
        data["organizational_units"].append({"path": "Labs"})

    plan = plan_live(variant(keep_labs_only), sessions)[0].plan
    (note,) = [n for n in plan.notes if n.address == "organizations/accounts"]
    assert f"lab ({lab}, in Labs)" in note.message
    assert "ou: Suspended" in note.message and "close it by hand" in note.message
    assert not plan.blocked, "an empty OU (Labs stays) and an account left alone block nothing"


def test_a_rename_without_renamed_from_says_that_renamed_from_exists(
    variant: Any, sessions: Sessions, apply: Any
) -> None:
    assert not apply(variant(lambda data: None), sessions).failed

    def rename(data: dict[str, Any]) -> None:
        for ou in data["organizational_units"]:
            if ou["path"] == "Sandbox":
                ou["path"] = "Experiments"

    plan = plan_live(variant(rename), sessions)[0].plan
    assert ("organizations/ou/Sandbox", Action.DELETE) in {(c.address, c.action) for c in plan.changes}
    (hint,) = [n for n in plan.notes if n.address == "organizations/ou/Experiments"]
    assert "add `renamed_from: Sandbox`" in hint.message
