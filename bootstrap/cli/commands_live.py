"""Commands that read (and change) live AWS state: plan, apply, status, adopt.

The workflow (boto3, observers, planner, engine) is imported inside each command, not here: registering
these commands must not slow down the ones that never call AWS.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from bootstrap.cli.interrupts import interruptible, on_interrupt
from bootstrap.cli.options import DEFAULT_SPEC, GlobalOptions, SpecOption, read_spec
from bootstrap.console import apply_reporter, make_consoles, print_stats, reading
from bootstrap.errors import Cancelled, InputError, SafetyError

if TYPE_CHECKING:
    from bootstrap.aws.session import Sessions
    from bootstrap.changes import Plan
    from bootstrap.spec.model import LandingZoneSpec

EXIT_NO_CHANGES = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2

ONLY_READS = "it only reads, so nothing was changed in AWS or written to disk"
NOTHING_CHANGED = "nothing was changed in AWS"
JOURNALED = "the journal (.bootstrap/journal.jsonl next to the spec) records what was done"
RESUME = "Run `bootstrap apply` again: it re-reads live state and resumes where this run stopped."

StatsOption = Annotated[bool, typer.Option("--stats", help="Print the API calls made, by operation.")]


def register(app: typer.Typer) -> None:
    app.command()(interruptible("plan interrupted", f"it only reads, so {NOTHING_CHANGED}")(plan))
    app.command()(interruptible("apply interrupted", JOURNALED, RESUME)(apply))
    app.command()(interruptible("status interrupted", ONLY_READS)(status))
    app.command()(interruptible("adopt interrupted", JOURNALED)(adopt))


def plan(
    ctx: typer.Context,
    spec: SpecOption = DEFAULT_SPEC,
    json_output: Annotated[bool, typer.Option("--json", help="Print the plan as versioned JSON.")] = False,
    out_file: Annotated[Path | None, typer.Option("--out", help="Save the plan for `bootstrap apply FILE`.")] = None,
    stats: StatsOption = False,
) -> int:
    """Read live state and show what apply would change. Exit 0: nothing to do; 2: changes; 1: error."""
    from bootstrap.plan.render import print_plan
    from bootstrap.plan.saved import plan_to_json
    from bootstrap.spec.flags import check_output_file
    from bootstrap.workflow import journal_for, plan_live

    options: GlobalOptions = ctx.obj
    out, err = make_consoles()
    checked = read_spec(spec)
    if out_file is not None:
        check_output_file(out_file, "--out")
    sessions = options.sessions(checked)
    started = time.monotonic()
    with on_interrupt("plan interrupted while reading live state", ONLY_READS), reading(err):
        live, _ = plan_live(checked, sessions, journal_for(spec))  # reads the journal, never writes it
    result = live.plan
    if out_file is not None:
        from bootstrap.render.atomic import atomic_write

        atomic_write(out_file, plan_to_json(result))
    if json_output:
        sys.stdout.write(plan_to_json(result))
    else:
        print_plan(result, out)
        took = time.monotonic() - started
        out.print(f"[dim]Read live state with {sessions.stats.total} API calls in {took:.1f}s.[/]")
        if out_file is not None:
            out.print(escape(f"Saved the plan to {out_file}; apply it with `bootstrap apply {out_file}`."))
    if stats:
        print_stats(sessions.stats, err)
    if result.blocked or result.failures:  # failures: account-regions that could not be read (listed above)
        return EXIT_ERROR
    return EXIT_NO_CHANGES if result.empty else EXIT_CHANGES


def apply(
    ctx: typer.Context,
    plan_file: Annotated[Path | None, typer.Argument(help="A plan saved by `bootstrap plan --out`.")] = None,
    spec: SpecOption = DEFAULT_SPEC,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    allow_destroy: Annotated[
        bool, typer.Option("--allow-destroy", help="Allow deleting objects the toolkit owns.")
    ] = False,
    stats: StatsOption = False,
    force_unlock: Annotated[
        str | None,
        typer.Option(
            "--force-unlock",
            metavar="ID",
            help="Remove the apply lock ID left by an apply that stopped (the refusal names it), then exit.",
        ),
    ] = None,
) -> int:
    """Make live state match the spec: exactly the plan, in dependency order, journaled and resumable.

    One apply at a time per organization: a lock in the management account (an SSM parameter) is held while
    it runs, and released when it ends, fails or is interrupted."""
    from bootstrap.apply.lock import holding
    from bootstrap.plan.saved import check_plan_matches_spec, read_plan_file
    from bootstrap.workflow import apply_lock, spec_digest

    options: GlobalOptions = ctx.obj
    out, _ = make_consoles()
    checked = read_spec(spec)
    saved = None
    if plan_file is not None:
        saved = read_plan_file(plan_file)
        check_plan_matches_spec(saved, spec_digest(checked), checked.organization.management_account_id, str(plan_file))
    sessions = options.sessions(checked)
    if force_unlock is not None:
        held = apply_lock(checked, sessions).force_unlock(force_unlock)
        out.print(f"Removed the apply lock {held.id}, held by {held.describe()}. Run `bootstrap apply` again.")
        return EXIT_NO_CHANGES
    with holding(apply_lock(checked, sessions)):
        return _apply_locked(
            checked, sessions, spec, saved, plan_file, yes=yes, allow_destroy=allow_destroy, stats=stats
        )


def _apply_locked(
    checked: LandingZoneSpec,
    sessions: Sessions,
    spec: Path,
    saved: Plan | None,
    plan_file: Path | None,
    *,
    yes: bool,
    allow_destroy: bool,
    stats: bool,
) -> int:
    from bootstrap.changes import UNAVAILABLE
    from bootstrap.plan.after_apply import created_accounts_line
    from bootstrap.plan.render import print_plan
    from bootstrap.plan.stale import earlier_apply_line
    from bootstrap.workflow import apply_changes, journal_for, plan_live, record_applied, resume_saved_plan

    out, err = make_consoles()
    journal = journal_for(spec)
    with on_interrupt("apply interrupted before changing anything", NOTHING_CHANGED):
        with reading(err):
            live, apply_ctx = plan_live(checked, sessions, journal)
        to_apply, run_id = live.plan, None
        if saved is not None:
            chosen = resume_saved_plan(saved, live, journal)  # refuses a stale plan before saying anything
            to_apply, run_id = chosen.plan, chosen.run_id
            if chosen.resumed_from is not None:
                run = chosen.resumed_from
                err.print(
                    f"[yellow]Resuming {plan_file}: its apply (started {run.started_at}) stopped ({run.status}) "
                    f"with {len(run.done)} of {run.total} changes journaled as done. Live state was read again: "
                    f"what it still needs, {len(to_apply.changes)} change(s), is all from that plan.[/]"
                )
        elif (last := journal.last_run()) is not None and not last.finished:
            said = earlier_apply_line(
                started_at=last.started_at, status=last.status, done=len(last.done), total=last.total
            )
            err.print(f"[yellow]{escape(said)}[/]")
        if not to_apply.blocked and to_apply.empty:
            if to_apply.failures:
                print_plan(replace(to_apply, changes=()), out)  # what could not be read, and what to do
                return EXIT_ERROR
            if any(n.severity in ("warning", UNAVAILABLE) for n in to_apply.notes):
                print_plan(replace(to_apply, changes=()), out)  # the warnings, and a summary that keeps them
            else:
                out.print("[green]No changes. Live state matches the spec.[/]")
            return EXIT_NO_CHANGES
        print_plan(to_apply, out, allow_destroy=allow_destroy)
        _check_allowed(to_apply, allow_destroy=allow_destroy)
        if not yes and not _confirmed():
            out.print("Nothing changed.")
            return EXIT_NO_CHANGES
    started = time.monotonic()
    with apply_reporter(out, len(to_apply.changes)) as reporter:
        result = apply_changes(to_apply, apply_ctx, journal, reporter, allow_destroy=allow_destroy, run_id=run_id)
    out.print(f"[green]Applied {len(result.done)} change(s) in {time.monotonic() - started:.1f}s.[/]")
    with (
        on_interrupt(
            "apply interrupted while verifying",
            f"the {len(result.done)} change(s) were applied and journaled; only the final check was cut short",
            "Run `bootstrap plan` to check that live state matches the spec.",
        ),
        reading(err, "Verifying"),
    ):
        verify, _ = plan_live(checked, sessions, journal)
    if stats:
        print_stats(sessions.stats, err)
    if (accounts := created_accounts_line(to_apply, verify.plan, set(result.done))) is not None:
        out.print(escape(accounts))
    if verify.plan.failures:
        out.print("[red]Some account-regions could not be read again to verify:[/]")
        print_plan(verify.plan, out)
        return EXIT_ERROR
    if verify.plan.empty and not verify.plan.blocked:
        record_applied(journal, verify.desired)  # so the next plan can tell drift from the spec's changes
        missing = [n.address for n in verify.plan.notes if n.severity == UNAVAILABLE]
        if missing:  # never "matches" while the endpoint could not provide part of the spec
            out.print(
                "[green]Verified: live state now matches the spec[/], except what this endpoint cannot provide: "
                + escape(", ".join(missing))
                + " (see `bootstrap plan`)."
            )
            return EXIT_NO_CHANGES
        out.print("[green]Verified: live state now matches the spec.[/]")
        return EXIT_NO_CHANGES
    if verify.plan.blocked:
        out.print("[red]Live state does not match the spec, and the plan is blocked:[/]")
        print_plan(verify.plan, out)
        return EXIT_ERROR
    out.print("[yellow]Live state does not fully match the spec yet (AWS may still be settling):[/]")
    print_plan(verify.plan, out)
    return EXIT_CHANGES


def _check_allowed(plan: Plan, *, allow_destroy: bool) -> None:
    destructive = [c for c in plan.changes if c.needs_consent]  # not the removals the spec asks for by name
    if destructive and not allow_destroy:
        raise SafetyError(
            f"the plan has {len(destructive)} destructive change(s); nothing was changed",
            "Review them above, then run apply again with --allow-destroy.",
        )
    if plan.blocked:
        raise SafetyError(
            "the plan has errors (see the notes above); nothing was changed", "Resolve them, then plan again."
        )


def _confirmed(
    question: str = "Apply these changes?", rerun: str = "bootstrap apply --yes", *, what: str = "apply"
) -> bool:
    """Ask before changing anything. Ctrl-C (or end of input) at the question cancels: typer raises its Abort."""
    if not sys.stdin.isatty():
        raise InputError(
            f"{what} needs a confirmation, and there is no terminal to ask on",
            f"Review what it will do, then run `{rerun}`.",
        )
    try:
        return typer.confirm(question, default=False)
    except typer.Abort:
        raise Cancelled(f"{what} cancelled at the confirmation: {NOTHING_CHANGED}") from None


def status(
    ctx: typer.Context,
    spec: SpecOption = DEFAULT_SPEC,
    json_output: Annotated[bool, typer.Option("--json", help="Print the checklist as versioned JSON.")] = False,
) -> int:
    """The day-one checklist: every manual step, verified against live state where AWS lets us read it.

    Exit 0: nothing pending (each step done, or not verifiable); 2: a step is pending; 1: a step could not be
    read, or an error."""
    from bootstrap.status.report import collect_status, exit_code, print_status, status_json

    options: GlobalOptions = ctx.obj
    out, err = make_consoles()
    checked = read_spec(spec)
    sessions = options.sessions(checked)
    with on_interrupt("status interrupted while reading live state", ONLY_READS), reading(err):
        sessions.require_management_account(checked.organization.management_account_id)
        rows = collect_status(checked, sessions)
    if json_output:
        sys.stdout.write(status_json(rows))
    else:
        print_status(rows, out)
    return exit_code(rows)


def adopt(
    ctx: typer.Context,
    address: Annotated[str, typer.Argument(help="The address to adopt, as `bootstrap plan` names it.")],
    spec: SpecOption = DEFAULT_SPEC,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> int:
    """Stamp the toolkit's ownership tags back on the object that holds ADDRESS (its tags were removed).

    Only tags change; the next `plan` then shows, and `apply` repairs, any difference from the spec."""
    from bootstrap.apply.adopt import adopt as stamp
    from bootstrap.workflow import find_live_adoption

    options: GlobalOptions = ctx.obj
    out, err = make_consoles()
    checked = read_spec(spec)
    sessions = options.sessions(checked)
    with reading(err):
        adoption, apply_ctx = find_live_adoption(checked, sessions, address)
    out.print(f"Will adopt {escape(adoption.describe())}.")
    question = "Is this the landing zone's own object? Adopt it?"
    if not yes and not _confirmed(question, f"bootstrap adopt {address} --yes", what="adopt"):
        out.print("Nothing changed.")
        return EXIT_NO_CHANGES
    stamp(apply_ctx, adoption)
    out.print(f"[green]Adopted {escape(address)}.[/] Run `bootstrap plan` to see what differs from the spec.")
    return EXIT_NO_CHANGES
