"""Benchmark: a no-op network plan at A accounts x R regions, through the HTTP sandbox and at real-AWS latency.

Usage: `python benchmarks/network_scale.py [A] [R] [--latency-ms MS] [--replays 8,16,32] [--sandbox-process]
[--port P] [--json]`
(default 200 x 4).

It starts the local sandbox (moto's threaded HTTP server, in this process, or with `--sandbox-process` in a process
of its own, as AWS is) behind the latency proxy of `latency.py` (0 ms while seeding), builds the default landing
zone plus A accounts whose allowed regions are the first R of `REGIONS`, with one custom VPC (`main`, two zones,
a private tier, the S3 endpoint, flow logs to CloudWatch Logs) in every account x region and default VPCs removed
in those R regions, and seeds it through the toolkit's own apply (timed: default VPC removal + VPC creation +
everything else the landing zone needs). Then:

1. a no-op `plan` with fresh clients: wall time, calls per account-region, and zero changes;
2. the same plan under `tracemalloc`: peak memory (with the sandbox in this process it is traced too, so the
   figure is an upper bound of the client's; with `--sandbox-process` it is the client's alone);
3. the same plan with MS added to every request, recorded, then replayed by 1..32 raw parallel connections:
   the fastest replay is the floor.

Targets (issue 9): < 60 s wall through the HTTP sandbox; at most 4 network read calls per account-region without
a custom VPC and 12 with one (EC2 and Logs calls; every account-region here has one); peak memory < 500 MB; at MS
ms, plan <= 2 x floor. Exit 1 when one is missed, 2 when the no-op plan is not empty.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
import tracemalloc
from contextlib import ExitStack
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import yaml
from _common import fresh_sessions, isolate_environment, seed_engine, spec_answers
from latency import CONCURRENCIES, LatencyProxy, RemoteProxy, endpoint, replay, running_proxy, sandbox_with_proxy

from bootstrap.sandbox.server import running_sandbox, sandbox_environment
from bootstrap.spec.answers import render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live

REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ca-central-1")
TARGET_WALL_SECONDS = 60.0
TARGET_CALLS_WITH_VPC = 12
TARGET_PEAK_MB = 500.0
TARGET_PLAN_OVER_FLOOR = 2.0
NETWORK_SERVICES = ("ec2:", "logs:")
"""The network layer's reads (its VPC flow-log groups are CloudWatch Logs'); the other layers' reads (the
organization, roles, the account baseline) are counted in the total, judged by `org_scale.py` and `latency.py`."""


@dataclasses.dataclass
class Figures:
    accounts: int
    regions: int
    account_regions: int
    seed_seconds: float
    plan_seconds: float
    plan_changes: int
    total_calls: int
    write_calls: int
    calls_per_account_region: float
    network_calls_per_account_region: float
    tracemalloc_peak_mb: float
    latency_ms: float
    latency_plan_seconds: float
    floor_seconds: float
    floor_concurrency: int
    calls: dict[str, int]
    separate: bool = False
    """The sandbox ran in a process of its own (`--sandbox-process`): the peak memory is the client's alone."""


def build_spec(accounts: int, regions: int) -> LandingZoneSpec:
    """The default landing zone plus `accounts` accounts, allowed in `regions` regions, each account-region with
    one custom VPC and no default VPC."""
    data: dict[str, Any] = yaml.safe_load(render_spec_yaml(spec_answers(accounts)))
    chosen = list(REGIONS[:regions])
    data["organization"]["allowed_regions"] = chosen
    data["organization"]["home_region"] = chosen[0]
    network = data.setdefault("network", {})
    network["remove_default_vpcs"] = {"enabled": True, "regions": chosen}
    network["ip_pool"] = "10.0.0.0/8"
    network["vpcs"] = [
        {
            "name": "main",
            "accounts": [a["name"] for a in data["accounts"]],
            "regions": chosen,
            "size": 24,
            "availability_zones": 2,
            "subnets": [{"tier": "private", "size": 26}],
            "nat_gateways": "none",
            "gateway_endpoints": ["s3"],
            "flow_logs": {"destination": "cloudwatch", "retention_days": 365},
        }
    ]
    return parse_spec(yaml.safe_dump(data, sort_keys=False))


def _timed_plan(spec: LandingZoneSpec) -> tuple[float, int, dict[str, int], int, int]:
    sessions, stats = fresh_sessions()
    start = time.perf_counter()
    live, _ = plan_live(spec, sessions)
    seconds = time.perf_counter() - start
    for change in live.plan.changes[:5]:  # a no-op plan that is not: say what it holds
        note(f"  unexpected: {change.action} {change.address}: {change.diffs} {change.reason}")
    return seconds, len(live.plan.changes), stats.snapshot(), stats.total, stats.writes


