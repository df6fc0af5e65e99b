"""Benchmark: a no-op identity plan at N accounts with the default identity section (five permission sets, each
given to a group by OU), through the HTTP sandbox and at real-AWS latency.

Usage: `python benchmarks/identity_scale.py [N] [--latency-ms MS] [--replays 8,16,32] [--port P] [--json]`
(default 1,000).

It starts the local sandbox (moto's threaded HTTP server, in this process) behind the latency proxy of
`latency.py`, builds the default landing zone plus N accounts spread over the default OUs, with the logging,
network and baseline layers off (they have benchmarks of their own) and the identity section `init` writes
(administrator, power-user, read-only, security-audit and billing, assigned by OU: about 3 assignments per
account), and seeds it through the toolkit's own apply. Then:

1. a no-op `plan` with fresh clients: wall time, Identity Center calls in all and per account, zero changes;
2. the same plan under `tracemalloc`: peak memory (the sandbox is traced too: an upper bound of the client's);
3. the same plan with MS added to every request, recorded, then replayed by raw parallel connections: the
   fastest replay is the floor.

The reads are bulk per permission set: the instance's permission sets and, per set the toolkit owns, every
account it is provisioned in (`list_accounts_for_provisioned_permission_set`), once per plan; then per account
one `list_account_assignments` for each of the toolkit's sets provisioned or wanted there, and none elsewhere.

Targets: < 60 s wall through the HTTP sandbox; Identity Center reads per account <= the sets assigned there + 1;
zero writes; at MS ms, plan <= 2 x floor (the engine issue's). Exit 1 when one is missed, 2 when the plan is not
empty.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
import tracemalloc
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import yaml
from _common import fresh_sessions, isolate_environment, seed_engine, spec_answers
from latency import CONCURRENCIES, endpoint, replay, running_proxy

from blueprints.identity import assignments
from bootstrap.sandbox.identity_fixes import accept_managed_policy_paths
from bootstrap.sandbox.server import running_sandbox, sandbox_environment
from bootstrap.spec.answers import render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live

TARGET_WALL_SECONDS = 60.0
TARGET_PLAN_OVER_FLOOR = 2.0
IDENTITY_SERVICES = ("sso-admin:", "identitystore:")


@dataclasses.dataclass
class Figures:
    accounts: int
    assignments: int
    seed_seconds: float
    plan_seconds: float
    plan_changes: int
    total_calls: int
    write_calls: int
    identity_calls: int
    identity_calls_per_account: float
    sets_per_account: float
    tracemalloc_peak_mb: float
    latency_ms: float
    latency_plan_seconds: float
    floor_seconds: float
    floor_concurrency: int
    calls: dict[str, int]


def build_spec(accounts: int) -> LandingZoneSpec:
    data: dict[str, Any] = yaml.safe_load(render_spec_yaml(spec_answers(accounts)))
    data["logging"] = {**(data.get("logging") or {}), "enabled": False}
    data["baseline"] = {**(data.get("baseline") or {}), "enabled": False}
    data["network"] = {"remove_default_vpcs": {"enabled": False}, "ebs_encryption": {"enabled": False}, "vpcs": []}
    return parse_spec(yaml.safe_dump(data, sort_keys=False))


def _timed_plan(spec: LandingZoneSpec) -> tuple[float, int, dict[str, int], int, int]:
    sessions, stats = fresh_sessions()
    start = time.perf_counter()
    live, _ = plan_live(spec, sessions)
    seconds = time.perf_counter() - start
    for change in live.plan.changes[:5]:
        note(f"  unexpected: {change.action} {change.address}: {change.diffs} {change.reason}")
    return seconds, len(live.plan.changes), stats.snapshot(), stats.total, stats.writes


def run(accounts: int, latency_ms: float, port: int | None, concurrencies: tuple[int, ...]) -> Figures:
    spec = build_spec(accounts)
    wanted = assignments(spec)
    accept_managed_policy_paths()
    with TemporaryDirectory() as tmp, running_sandbox(port) as sandbox, sandbox_environment(sandbox):
        note(f"seeding {accounts} accounts and {len(wanted)} assignments through the engine ...")
        start = time.perf_counter()
        seed_engine(spec, fresh_sessions()[0], Path(tmp), skip_accounts=False)
        seed_seconds = time.perf_counter() - start
        note(f"seeded in {seed_seconds:.1f} s; no-op plan ...")
        plan_seconds, changes, calls, total, writes = _timed_plan(spec)
        note(f"plan: {plan_seconds:.1f} s, {total} calls, {changes} changes; traced plan ...")
        tracemalloc.start()
        try:
            _timed_plan(spec)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        note(f"peak {peak / 2**20:.0f} MB; plan at {latency_ms:g} ms ...")
        with running_proxy(sandbox.url, latency_ms / 1000) as proxy:
            with endpoint(proxy.url), proxy.recording() as recorded:
                latency_seconds = _timed_plan(spec)[0]
            note(f"plan at {latency_ms:g} ms: {latency_seconds:.1f} s, {len(recorded)} requests; replaying ...")
            replays = [replay(recorded, proxy.url, c) for c in concurrencies]
    complete = [r for r in replays if not r.failures] or replays
    floor = min(complete, key=lambda r: r.seconds)
    identity = sum(n for op, n in calls.items() if op.startswith(IDENTITY_SERVICES))
    per_account_sets = len({(a, s) for a, s, _ in wanted}) / (accounts + 1)
    return Figures(
        accounts=accounts,
        assignments=len(wanted),
        seed_seconds=round(seed_seconds, 1),
        plan_seconds=round(plan_seconds, 2),
        plan_changes=changes,
        total_calls=total,
        write_calls=writes,
        identity_calls=identity,
        identity_calls_per_account=round(identity / (accounts + 1), 2),
        sets_per_account=round(per_account_sets, 2),
        tracemalloc_peak_mb=round(peak / 2**20, 1),
        latency_ms=latency_ms,
        latency_plan_seconds=round(latency_seconds, 2),
        floor_seconds=round(floor.seconds, 2),
        floor_concurrency=floor.concurrency,
        calls=calls,
    )


def judge(f: Figures) -> list[tuple[str, str, str, bool]]:
    limit = TARGET_PLAN_OVER_FLOOR * f.floor_seconds
    per_account = f.sets_per_account + 1
    return [
        ("no-op plan changes", str(f.plan_changes), "== 0", f.plan_changes == 0),
        ("no-op plan writes", str(f.write_calls), "== 0", f.write_calls == 0),
        ("no-op plan wall (HTTP sandbox)", f"{f.plan_seconds} s", f"< {TARGET_WALL_SECONDS:g} s",
         f.plan_seconds < TARGET_WALL_SECONDS),
        ("Identity Center reads per account", str(f.identity_calls_per_account), f"<= {per_account:.2f} (sets "
         "assigned there + 1)", f.identity_calls_per_account <= per_account),
        (f"plan at {f.latency_ms:g} ms vs floor {f.floor_seconds} s (x{f.floor_concurrency})",
         f"{f.latency_plan_seconds} s", f"<= {limit:.2f} s", f.latency_plan_seconds <= limit),
    ]  # fmt: skip


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("accounts", nargs="?", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--port", type=int)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--replays", default=",".join(map(str, CONCURRENCIES)))
    args = parser.parse_args(argv)
    isolate_environment(iam_managed_policies=False)
    concurrencies = tuple(int(c) for c in args.replays.split(","))
    figures = run(args.accounts, args.latency_ms, args.port, concurrencies)
    checks = judge(figures)
    if args.json:
        print(json.dumps({**dataclasses.asdict(figures), "checks": checks}, indent=2))
    else:
        print(f"seeding apply: {figures.seed_seconds} s ({figures.accounts} accounts, {figures.assignments} "
              "assignments)")  # fmt: skip
        print(f"no-op plan: {figures.total_calls} calls, {figures.identity_calls} of them Identity Center's")
        top = sorted(((op, n) for op, n in figures.calls.items() if op.startswith(IDENTITY_SERVICES)),
                     key=lambda kv: -kv[1])  # fmt: skip
        print("Identity Center calls of the no-op plan: " + ", ".join(f"{op} {n}" for op, n in top))
        print(f"peak memory (tracemalloc, sandbox included): {figures.tracemalloc_peak_mb} MB")
        for name, value, target, ok in checks:
            print(f"{'PASS' if ok else 'FAIL'}  {name}: {value} (target {target})")
    if figures.plan_changes:
        return 2
    return 0 if all(ok for *_, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
