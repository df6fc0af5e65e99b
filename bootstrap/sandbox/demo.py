"""`bootstrap demo`: the whole journey against the embedded sandbox, with a short report of each step.

spec -> render -> plan -> apply -> plan (nothing to do) -> outsider drift -> plan (exactly that drift)
-> apply (repaired) -> plan (nothing to do) -> status. It fails loudly if any step does not do what it
should, so it doubles as a smoke test of an installation.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
from rich.console import Console
from rich.markup import escape

from bootstrap.apply.journal import Journal
from bootstrap.aws.session import AwsTarget, Sessions
from bootstrap.changes import UNAVAILABLE, Action, Plan
from bootstrap.console import LineReporter
from bootstrap.desired import desired_state
from bootstrap.errors import BootstrapError
from bootstrap.plan.after_apply import ACCOUNT, created_accounts_line
from bootstrap.plan.render import print_plan
from bootstrap.render.artifacts import render_artifacts
from bootstrap.render.atomic import atomic_write
from bootstrap.sandbox.server import SANDBOX_ACCOUNT_ID, running_sandbox, sandbox_environment
from bootstrap.sandbox.tamper import (
    Drift,
    tamper_billing,
    tamper_custom_vpc,
    tamper_network,
    tamper_organization,
    tamper_roles,
    tamper_trail,
)
from bootstrap.spec.answers import DEFAULT_ACCOUNTS, AccountAnswer, Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.spec.network_plan import allocate
from bootstrap.spec.roles import principal_pattern
from bootstrap.status.report import collect_status, print_status
from bootstrap.workflow import apply_changes, member_roles, plan_live, record_applied

DEMO_ACCOUNTS = [*DEFAULT_ACCOUNTS, AccountAnswer(name="workload-dev", ou="Workloads/NonProd")]
"""The default accounts and one workload account, so that the demo builds the Workloads OU's custom VPC (the
default spec's VPC targets that OU, which holds no account until one is added)."""


class DemoFailed(BootstrapError):
    """A demo step did not do what it should: the installation (or the toolkit) is broken."""


