"""After an apply that created accounts, their new ids are known from the next plan's labels (moto)."""

from __future__ import annotations

from typing import Any

from bootstrap.aws.session import Sessions
from bootstrap.plan.after_apply import created_account_ids, created_accounts_line
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live


def test_the_ids_of_the_accounts_an_apply_created_are_reported(
    spec: LandingZoneSpec, sessions: Sessions, run_plan: Any, outsider: Any
) -> None:
    live, ctx = plan_live(spec, sessions)
    result = run_plan(live.plan, ctx)
    after, _ = plan_live(spec, sessions)
    found = created_account_ids(live.plan, after.plan, set(result.done))
    names = {a.name for a in spec.accounts}
    assert found == {name: outsider.account_id(name) for name in names}
    line = created_accounts_line(live.plan, after.plan, set(result.done))
    assert line is not None and all(f"{name} {outsider.account_id(name)}" in line for name in names)
