"""Benchmark: a no-op `plan` at real-AWS-like latency, against the floor of the same requests in parallel.

Usage: `python benchmarks/latency.py [--accounts N] [--latency-ms MS] [--seed auto|engine|direct]
[--parallelism N] [--retry-mode standard|adaptive] [--retry-study [--runs R]] [--replays 1,4,8,16,32] [--json]`.

It starts the local sandbox (moto's threaded HTTP server, in this process), seeds the default landing zone
plus N member accounts, and puts a local proxy in front of it (plain HTTP on 127.0.0.1, one thread per
connection) that sleeps a fixed latency before forwarding each request. A no-op plan then runs through the
proxy with fresh clients; the proxy records every request it forwards (method, path, headers, body).

The recorded requests are then replayed as raw bytes through the same proxy (so the same latency applies)
by 1, 4, 8, 16 and 32 workers, each with its own keep-alive connection, taking requests from one queue.
The fastest replay is the floor: what the plan's reads cost if nothing made them wait for one another.
Replaying is sound because moto does not verify SigV4 signatures, whose timestamps would be stale by then
(real AWS would refuse them after five minutes); member-account requests carry the assumed-role keys the
plan was given, which moto still knows.

It also times CLI start-up (`python -m bootstrap --version`, `bootstrap validate --spec FILE`), median of
five runs each in subprocesses. Each figure is printed against its target with PASS/FAIL; the exit code is
1 when a target is missed, 2 when the no-op plan is not empty.

`--retry-study` then measures botocore's retry modes under throttling: the proxy answers a random share of
the plan's requests (0, 1 and 5 %) with a throttling error instead of forwarding them, as AWS does when a
caller exceeds a rate, and the no-op plan runs in each retry mode (the median of `--runs`). Its figures are
each mode's wall time and its slowdown against no throttling; they are reported, not judged.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import multiprocessing
import os
import queue
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from urllib.parse import urlsplit

import yaml
from _common import SEED_MODES, build_spec, fresh_sessions, isolate_environment, port_is_free, seed, spec_answers

from bootstrap.aws.session import DEFAULT_PARALLELISM, RETRY_MODE
from bootstrap.sandbox.server import Sandbox, running_sandbox, sandbox_environment
from bootstrap.spec.answers import render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live

CONCURRENCIES = (1, 4, 8, 16, 32)
TARGET_PLAN_OVER_FLOOR = 2.0
TARGET_STARTUP_SECONDS = 0.3
STARTUP_RUNS = 5
PLAN_ATTEMPTS = 8
"""botocore attempts per call in the measured plans: the toolkit's own setting, so throttles are ridden out."""
THROTTLE_PERCENTS = (0.0, 1.0, 5.0)
RETRY_MODES = ("standard", "adaptive")
DIRECT_SEED_FROM = 200
"""`--seed auto` seeds through the engine below this many accounts and directly from it (faster)."""
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}
)


@dataclasses.dataclass(frozen=True)
class Recorded:
    """One request as the proxy forwarded it, and the status the sandbox answered."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    status: int


@dataclasses.dataclass
class Replay:
    concurrency: int
    seconds: float
    mismatches: int
    """Replayed requests whose status differed from the recorded one."""
    failures: int
    """Replayed requests that got no answer, even on a new connection."""


@dataclasses.dataclass
class RetryRun:
    """The no-op plan in one retry mode with a share of its requests throttled (median of the runs)."""

    mode: str
    throttle_percent: float
    seconds: float
    throttled: int
    """Requests the proxy answered with a throttling error, in the median run."""
    slowdown: float = 0.0
    """`seconds` over the same mode's seconds without throttling."""


@dataclasses.dataclass
class Figures:
    accounts: int
    latency_ms: float
    seed_mode: str
    seed_seconds: float
    plan_seconds: float
    plan_cpu_seconds: float
    """CPU of this process during the plan: the client's, plus the sandbox's and proxy's unless `separate`."""
    separate: bool
    default_vpc_regions: str
    """Where the spec removes default VPCs: every `enabled` region of each account (the default spec), or the
    `allowed` ones."""
    """The sandbox and the proxy ran in a process of their own (`--sandbox-process`)."""
    plan_changes: int
    calls: dict[str, int]
    total_calls: int
    recorded_requests: int
    replays: list[Replay]
    floor_seconds: float
    floor_concurrency: int
    version_seconds: float
    validate_seconds: float
    parallelism: int = DEFAULT_PARALLELISM
    retry_mode: str = RETRY_MODE
    retry_study: list[RetryRun] = dataclasses.field(default_factory=list)
    checks: list[dict[str, Any]] = dataclasses.field(default_factory=list)


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the latency proxy -------------------------------------------------------------------------------