@contextmanager
def _workspace(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    folder = Path(tempfile.mkdtemp(prefix="bootstrap-demo-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class _Steps:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.number = 0

    def __call__(self, title: str) -> None:
        self.number += 1
        self.console.print(f"\n[bold cyan]{self.number}. {escape(title)}[/]")


def run_demo(console: Console, *, keep: Path | None = None) -> None:
    started = time.monotonic()
    step = _Steps(console)
    with running_sandbox() as sandbox, sandbox_environment(sandbox), _workspace(keep) as work:
        console.print(
            f"[bold]Sandbox:[/] a local AWS endpoint at {sandbox.url} (moto, 127.0.0.1 only); "
            f"management account {SANDBOX_ACCOUNT_ID}. No AWS account or credentials are used."
        )
        console.print(f"[bold]Files:[/] {escape(where_files_go(work, keep))}")
        step("init: write the default spec")
        caller = boto3.client("sts", endpoint_url=sandbox.url).get_caller_identity()["Arn"]
        operator = principal_pattern(caller)
        text = render_spec_yaml(
            Answers(
                management_account_id=SANDBOX_ACCOUNT_ID,
                operators=[operator] if operator else [],
                accounts=DEMO_ACCOUNTS,
            )
        )
        spec = parse_spec(text, "landing-zone.yaml")
        atomic_write(work / "landing-zone.yaml", text)
        console.print(f"  Wrote landing-zone.yaml: {len(spec.all_ou_paths())} OUs, {len(spec.accounts)} accounts.")
        for vpc in allocate(spec):
            console.print(
                f"  Custom VPC {vpc.spec.name} in {vpc.account} / {vpc.region}: {vpc.cidr} "
                f"({len(vpc.spec.subnets)} subnet tier(s) x {len(vpc.zones)} zones)"
            )

        step("render: SCPs, CloudFormation templates, runbooks")
        written = render_artifacts(spec, work / "out")
        console.print(
            f"  Wrote {len(written)} files to out/: "
            + ", ".join(sorted({p.relative_to(work / "out").parts[0] for p in written}))
        )

        sessions = Sessions(
            AwsTarget(endpoint_url=sandbox.url, max_attempts=3),
            default_region=sandbox.region,
            member_roles=member_roles(spec),
        )
        journal = Journal(work / ".bootstrap" / "journal.jsonl")

        step("plan: read live state, diff against the spec")
        first = _plan(spec, sessions)
        console.print(f"  {_by_type(first)}")
        console.print(f"  [bold]{first.summary()}[/]")
        for note in (n for n in first.notes if n.severity == UNAVAILABLE):
            console.print(f"  [yellow]not on this endpoint[/] {escape(note.address)}: {escape(note.message)}")

        step("apply")
        _apply(spec, sessions, journal, console, quiet=True)

        step("plan again: nothing to do")
        _expect_empty(spec, sessions, console)
        record_applied(journal, desired_state(spec))  # the next plan labels what changed behind its back as drift

        step("tamper: change the organization behind the toolkit's back (plain boto3, as an outsider)")
        drifts = (
            tamper_organization(spec, sandbox.url)
            + tamper_trail(spec, sandbox.url)
            + tamper_roles(spec, sandbox.url)
            + tamper_network(spec, sandbox.url)
            + tamper_billing(spec, sandbox.url)
            + tamper_custom_vpc(spec, sandbox.url)
        )
        for drift in drifts:
            console.print(f"  • {escape(drift.description)}")

        step("plan: finds exactly that drift")
        drift_plan = _plan(spec, sessions, journal)
        print_plan(drift_plan, console)
        _expect_drift(drift_plan, drifts)

        step("apply: repair the drift")
        _apply(spec, sessions, journal, console, quiet=False)

        step("plan again: nothing to do")
        _expect_empty(spec, sessions, console)

        step("status: the day-one checklist, each step verified against live state")
        print_status(collect_status(spec, sessions), console)
    console.print(
        f"\n[bold green]Demo complete in {time.monotonic() - started:.1f}s.[/] "
        "Next: `bootstrap sandbox` to try each command yourself, or `bootstrap init` for a real organization."
    )
    console.print(escape(what_was_kept(work, keep)))


KEEP_HINT = "`bootstrap demo --keep DIR` keeps them in DIR"


def where_files_go(work: Path, keep: Path | None) -> str:
    """The demo's first word on its files: where they are and whether they outlive it."""
    if keep is not None:
        return f"the spec (landing-zone.yaml) and the artifacts (out/) are written to {work}, and kept."
    return (
        f"the spec (landing-zone.yaml) and the artifacts (out/) are written to a temporary folder, {work}, "
        f"deleted when the demo ends; {KEEP_HINT}."
    )


def what_was_kept(work: Path, keep: Path | None) -> str:
    """The demo's last word on its files: never a folder it has deleted as if it were there."""
    if keep is not None:
        return f"The spec and artifacts are kept in {keep}: landing-zone.yaml and out/."
    return f"The demo's temporary folder ({work}) is deleted; {KEEP_HINT}."


def _plan(spec: LandingZoneSpec, sessions: Sessions, journal: Journal | None = None) -> Plan:
    live, _ = plan_live(spec, sessions, journal)
    return live.plan


def _by_type(plan: Plan) -> str:
    """What the first plan makes, by type, and what the spec asks it to remove (default VPCs), by account."""
    counts: dict[str, int] = {}
    removals: dict[str, int] = {}
    for change in plan.changes:
        if change.removes:
            removals[change.location.account] = removals.get(change.location.account, 0) + 1
            continue
        kind = change.type.split("::")[-1]
        counts[kind] = counts.get(kind, 0) + 1
    made = "To create or set: " + ", ".join(f"{n} {kind}" for kind, n in counts.items())
    if not removals:
        return made
    per_account = ", ".join(f"{account} {n}" for account, n in removals.items())
    return f"{made}\n  Default VPC removals (the spec asks for them): {sum(removals.values())} ({per_account})"


def _apply(spec: LandingZoneSpec, sessions: Sessions, journal: Journal, console: Console, *, quiet: bool) -> None:
    live, ctx = plan_live(spec, sessions)
    started = time.monotonic()
    reporter = _Quiet() if quiet else LineReporter(console)
    result = apply_changes(live.plan, ctx, journal, reporter, allow_destroy=False)
    console.print(f"  [green]Applied {len(result.done)} change(s) in {time.monotonic() - started:.1f}s.[/]")
    if any(c.type == ACCOUNT and c.action is Action.CREATE for c in live.plan.changes):
        line = created_accounts_line(live.plan, _plan(spec, sessions), set(result.done))
        if line:
            console.print(f"  {escape(line)}")


def _expect_empty(spec: LandingZoneSpec, sessions: Sessions, console: Console) -> None:
    sessions.stats.reset()
    plan = _plan(spec, sessions)
    if not plan.empty:
        print_plan(plan, console)
        raise DemoFailed("the plan after apply is not empty", "This is a bug; please report it with the output.")
    console.print(f"  [green]{plan.summary()}[/] ({sessions.stats.total} read calls, {sessions.stats.writes} writes)")


def _expect_drift(plan: Plan, drifts: list[Drift]) -> None:
    expected = {(d.address, d.property) for d in drifts}
    gone = {address for address, prop in expected if prop == ""}  # deleted whole: created again, every property
    found = {(c.address, "") if c.address in gone else (c.address, d.name) for c in plan.changes for d in c.diffs}
    if found != expected:
        raise DemoFailed(
            f"the plan shows {sorted(found)}, expected exactly {sorted(expected)}",
            "This is a bug; please report it with the output.",
        )


class _Quiet:
    def started(self, change: object) -> None:
        del change

    def finished(self, change: object, error: str | None) -> None:
        del change, error