def run(
    accounts: int,
    regions: int,
    latency_ms: float,
    port: int | None,
    concurrencies: tuple[int, ...] = CONCURRENCIES,
    *,
    separate: bool = False,
) -> Figures:
    spec = build_spec(accounts, regions)
    account_regions = (accounts + 1) * regions
    with TemporaryDirectory() as tmp, ExitStack() as stack:
        proxy: LatencyProxy | RemoteProxy | None = None
        if separate:  # the sandbox and the proxy in a process of their own; seeded and planned without the proxy
            sandbox, proxy = stack.enter_context(sandbox_with_proxy(port, latency_ms / 1000, separate=True))
        else:
            sandbox = stack.enter_context(running_sandbox(port))
        stack.enter_context(sandbox_environment(sandbox))
        note(f"seeding {accounts} accounts x {regions} regions through the engine ...")
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
        if proxy is None:
            proxy = stack.enter_context(running_proxy(sandbox.url, latency_ms / 1000))
        with endpoint(proxy.url), proxy.recording() as recorded:
            latency_seconds = _timed_plan(spec)[0]
        note(f"plan at {latency_ms:g} ms: {latency_seconds:.1f} s, {len(recorded)} requests; replaying ...")
        replays = [replay(recorded, proxy.url, c) for c in concurrencies]
    complete = [r for r in replays if not r.failures] or replays
    floor = min(complete, key=lambda r: r.seconds)
    return Figures(
        accounts=accounts,
        regions=regions,
        account_regions=account_regions,
        seed_seconds=round(seed_seconds, 1),
        plan_seconds=round(plan_seconds, 2),
        plan_changes=changes,
        total_calls=total,
        write_calls=writes,
        calls_per_account_region=round(total / account_regions, 2),
        network_calls_per_account_region=round(
            sum(n for op, n in calls.items() if op.startswith(NETWORK_SERVICES)) / account_regions, 2
        ),
        tracemalloc_peak_mb=round(peak / 2**20, 1),
        latency_ms=latency_ms,
        latency_plan_seconds=round(latency_seconds, 2),
        floor_seconds=round(floor.seconds, 2),
        floor_concurrency=floor.concurrency,
        calls=calls,
        separate=separate,
    )


def judge(f: Figures) -> list[tuple[str, str, str, bool]]:
    limit = TARGET_PLAN_OVER_FLOOR * f.floor_seconds
    return [
        ("no-op plan changes", str(f.plan_changes), "== 0", f.plan_changes == 0),
        ("no-op plan writes", str(f.write_calls), "== 0", f.write_calls == 0),
        ("no-op plan wall (HTTP sandbox)", f"{f.plan_seconds} s", f"< {TARGET_WALL_SECONDS:g} s",
         f.plan_seconds < TARGET_WALL_SECONDS),
        ("network read calls per account-region with a VPC (EC2 + Logs)",
         str(f.network_calls_per_account_region), f"<= {TARGET_CALLS_WITH_VPC}",
         f.network_calls_per_account_region <= TARGET_CALLS_WITH_VPC),
        (f"peak memory (tracemalloc, {'the client alone' if f.separate else 'sandbox included'})",
         f"{f.tracemalloc_peak_mb} MB", f"< {TARGET_PEAK_MB:g} MB", f.tracemalloc_peak_mb < TARGET_PEAK_MB),
        (f"plan at {f.latency_ms:g} ms vs floor {f.floor_seconds} s (x{f.floor_concurrency})",
         f"{f.latency_plan_seconds} s", f"<= {limit:.2f} s", f.latency_plan_seconds <= limit),
    ]  # fmt: skip


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("accounts", nargs="?", type=int, default=200)
    parser.add_argument("regions", nargs="?", type=int, default=4, choices=range(1, len(REGIONS) + 1))
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--port", type=int)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--sandbox-process",
        action="store_true",
        help="run the sandbox and the proxy in a process of their own, as AWS is: their CPU does not compete with "
        "the plan's for this process's GIL, and the peak memory is the client's alone",
    )
    parser.add_argument(
        "--replays",
        default=",".join(map(str, CONCURRENCIES)),
        help="connections of each replay (at 10,000 requests and 50 ms, one connection alone takes 8 minutes)",
    )
    args = parser.parse_args(argv)
    isolate_environment(iam_managed_policies=False)
    concurrencies = tuple(int(c) for c in args.replays.split(","))
    figures = run(args.accounts, args.regions, args.latency_ms, args.port, concurrencies, separate=args.sandbox_process)
    checks = judge(figures)
    if args.json:
        print(json.dumps({**dataclasses.asdict(figures), "checks": checks}, indent=2))
    else:
        print(f"seeding apply: {figures.seed_seconds} s ({figures.account_regions} account-regions)")
        print(f"all calls per account-region, every layer: {figures.calls_per_account_region}")
        top = sorted(figures.calls.items(), key=lambda kv: -kv[1])[:12]
        print("calls of the no-op plan: " + ", ".join(f"{op} {n}" for op, n in top))
        for name, value, target, ok in checks:
            print(f"{'PASS' if ok else 'FAIL'}  {name}: {value} (target {target})")
    if figures.plan_changes:
        return 2
    return 0 if all(ok for *_, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
