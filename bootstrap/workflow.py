"""The thin shell shared by the CLI and the demo: spec -> desired -> observe -> plan -> apply -> verify."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from bootstrap.apply.adopt import Adoption, find_adoption
from bootstrap.apply.context import ApplyContext
from bootstrap.apply.engine import ApplyResult, Reporter, execute
from bootstrap.apply.journal import Journal, now
from bootstrap.aws.session import MEMBER_ROLE, Sessions
from bootstrap.changes import Action, Plan
from bootstrap.desired import desired_state
from bootstrap.errors import StalePlanError
from bootstrap.observe.live import observe
from bootstrap.plan.diff import make_plan, registry_from
from bootstrap.plan.operators import caller_notes
from bootstrap.resources import DesiredState
from bootstrap.spec.model import LandingZoneSpec


def member_roles(spec: LandingZoneSpec) -> tuple[str, ...]:
    """The roles to enter member accounts as: the bootstrap role first (accounts the toolkit creates have it,
    and the guardrails exempt it), then OrganizationAccountAccessRole (accounts it adopted)."""
    return (spec.organization.bootstrap_role, MEMBER_ROLE)


def spec_digest(spec: LandingZoneSpec) -> str:
    blob = json.dumps(spec.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass
class LivePlan:
    spec: LandingZoneSpec
    desired: DesiredState
    plan: Plan
    observed_fingerprint: str


def plan_live(spec: LandingZoneSpec, sessions: Sessions) -> tuple[LivePlan, ApplyContext]:
    """Observe live state and diff it against the spec. The account pin is checked first."""
    sessions.require_management_account(spec.organization.management_account_id)
    desired = desired_state(spec)
    observed = observe(sessions, desired)
    plan = make_plan(
        desired,
        observed,
        scps_per_target=spec.organization.policy_limits.scps_per_target,
        spec_digest=spec_digest(spec),
        management_account_id=spec.organization.management_account_id,
        created_at=now(),
    )
    plan = replace(plan, notes=(*plan.notes, *caller_notes(plan, spec, sessions.caller_arn)))
    ctx = ApplyContext(
        sessions=sessions, desired=desired, registry=registry_from(desired, observed), journal=_NullRecorder()
    )
    return LivePlan(spec, desired, plan, observed.fingerprint()), ctx


def find_live_adoption(spec: LandingZoneSpec, sessions: Sessions, address: str) -> tuple[Adoption, ApplyContext]:
    """What `bootstrap adopt ADDRESS` would tag, read from live state as `plan` reads it."""
    sessions.require_management_account(spec.organization.management_account_id)
    desired = desired_state(spec)
    observed = observe(sessions, desired)
    ctx = ApplyContext(
        sessions=sessions, desired=desired, registry=registry_from(desired, observed), journal=_NullRecorder()
    )
    return find_adoption(desired, observed, address), ctx


def check_saved_plan(saved: Plan, live: LivePlan, journal: Journal) -> frozenset[str]:
    """Refuse a saved plan unless live state is what it was made from; return changes already done.

    A saved plan whose apply was interrupted may resume: live state then differs only by the changes the
    journal says that run finished, so the fresh plan must be the saved plan minus those.
    """
    if saved.spec_digest != live.plan.spec_digest:
        raise StalePlanError(
            "the spec has changed since this plan was made", "Make a new plan: `bootstrap plan --out FILE`."
        )
    if saved.management_account_id != live.spec.organization.management_account_id:
        raise StalePlanError("this plan was made for another management account", "Make a new plan.")
    if saved.state_fingerprint == live.observed_fingerprint:
        return frozenset()
    run = journal.last_run()
    if run is not None and run.plan_id == saved.plan_id and run.status != "complete":
        remaining = {c.address: c.action for c in saved.changes if c.address not in run.done}
        if all(_still_planned(remaining.get(c.address), c.action) for c in live.plan.changes):
            return frozenset(run.done)
    raise StalePlanError(
        "live state has changed since this plan was made, so it may no longer do what you reviewed",
        "Make a new plan (`bootstrap plan --out FILE`), review it, and apply that.",
    )


def _still_planned(saved: Action | None, fresh: Action) -> bool:
    """A fresh change the interrupted saved plan still covers: the same action, or a create whose object
    has since appeared as a side effect of a finished change (AWS creates the bootstrap role with the
    account): the saved create finds it and adopts it, which is what the fresh update would do."""
    return saved is fresh or (saved is Action.CREATE and fresh is Action.UPDATE)


def apply_changes(
    plan: Plan,
    ctx: ApplyContext,
    journal: Journal,
    reporter: Reporter,
    *,
    allow_destroy: bool,
    already_done: frozenset[str] = frozenset(),
) -> ApplyResult:
    ctx.journal = journal
    return execute(plan, ctx, journal, reporter, allow_destroy=allow_destroy, already_done=already_done)


def journal_for(spec_path: Path) -> Journal:
    return Journal(spec_path.resolve().parent / ".bootstrap" / "journal.jsonl")


class _NullRecorder:
    def record(self, address: str, **data: object) -> None:
        del address, data
