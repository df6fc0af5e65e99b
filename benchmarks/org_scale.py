"""Benchmark: how a no-op `plan` scales with the number of member accounts, through the HTTP sandbox.

Usage: `python benchmarks/org_scale.py [N] [--port P] [--seed engine|direct] [--iam-managed-policies] [--json]`.

It starts the local sandbox (moto's threaded HTTP server, in this process), writes a spec with N member
accounts spread across the default OUs, seeds the organization so it matches the spec, then runs a plan
that must be empty. It reports wall time, API calls by operation, write calls and memory, each against
its target, and exits 1 when a target is missed (2 when the no-op plan is not empty).

Seeding: `engine` (default) applies the spec through the toolkit itself, which is what a user does;
`direct` lets the engine build the organization, OUs and SCPs but creates and moves the accounts straight
through boto3 in parallel, tagging nothing. Both leave live state that the spec matches: accounts are
matched by e-mail, not by tag. moto's loading of AWS managed policies into each new account's IAM is
switched off unless `--iam-managed-policies` is given: it costs over a second and ~30 MB per account.

Time and memory come from two separate no-op plans, each with fresh clients: the first is timed and its
calls counted with a fresh `CallStats`; the second runs under `tracemalloc`, which would otherwise slow
every allocation (on the server thread too). The moto server shares this process, so `tracemalloc`'s peak
also includes what the server allocated while answering (small next to the client's share), and the RSS
figures (peak during the traced plan via VmHWM, and `ru_maxrss` for the whole run) are upper bounds for
the client, shown but not gating.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import sys
import tracemalloc
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from _common import SEED_MODES, build_spec, fresh_sessions, isolate_environment, port_is_free, seed, timed

from bootstrap.sandbox.server import running_sandbox, sandbox_environment
from bootstrap.workflow import LivePlan, plan_live

# Targets for N = 1000 through the HTTP sandbox (see benchmarks/README.md).
TARGET_SECONDS = 5.0
TARGET_CALLS = 300
TARGET_WRITES = 0
TARGET_PEAK_MB = 300.0


@dataclasses.dataclass
class Figures:
    accounts: int
    seed_mode: str
    seed_seconds: float
    plan_seconds: float
    calls: dict[str, int]
    total_calls: int
    write_calls: int
    plan_changes: int
    tracemalloc_peak_mb: float
    plan_rss_peak_mb: float | None
    maxrss_mb: float
    checks: list[dict[str, Any]] = dataclasses.field(default_factory=list)


def maxrss_mb() -> float:
    """Peak resident set size of this process (client + in-process moto server); Linux reports KiB."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (Linux >= 4.0), so the next reading covers only what follows."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mb() -> float:
    """Peak RSS since the last reset (VmHWM), or the whole run's peak where /proc is not available."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return maxrss_mb()
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return maxrss_mb()


def run(n: int, port: int | None, seed_mode: str) -> Figures:
    spec = build_spec(n)
    with running_sandbox(port) as sandbox, sandbox_environment(sandbox), TemporaryDirectory() as tmp:
        seed_seconds = seed(spec, seed_mode, Path(tmp))
        print(f"seeded {n} accounts ({seed_mode}) in {seed_seconds:.1f} s", file=sys.stderr, flush=True)

        # Timed plan: no tracing, which would slow every allocation (on the server thread too).
        sessions, stats = fresh_sessions()
        plans: list[LivePlan] = []
        plan_seconds = timed(lambda: plans.append(plan_live(spec, sessions)[0]))

        # Memory plan: the same no-op plan again with fresh clients, traced from start to end.
        sessions, _ = fresh_sessions()
        windowed = reset_peak_rss()
        tracemalloc.start()
        try:
            plans.append(plan_live(spec, sessions)[0])
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return Figures(
            accounts=n,
            seed_mode=seed_mode,
            seed_seconds=round(seed_seconds, 2),
            plan_seconds=round(plan_seconds, 3),
            calls=stats.snapshot(),
            total_calls=stats.total,
            write_calls=stats.writes,
            plan_changes=max(len(p.plan.changes) for p in plans),
            tracemalloc_peak_mb=round(peak / (1024 * 1024), 1),
            plan_rss_peak_mb=round(peak_rss_mb(), 1) if windowed else None,
            maxrss_mb=round(maxrss_mb(), 1),
        )


def judge(figures: Figures) -> bool:
    """Compare each figure with its target; True when every gating target is met.

    Memory gates on the traced Python peak of the no-op plan. The RSS figures include the moto server
    (same process, all of the organization's state in memory), so they are shown as upper bounds only.
    """
    rss_window = figures.plan_rss_peak_mb if figures.plan_rss_peak_mb is not None else figures.maxrss_mb
    checks = [
        ("no-op plan changes", figures.plan_changes, "== 0", figures.plan_changes == 0, True),
        (
            "no-op plan wall seconds",
            figures.plan_seconds,
            f"< {TARGET_SECONDS:g}",
            figures.plan_seconds < TARGET_SECONDS,
            True,
        ),
        ("no-op plan API calls", figures.total_calls, f"< {TARGET_CALLS}", figures.total_calls < TARGET_CALLS, True),
        (
            "no-op plan write calls",
            figures.write_calls,
            f"== {TARGET_WRITES}",
            figures.write_calls == TARGET_WRITES,
            True,
        ),
        (
            "peak Python memory of the plan, MB",
            figures.tracemalloc_peak_mb,
            f"< {TARGET_PEAK_MB:g}",
            figures.tracemalloc_peak_mb < TARGET_PEAK_MB,
            True,
        ),
        ("peak RSS during the plan, MB (c+s)", rss_window, f"< {TARGET_PEAK_MB:g}", rss_window < TARGET_PEAK_MB, False),
        (
            "peak RSS whole run, MB (c+s)",
            figures.maxrss_mb,
            f"< {TARGET_PEAK_MB:g}",
            figures.maxrss_mb < TARGET_PEAK_MB,
            False,
        ),
    ]
    figures.checks = [
        {"name": name, "value": value, "target": target, "pass": ok, "gating": gating}
        for name, value, target, ok, gating in checks
    ]
    return all(ok for *_, ok, gating in checks if gating)


def print_figures(figures: Figures) -> None:
    print(f"org_scale: N={figures.accounts} member accounts, HTTP sandbox, seed={figures.seed_mode}")
    print(f"seeding apply: {figures.seed_seconds:.1f} s")
    print("no-op plan API calls by operation:")
    for operation, count in figures.calls.items():
        print(f"  {count:6d}  {operation}")
    for check in figures.checks:
        verdict = "PASS" if check["pass"] else "FAIL"
        if not check["gating"]:
            verdict += " (upper bound, not gating)"
        print(f"{check['name']:<36} {check['value']:>9}  target {check['target']:<7} {verdict}")
    print("(targets are set for N=1000; c+s = client and the in-process moto server together)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("n", nargs="?", type=int, default=1000, help="member accounts (default 1000)")
    parser.add_argument("--port", type=int, default=None, help="sandbox port (default: a free one)")
    parser.add_argument(
        "--seed",
        choices=SEED_MODES,
        default="engine",
        help="seed accounts through the toolkit's apply (default) or straight through boto3",
    )
    parser.add_argument(
        "--iam-managed-policies",
        action="store_true",
        help="let moto load AWS managed policies into every account's IAM (the sandbox does not); "
        "costs about 1.4 s and 30 MB of server time and memory per account created",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    if args.port is not None and not port_is_free(args.port):
        # running_sandbox() would wait forever: moto's server thread dies on bind and never signals ready.
        parser.error(f"port {args.port} is in use; pick another or leave --port out")
    # Only Organizations is exercised; moto's per-account managed-policy load would dominate seeding.
    isolate_environment(iam_managed_policies=args.iam_managed_policies)
    figures = run(args.n, args.port, args.seed)
    ok = judge(figures)
    if args.json:
        print(json.dumps(figures.__dict__, indent=2))
    else:
        print_figures(figures)
    if figures.plan_changes:
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
