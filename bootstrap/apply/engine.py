"""Execute a plan: changes in dependency order, independent ones in parallel (bounded by the sessions'
parallelism), each journaled.

A failed change stops only what depends on it; everything else still runs, then the failures are
reported together, each with its account, region and what to do, with the account-regions the plan could not
read (`Plan.failures`): one failing account-region never stops the others. Ctrl-C stops scheduling, lets
running calls finish, journals them, and says how to resume. Nothing here decides *what* to change: that is
the plan's job.
"""

from __future__ import annotations

import graphlib
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Protocol

from botocore.exceptions import BotoCoreError, ClientError

from bootstrap.apply.context import ApplyContext
from bootstrap.apply.journal import Journal
from bootstrap.changes import Action, Change, Plan
from bootstrap.errors import ApplyInterrupted, AwsError, BootstrapError, SafetyError
from bootstrap.plan.refs import contains_unknown
from bootstrap.types.base import Outputs
from bootstrap.types.registry import handler_for


class Reporter(Protocol):
    def started(self, change: Change) -> None: ...

    def finished(self, change: Change, error: str | None) -> None: ...


@dataclass
class ApplyResult:
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    remediations: dict[str, str] = field(default_factory=dict)
    """Per failed change, what the user can do about it (the error's own remediation line)."""


def execute(
    plan: Plan,
    ctx: ApplyContext,
    journal: Journal,
    reporter: Reporter,
    *,
    allow_destroy: bool = False,
    already_done: frozenset[str] = frozenset(),
    max_workers: int | None = None,
    run_id: str | None = None,
) -> ApplyResult:
    """Run the plan's changes. `max_workers`: changes in flight at once (default: `sessions.parallelism`,
    as the readers: a change waits only for the changes it depends on, not for a slot in a small pool).
    `run_id`: the plan id the journal files this run under (a resumed saved plan's, when what runs is the
    part of it the fresh plan still shows), so that a resume of the resume still finds it."""
    destructive = [c.address for c in plan.changes if c.needs_consent]
    if destructive and not allow_destroy:
        raise SafetyError(
            f"the plan has {len(destructive)} destructive change(s): {', '.join(destructive)}",
            "Review them, then run apply again with --allow-destroy.",
        )
    if plan.blocked:
        raise SafetyError(
            "the plan has errors that must be resolved first: "
            + "; ".join(f"{n.address}: {n.message}" for n in plan.blocked),
            "Fix what the notes say, then plan again.",
        )
    changes = {c.address: c for c in plan.changes}
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter(
        {a: {d for d in c.depends_on if d in changes} for a, c in changes.items()}
    )
    sorter.prepare()
    result = ApplyResult()
    journal.begin(run_id or plan.plan_id, len(changes))
    running: dict[Future[Outputs | None], Change] = {}
    pool = ThreadPoolExecutor(max_workers=max_workers or ctx.sessions.parallelism, thread_name_prefix="apply")
    settled = False  # False while the loop runs: anything that escapes it (a bug) still closes the run
    try:
        while sorter.is_active():
            skipped_any = False
            for address in sorter.get_ready():
                change = changes[address]
                if address in already_done:
                    # Journaled as done in this run too, so that a resumed run interrupted again still
                    # knows everything its plan has finished.
                    result.skipped.append(address)
                    journal.done(address, None)
                    sorter.done(address)
                    skipped_any = True
                    continue
                reporter.started(change)
                journal.started(address, change.action.value)
                running[pool.submit(_apply_one, ctx, change)] = change
            if not running:
                if skipped_any:
                    continue  # skipping may have made the changes after them ready
                break  # what is left depends on a failed change
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                change = running.pop(future)
                _settle(future, change, ctx, journal, reporter, result, sorter)
        settled = True
    except KeyboardInterrupt:
        settled = True
        pool.shutdown(wait=True, cancel_futures=True)
        for future, change in running.items():
            if future.done() and not future.cancelled():
                _settle(future, change, ctx, journal, reporter, result, sorter)
        journal.end("interrupted")
        remaining = len(changes) - len(result.done) - len(result.skipped)
        raise ApplyInterrupted(
            f"apply interrupted: {len(result.done)} change(s) done, {remaining} not done",
            "Run `bootstrap apply` again: it re-reads live state and resumes where this run stopped.",
        ) from None
    finally:
        if not settled:  # an unexpected error: let running calls finish, record the run as failed
            pool.shutdown(wait=True, cancel_futures=True)
            journal.end("failed")
    pool.shutdown(wait=True)
    blocked = [a for a in changes if a not in result.done and a not in result.failed and a not in result.skipped]
    if result.failed or plan.failures:
        journal.end("failed" if result.failed else "complete")
        raise AwsError(*_failure_summary(plan, changes, result, blocked))
    journal.end("complete")
    return result


def _failure_summary(
    plan: Plan, changes: dict[str, Change], result: ApplyResult, blocked: list[str]
) -> tuple[str, str]:
    """The message and remediation of a run that finished what it could: each failed change with its account,
    region and what to do, then each account-region the plan could not read."""
    lines = [f"{len(result.failed)} change(s) failed ({len(result.done)} done)."]
    if blocked:
        lines[0] += f" {len(blocked)} change(s) waiting on them were not started."
    for address, message in result.failed.items():
        where = changes[address].location
        fix = result.remediations.get(address, "")
        lines.append(f"- {address} ({where.account} / {where.region}): {message}" + (f" Fix: {fix}" if fix else ""))
    if plan.failures:
        lines.append(f"{len(plan.failures)} account-region(s) could not be read, so nothing was planned there:")
        lines += [f"- {note.address}: {note.message}" for note in plan.failures]
    hints = " ".join(dict.fromkeys(r.rstrip(".") + "." for r in result.remediations.values() if r))
    remediation = (
        f"{hints} Finished changes are not repeated."
        if hints
        else "Fix the causes above and run `bootstrap apply` again; finished changes are not repeated."
    )
    return "\n".join(lines), remediation


def _settle(
    future: Future[Outputs | None],
    change: Change,
    ctx: ApplyContext,
    journal: Journal,
    reporter: Reporter,
    result: ApplyResult,
    sorter: graphlib.TopologicalSorter[str],
) -> None:
    try:
        outputs = future.result()
    except (BootstrapError, ClientError, BotoCoreError) as err:
        message = err.message if isinstance(err, BootstrapError) else str(err)
        result.failed[change.address] = message
        if isinstance(err, BootstrapError) and err.remediation:
            result.remediations[change.address] = err.remediation
        journal.failed(change.address, message)
        reporter.finished(change, message)
        return
    resource = ctx.desired.by_address.get(change.address)
    if outputs is not None and resource is not None:
        ctx.registry.set(resource.logical_id, outputs.ref, outputs.attributes)
    result.done.append(change.address)
    journal.done(change.address, outputs.ref if outputs else None)
    reporter.finished(change, None)
    sorter.done(change.address)


def _apply_one(ctx: ApplyContext, change: Change) -> Outputs | None:
    handler = handler_for(change.type)
    if change.action is Action.DELETE:
        handler.delete(ctx, change)
        return None
    resource = ctx.desired.by_address[change.address]
    props = ctx.registry.resolve(dict(resource.properties))
    if contains_unknown(props):
        raise AwsError(f"{change.address}: a resource it refers to has no id yet", "Run apply again.")
    if change.action is Action.REPLACE:
        handler.delete(ctx, change)
        return handler.create(ctx, resource, props, change)
    if change.action is Action.CREATE:
        return handler.create(ctx, resource, props, change)
    return handler.update(ctx, resource, props, change)
