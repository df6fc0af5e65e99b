"""The thin shell shared by the CLI and the demo: spec -> desired -> observe -> plan -> apply -> verify."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from bootstrap.apply.adopt import Adoption, find_adoption
from bootstrap.apply.context import ApplyContext
from bootstrap.apply.engine import ApplyResult, Reporter, execute
from bootstrap.apply.journal import Journal, RunRecord, now
from bootstrap.apply.lock import ApplyLock
from bootstrap.aws.session import MEMBER_ROLE, Sessions
from bootstrap.changes import Action, Note, Plan
from bootstrap.desired import build_blueprints, desired_state
from bootstrap.errors import StalePlanError
from bootstrap.observe.live import observe
from bootstrap.observed import ObservedState
from bootstrap.plan.diff import make_plan, registry_from
from bootstrap.plan.network_live import live_network
from bootstrap.plan.operators import caller_notes
from bootstrap.plan.origin import desired_digests, mark_origins
from bootstrap.plan.stale import stale_plan_message
from bootstrap.render.atomic import atomic_write
from bootstrap.resources import DesiredState
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.spec.network_plan import allocate


def _applied_path(journal: Journal) -> Path:
    return journal.path.parent / "applied.json"


def record_applied(journal: Journal, desired: DesiredState) -> None:
    """After an apply whose check found nothing left to do: what the spec asked of each address, as digests,
    so the next plan can tell drift from the spec's own changes (`bootstrap.plan.origin`). Only labels; AWS
    stays the state."""
    atomic_write(_applied_path(journal), json.dumps(desired_digests(desired), sort_keys=True, indent=0) + "\n")


def read_applied(journal: Journal) -> dict[str, str] | None:
    """The digests `record_applied` wrote, or None (never applied from here, or unreadable: no labels then)."""
    try:
        data = json.loads(_applied_path(journal).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None


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


def plan_live(
    spec: LandingZoneSpec, sessions: Sessions, journal: Journal | None = None
) -> tuple[LivePlan, ApplyContext]:
    """Observe live state and diff it against the spec. The account pin is checked first.

    With a `journal` whose last run stopped unfinished, what that run was cut off doing is taken into
    account: its notes go to the handlers (`ApplyContext.resumed`), and a bucket it was creating, found
    without the tags it never got, is planned as that create again (`_cut_short_creates`)."""
    sessions.require_management_account(spec.organization.management_account_id)
    desired = desired_state(spec)
    observed = observe(sessions, desired)
    desired = with_live_network(spec, desired, observed)
    run = journal.last_run() if journal is not None else None
    if run is not None and run.finished:
        run = None
    resumed_notes = _cut_short_creates(observed, run) if run is not None else []
    plan = make_plan(
        desired,
        observed,
        scps_per_target=spec.organization.policy_limits.scps_per_target,
        spec_digest=spec_digest(spec),
        management_account_id=spec.organization.management_account_id,
        created_at=now(),
    )
    plan = replace(plan, notes=(*plan.notes, *resumed_notes, *caller_notes(plan, spec, sessions.caller_arn)))
    plan = mark_origins(plan, desired, read_applied(journal) if journal is not None else None)
    ctx = ApplyContext(
        sessions=sessions,
        desired=desired,
        registry=registry_from(desired, observed),
        journal=_NullRecorder(),
        resumed_notes=run.notes if run is not None else {},
    )
    return LivePlan(spec, desired, plan, plan.state_fingerprint), ctx


def with_live_network(spec: LandingZoneSpec, desired: DesiredState, observed: ObservedState) -> DesiredState:
    """The desired state with the custom VPCs' blocks allocated against live state: a VPC that exists keeps its
    live block, a new one gets the lowest free block no VPC seen in the organization uses (the VPC readers note
    every VPC's block, the toolkit's or not); a subnet that exists keeps its live block while it has its tier's
    size, a new one gets the lowest free block no live subnet of its VPC uses (`bootstrap.plan.network_live`).
    `render` shows the allocation of an empty organization instead. Addresses do not depend on blocks, so what
    was observed for `desired` holds for the result."""
    rendered = allocate(spec)
    if not rendered:  # no VPC lands in any account (yet)
        return desired
    live = live_network(rendered, observed)
    placed = allocate(spec, live=live.live, taken=live.taken, subnets=live.subnets)
    if placed == rendered:  # every block where `render` puts it (a settled organization): nothing to build again
        return desired
    return desired_state(spec, build_blueprints(spec, placed))


FINISHED_BY_CREATING_AGAIN = frozenset({"AWS::S3::Bucket"})
"""Types whose create cannot carry the ownership tags (S3's CreateBucket takes none: they are a second call),
and whose create, run again on the object it made, finishes it (S3 answers `BucketAlreadyOwnedByYou`, and
the handler tags it and applies every setting). Every other create passes its tags in the create call."""


def _cut_short_creates(observed: ObservedState, run: RunRecord) -> list[Note]:
    """A create the journal shows begun and never finished, whose object is found without the toolkit's
    tags, was cut off between its calls (killed after CreateBucket, before tagging): the object is the
    toolkit's own, half made. The plan did not see it when the run began (it planned a create), so it is
    planned as that create again, which finishes it, instead of blocking the plan as someone else's."""
    notes = []
    for address in sorted(run.cut_short()):
        live = observed.resources.get(address)
        if run.started[address] != Action.CREATE.value or live is None or live.owned:
            continue
        if live.type not in FINISHED_BY_CREATING_AGAIN:
            continue
        del observed.resources[address]
        notes.append(
            Note(
                address,
                f"{live.physical_id} was being created by the apply that stopped (started {run.started_at}) and "
                "has no tags yet: creating it again finishes it (tags, then every setting the spec gives it)",
                "warning",
            )
        )
    return notes


def apply_lock(spec: LandingZoneSpec, sessions: Sessions) -> ApplyLock:
    """The lock every apply of this organization takes (`bootstrap.apply.lock`): in the management account
    (checked first: the lock is written there), in the home region."""
    sessions.require_management_account(spec.organization.management_account_id)
    ssm = sessions.client("ssm", region=spec.organization.home_region)
    return ApplyLock(ssm, sessions.caller_arn)


def find_live_adoption(spec: LandingZoneSpec, sessions: Sessions, address: str) -> tuple[Adoption, ApplyContext]:
    """What `bootstrap adopt ADDRESS` would tag, read from live state as `plan` reads it."""
    sessions.require_management_account(spec.organization.management_account_id)
    desired = desired_state(spec)
    observed = observe(sessions, desired)
    desired = with_live_network(spec, desired, observed)
    ctx = ApplyContext(
        sessions=sessions, desired=desired, registry=registry_from(desired, observed), journal=_NullRecorder()
    )
    return find_adoption(desired, observed, address), ctx


@dataclass(frozen=True)
class SavedPlanRun:
    """What to run for a saved plan: the plan itself, or (resuming) the part of it the fresh plan still shows."""

    plan: Plan
    run_id: str
    """The saved plan's id: the journal files a resumed run under it, so a resume of the resume finds it."""
    resumed_from: RunRecord | None = None


def resume_saved_plan(saved: Plan, live: LivePlan, journal: Journal) -> SavedPlanRun:
    """Refuse a saved plan unless live state is what it was made from, or what an interrupted apply of it
    left. Resuming runs the fresh plan, not the saved one: a change that finished without being journaled
    (killed between the call and the journal line) is then not made twice, and nothing runs that was not
    in the saved plan."""
    check_saved_plan(saved, live, journal)
    if saved.state_fingerprint == live.observed_fingerprint:
        return SavedPlanRun(saved, saved.plan_id)
    return SavedPlanRun(live.plan, saved.plan_id, journal.last_run())


def check_saved_plan(saved: Plan, live: LivePlan, journal: Journal) -> frozenset[str]:
    """Refuse a saved plan unless live state is what it was made from; return changes already done.

    A saved plan whose apply was interrupted may resume: live state then differs only by what that run did,
    so every change of the fresh plan must be one the saved plan still had to make.
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
    resumable = run is not None and run.plan_id == saved.plan_id and run.status != "complete"
    if run is not None and resumable:
        remaining = {c.address: c.action for c in saved.changes if c.address not in run.done}
        if all(_still_planned(remaining.get(c.address), c.action) for c in live.plan.changes):
            return frozenset(run.done)
    done = frozenset(run.done) if run is not None and resumable else frozenset()
    raise StalePlanError(
        stale_plan_message(saved, live.plan, done),
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
    run_id: str | None = None,
) -> ApplyResult:
    ctx.journal = journal
    return execute(plan, ctx, journal, reporter, allow_destroy=allow_destroy, already_done=already_done, run_id=run_id)


def journal_for(spec_path: Path) -> Journal:
    return Journal(spec_path.resolve().parent / ".bootstrap" / "journal.jsonl")


class _NullRecorder:
    def record(self, address: str, **data: object) -> None:
        del address, data