class LatencyProxy(ThreadingHTTPServer):
    """Forwards every request to `upstream` after sleeping `latency` seconds; records them while asked to."""

    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 resets connections when 32 workers connect at once

    def __init__(self, upstream: str, latency: float) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream = urlsplit(upstream).netloc
        self.latency = latency
        self._lock = threading.Lock()
        self._recording: list[Recorded] | None = None
        self.throttle = 0.0
        """Share of requests answered with a throttling error instead of being forwarded (0 to 1)."""
        self.throttled = 0
        self._random = random.Random(20)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @contextmanager
    def recording(self) -> Iterator[list[Recorded]]:
        """Record what is forwarded during the block into the list yielded (in the order answered)."""
        records: list[Recorded] = []
        with self._lock:
            self._recording = records
        try:
            yield records
        finally:
            with self._lock:
                self._recording = None

    @contextmanager
    def throttling(self, share: float) -> Iterator[None]:
        """Throttle `share` of the requests made during the block (counted in `throttled`)."""
        with self._lock:
            self.throttle, self.throttled = share, 0
        try:
            yield
        finally:
            with self._lock:
                self.throttle = 0.0

    def should_throttle(self) -> bool:
        with self._lock:
            if self.throttle and self._random.random() < self.throttle:
                self.throttled += 1
                return True
            return False

    def record(self, request: Recorded) -> None:
        with self._lock:
            if self._recording is not None:
                self._recording.append(request)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as boto3's connection pool expects
    disable_nagle_algorithm = True  # else headers and body, written apart, wait on the client's delayed ACK
    server: LatencyProxy
    _upstream: http.client.HTTPConnection | None = None

    def log_message(self, format: str, *args: Any) -> None:
        del format, args  # no access log

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = tuple((k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP)
        time.sleep(self.server.latency)
        if self.server.should_throttle():
            self._refuse(headers)
            return
        response = self._send_upstream(self.command, self.path, headers, body)
        payload = response.read()
        self.server.record(Recorded(self.command, self.path, headers, body, response.status))
        self.send_response(response.status, response.reason)
        for key, value in response.getheaders():
            if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                self.send_header(key, value)
        keep_length = self.command == "HEAD" and response.getheader("Content-Length")
        self.send_header("Content-Length", keep_length or str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _refuse(self, headers: tuple[tuple[str, str], ...]) -> None:
        """Answer as AWS does when a caller exceeds a rate: 400 with the protocol's throttling error."""
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
        if "json" in content_type:  # Organizations (JSON protocol)
            payload = json.dumps({"__type": "TooManyRequestsException", "message": "Rate exceeded"}).encode()
        else:  # query (IAM, STS) and REST-XML (S3 Control) protocols
            payload = (
                b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded"
                b"</Message></Error><RequestId>throttled</RequestId></ErrorResponse>"
            )
        self.send_response(400, "Bad Request")
        self.send_header("Content-Type", "application/x-amz-json-1.1" if "json" in content_type else "text/xml")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _send_upstream(
        self, method: str, path: str, headers: tuple[tuple[str, str], ...], body: bytes
    ) -> http.client.HTTPResponse:
        """Send on this connection's upstream connection, reconnecting once if the sandbox dropped it."""
        for attempt in (1, 2):
            if self._upstream is None:
                self._upstream = http.client.HTTPConnection(self.server.upstream, timeout=120)
            try:
                self._upstream.request(method, path, body=body, headers=dict(headers))
                return self._upstream.getresponse()
            except (OSError, http.client.HTTPException):
                self._upstream.close()
                self._upstream = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _forward


@contextmanager
def running_proxy(upstream: str, latency: float) -> Iterator[LatencyProxy]:
    proxy = LatencyProxy(upstream, latency)
    thread = threading.Thread(target=proxy.serve_forever, name="latency-proxy", daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()


@contextmanager
def endpoint(url: str) -> Iterator[None]:
    """Point clients created in the block at `url` (as `sandbox_environment` does for the sandbox)."""
    saved = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = url
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("AWS_ENDPOINT_URL", None)
        else:
            os.environ["AWS_ENDPOINT_URL"] = saved


class RemoteProxy:
    """The proxy of a sandbox process (`--sandbox-process`), driven over a pipe: what `LatencyProxy` offers."""

    def __init__(self, conn: Connection, url: str) -> None:
        self._conn = conn
        self.url = url

    def _ask(self, command: str, argument: Any = None) -> Any:
        self._conn.send((command, argument))
        return self._conn.recv()

    @contextmanager
    def recording(self) -> Iterator[list[Recorded]]:
        records: list[Recorded] = []
        self._ask("record")
        try:
            yield records
        finally:
            records.extend(Recorded(*fields) for fields in self._ask("recorded"))

    @contextmanager
    def throttling(self, share: float) -> Iterator[None]:
        self._ask("throttle", share)
        try:
            yield
        finally:
            self._ask("throttle", 0.0)

    @property
    def throttled(self) -> int:
        return int(self._ask("throttled"))


def _serve_sandbox(conn: Connection, port: int | None, latency: float) -> None:
    """The sandbox process: the sandbox and its proxy, answering the benchmark's commands until the pipe closes."""
    with running_sandbox(port) as sandbox, running_proxy(sandbox.url, latency) as proxy:
        conn.send((sandbox.url, proxy.url))
        recording: Any = None
        records: list[Recorded] = []
        while True:
            try:
                command, argument = conn.recv()
            except EOFError:
                return
            if command == "record":
                recording = proxy.recording()
                records = recording.__enter__()
                conn.send(None)
            elif command == "recorded":
                recording.__exit__(None, None, None)
                conn.send([dataclasses.astuple(r) for r in records])
            elif command == "throttle":
                if argument:
                    proxy.throttle, proxy.throttled = argument, 0
                else:
                    proxy.throttle = 0.0
                conn.send(None)
            elif command == "throttled":
                conn.send(proxy.throttled)


@contextmanager
def sandbox_with_proxy(
    port: int | None, latency: float, *, separate: bool
) -> Iterator[tuple[Sandbox, LatencyProxy | RemoteProxy]]:
    """The sandbox and the latency proxy in front of it: in this process, or (`separate`) both in a process of
    their own, so that their CPU does not compete with the plan's for this process's GIL, as with real AWS."""
    if not separate:
        with running_sandbox(port) as sandbox, running_proxy(sandbox.url, latency) as proxy:
            yield sandbox, proxy
        return
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    child = context.Process(target=_serve_sandbox, args=(theirs, port, latency), name="sandbox", daemon=True)
    child.start()
    theirs.close()
    try:
        sandbox_url, proxy_url = ours.recv()
        yield Sandbox(url=sandbox_url), RemoteProxy(ours, proxy_url)
    finally:
        ours.close()
        child.join(timeout=15)
        if child.is_alive():
            child.kill()
            child.join()


# --- replay ------------------------------------------------------------------------------------------


def replay(requests: list[Recorded], target: str, concurrency: int) -> Replay:
    """Send `requests` to `target` with `concurrency` workers, each on its own keep-alive connection."""
    work: queue.SimpleQueue[Recorded] = queue.SimpleQueue()
    for request in requests:
        work.put(request)
    mismatches = [0] * concurrency
    failures = [0] * concurrency
    host = urlsplit(target).netloc

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection(host, timeout=120)
        try:
            while True:
                try:
                    request = work.get_nowait()
                except queue.Empty:
                    return
                status = _send(connection, request)
                if status is None:
                    failures[index] += 1
                elif status != request.status:
                    mismatches[index] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Replay(concurrency, round(time.perf_counter() - start, 3), sum(mismatches), sum(failures))


def _send(connection: http.client.HTTPConnection, request: Recorded) -> int | None:
    """Send one recorded request and read the whole answer: its status, or None when there was none
    (tried twice: http.client reconnects by itself after a connection is dropped)."""
    for _ in range(2):
        try:
            connection.request(request.method, request.path, body=request.body, headers=dict(request.headers))
            response = connection.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            connection.close()
    return None


# --- CLI start-up ------------------------------------------------------------------------------------


def median_seconds(command: list[str], runs: int = STARTUP_RUNS) -> float:
    """Median wall time of `command` in a fresh subprocess; it must succeed.

    As after `pip install`, which byte-compiles what it installs: the command runs once first, untimed, with
    byte-code writing allowed (this machine sets PYTHONDONTWRITEBYTECODE, with which an editable checkout's
    modules would be compiled again at every start)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for run in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        if run:
            times.append(time.perf_counter() - start)
    return round(statistics.median(times), 3)


def bootstrap_command() -> str:
    """The `bootstrap` console script next to this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).parent / "bootstrap"
    found = str(beside) if beside.exists() else shutil.which("bootstrap")
    if found is None:
        raise SystemExit("no `bootstrap` command found; install the project (pip install -e .)")
    return found


def measure_startup(n: int, workdir: Path) -> tuple[float, float]:
    """Median seconds of `python -m bootstrap --version` and of `bootstrap validate` on an N-account spec."""
    spec_file = workdir / "landing-zone.yaml"
    spec_file.write_text(render_spec_yaml(spec_answers(n)))
    version = median_seconds([sys.executable, "-m", "bootstrap", "--version"])
    validate = median_seconds([bootstrap_command(), "validate", "--spec", str(spec_file)])
    return version, validate


# --- the run -----------------------------------------------------------------------------------------


def allowed_regions_only(n: int) -> LandingZoneSpec:
    """`build_spec(n)` with default VPCs removed in its allowed regions only, instead of in every region each account
    has enabled: the sandbox holds about 3.3 MB per account-region it serves EC2 in (moto builds a default VPC, its
    subnets and its default security group in each), so 1,000 accounts x 17 enabled regions would need 56 GB."""
    data = yaml.safe_load(render_spec_yaml(spec_answers(n)))
    network = data.setdefault("network", {})
    network["remove_default_vpcs"] = {
        **(network.get("remove_default_vpcs") or {}),
        "regions": list(data["organization"]["allowed_regions"]),
    }
    return parse_spec(yaml.safe_dump(data, sort_keys=False))


def timed_plan(spec: LandingZoneSpec, **target: Any) -> tuple[float, float, int, dict[str, int]]:
    """One no-op plan with fresh clients: (seconds, this process's CPU seconds, changes planned, calls by
    operation)."""
    sessions, stats = fresh_sessions(max_attempts=PLAN_ATTEMPTS, **target)
    start, cpu = time.perf_counter(), time.process_time()
    live, _ = plan_live(spec, sessions)
    return time.perf_counter() - start, time.process_time() - cpu, len(live.plan.changes), stats.snapshot()


def retry_study(
    spec: LandingZoneSpec, proxy: LatencyProxy | RemoteProxy, parallelism: int, runs: int
) -> list[RetryRun]:
    """The no-op plan in each retry mode at each throttling share (median of `runs`)."""
    study = []
    for mode in RETRY_MODES:
        for percent in THROTTLE_PERCENTS:
            samples = []
            for _ in range(runs):
                with proxy.throttling(percent / 100):
                    seconds, *_ = timed_plan(spec, parallelism=parallelism, retry_mode=mode)
                samples.append((seconds, proxy.throttled))
            seconds, throttled = sorted(samples)[len(samples) // 2]
            study.append(RetryRun(mode, percent, round(seconds, 3), throttled))
            note(f"retry study: {mode}, {percent:g} % throttled: {seconds:.2f} s ({throttled} throttles)")
    for entry in study:
        calm = next(r for r in study if r.mode == entry.mode and r.throttle_percent == 0)
        entry.slowdown = round(entry.seconds / calm.seconds, 2)
    return study


def run(
    n: int,
    latency_ms: float,
    seed_mode: str,
    port: int | None,
    *,
    parallelism: int = DEFAULT_PARALLELISM,
    retry_mode: str = RETRY_MODE,
    study_runs: int = 0,
    concurrencies: tuple[int, ...] = CONCURRENCIES,
    separate: bool = False,
    default_vpc_regions: str = "enabled",
) -> Figures:
    spec = build_spec(n) if default_vpc_regions == "enabled" else allowed_regions_only(n)
    with TemporaryDirectory() as tmp:
        note("timing CLI start-up ...")
        version_seconds, validate_seconds = measure_startup(n, Path(tmp))
        with (
            sandbox_with_proxy(port, latency_ms / 1000, separate=separate) as (sandbox, proxy),
            sandbox_environment(sandbox),
        ):
            note(f"seeding {n} accounts ({seed_mode}) ...")
            seed_seconds = seed(spec, seed_mode, Path(tmp))
            note(f"seeded in {seed_seconds:.1f} s")
            note(f"no-op plan through the proxy at {latency_ms:g} ms ...")
            with endpoint(proxy.url), proxy.recording() as recorded:
                plan_seconds, plan_cpu, changes, calls = timed_plan(
                    spec, parallelism=parallelism, retry_mode=retry_mode
                )
            note(f"plan: {plan_seconds:.1f} s, {sum(calls.values())} calls, {len(recorded)} requests recorded")
            replays = []
            for concurrency in concurrencies:
                replays.append(replay(recorded, proxy.url, concurrency))
                note(f"replay x{concurrency}: {replays[-1].seconds:.2f} s, {replays[-1].failures} failed")
            study = []
            if study_runs:
                with endpoint(proxy.url):
                    study = retry_study(spec, proxy, parallelism, study_runs)
    complete = [r for r in replays if not r.failures] or replays
    floor = min(complete, key=lambda r: r.seconds)
    return Figures(
        accounts=n,
        latency_ms=latency_ms,
        seed_mode=seed_mode,
        seed_seconds=round(seed_seconds, 2),
        plan_seconds=round(plan_seconds, 3),
        plan_cpu_seconds=round(plan_cpu, 3),
        separate=separate,
        default_vpc_regions=default_vpc_regions,
        plan_changes=changes,
        calls=calls,
        total_calls=sum(calls.values()),
        recorded_requests=len(recorded),
        replays=replays,
        floor_seconds=floor.seconds,
        floor_concurrency=floor.concurrency,
        version_seconds=version_seconds,
        validate_seconds=validate_seconds,
        parallelism=parallelism,
        retry_mode=retry_mode,
        retry_study=study,
    )


def judge(figures: Figures) -> bool:
    """Compare each figure with its target; True when all are met."""
    limit = round(TARGET_PLAN_OVER_FLOOR * figures.floor_seconds, 3)
    checks = [
        ("no-op plan changes", figures.plan_changes, "== 0", figures.plan_changes == 0),
        ("no-op plan wall seconds", figures.plan_seconds, f"<= {limit:g}", figures.plan_seconds <= limit),
        (
            "python -m bootstrap --version, s",
            figures.version_seconds,
            f"< {TARGET_STARTUP_SECONDS:g}",
            figures.version_seconds < TARGET_STARTUP_SECONDS,
        ),
        (
            "bootstrap validate, s",
            figures.validate_seconds,
            f"< {TARGET_STARTUP_SECONDS:g}",
            figures.validate_seconds < TARGET_STARTUP_SECONDS,
        ),
    ]
    figures.checks = [
        {"name": name, "value": value, "target": target, "pass": ok} for name, value, target, ok in checks
    ]
    return all(ok for *_, ok in checks)


def print_figures(figures: Figures) -> None:
    print(
        f"latency: N={figures.accounts} member accounts, {figures.latency_ms:g} ms per request, "
        f"HTTP sandbox {'in its own process' if figures.separate else 'in this process'}, "
        f"seed={figures.seed_mode} ({figures.seed_seconds:.1f} s), default VPCs removed in the "
        f"{figures.default_vpc_regions} regions"
    )
    print(
        f"no-op plan: {figures.plan_seconds:.2f} s, {figures.total_calls} API calls, "
        f"{figures.recorded_requests} HTTP requests (parallelism {figures.parallelism}, "
        f"{figures.retry_mode} retries), {figures.plan_cpu_seconds:.2f} s CPU in this process"
    )
    print("replay of the plan's requests through the same proxy:")
    for r in figures.replays:
        mark = "  <- floor" if r.concurrency == figures.floor_concurrency else ""
        odd = f"  ({r.mismatches} statuses differ from the plan's)" if r.mismatches else ""
        odd += f"  ({r.failures} requests unanswered: not a floor)" if r.failures else ""
        print(f"  {r.concurrency:3d} connections  {r.seconds:8.2f} s{mark}{odd}")
    print(f"plan / floor: {figures.plan_seconds / figures.floor_seconds:.1f}x")
    for check in figures.checks:
        verdict = "PASS" if check["pass"] else "FAIL"
        print(f"{check['name']:<34} {check['value']:>9}  target {check['target']:<9} {verdict}")
    print(f"(plan target: at most {TARGET_PLAN_OVER_FLOOR:g} x the floor; start-up: median of {STARTUP_RUNS} runs)")
    if figures.retry_study:
        print("retry modes under random throttling (no-op plan, median of the runs; not judged):")
        for run_ in figures.retry_study:
            print(
                f"  {run_.mode:<9} {run_.throttle_percent:4g} % throttled  {run_.seconds:7.2f} s  x{run_.slowdown:<5g}"
                f"  ({run_.throttled} throttles)"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--accounts", type=int, default=50, help="member accounts (default 50)")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="latency added per request (default 50)")
    parser.add_argument(
        "--seed",
        choices=("auto", *SEED_MODES),
        default="auto",
        help=f"seed through the toolkit's apply or straight through boto3 (auto: direct from {DIRECT_SEED_FROM})",
    )
    parser.add_argument("--port", type=int, default=None, help="sandbox port (default: a free one)")
    parser.add_argument(
        "--parallelism", type=int, default=DEFAULT_PARALLELISM, help=f"calls in flight (default {DEFAULT_PARALLELISM})"
    )
    parser.add_argument(
        "--retry-mode", choices=RETRY_MODES, default=RETRY_MODE, help=f"botocore retry mode (default {RETRY_MODE})"
    )
    parser.add_argument(
        "--retry-study",
        action="store_true",
        help=f"also time the plan in each retry mode with {', '.join(f'{p:g}' for p in THROTTLE_PERCENTS)} %% "
        "of requests throttled",
    )
    parser.add_argument("--runs", type=int, default=3, help="plans per retry-study figure (default 3)")
    parser.add_argument(
        "--replays",
        default=",".join(map(str, CONCURRENCIES)),
        help="connections per replay, comma-separated (default %(default)s; one connection replays 1,000 "
        "accounts' requests for minutes)",
    )
    parser.add_argument(
        "--sandbox-process",
        action="store_true",
        help="run the sandbox and the proxy in a process of their own (else in this one, sharing its GIL)",
    )
    parser.add_argument(
        "--default-vpc-regions",
        choices=("enabled", "allowed"),
        default="enabled",
        help="where the spec removes default VPCs: every region each account has enabled, as the default spec does "
        "(default), or only its allowed regions (for 1,000 accounts: the sandbox needs about 3.3 MB per "
        "account-region it serves EC2 in)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.accounts < 1:
        parser.error("--accounts must be at least 1")
    if args.latency_ms < 0:
        parser.error("--latency-ms must not be negative")
    if args.parallelism < 1 or args.runs < 1:
        parser.error("--parallelism and --runs must be at least 1")
    try:
        concurrencies = tuple(sorted({int(c) for c in args.replays.split(",")}))
    except ValueError:
        parser.error("--replays takes numbers separated by commas, e.g. 8,16,32")
    if not concurrencies or concurrencies[0] < 1:
        parser.error("--replays takes numbers of at least 1")
    if args.port is not None and not port_is_free(args.port):
        parser.error(f"port {args.port} is in use; pick another or leave --port out")
    seed_mode = args.seed
    if seed_mode == "auto":
        seed_mode = "direct" if args.accounts >= DIRECT_SEED_FROM else "engine"
    isolate_environment(iam_managed_policies=False)
    figures = run(
        args.accounts,
        args.latency_ms,
        seed_mode,
        args.port,
        parallelism=args.parallelism,
        retry_mode=args.retry_mode,
        study_runs=args.runs if args.retry_study else 0,
        concurrencies=concurrencies,
        separate=args.sandbox_process,
        default_vpc_regions=args.default_vpc_regions,
    )
    ok = judge(figures)
    if args.json:
        print(json.dumps(dataclasses.asdict(figures), indent=2))
    else:
        print_figures(figures)
    if figures.plan_changes:
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
