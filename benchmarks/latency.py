"""Benchmark: a no-op `plan` at real-AWS-like latency, against the floor of the same requests in parallel.

Usage: `python benchmarks/latency.py [--accounts N] [--latency-ms MS] [--seed auto|engine|direct] [--json]`.

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
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from urllib.parse import urlsplit

from _common import SEED_MODES, build_spec, fresh_sessions, isolate_environment, port_is_free, seed, spec_answers

from bootstrap.sandbox.server import running_sandbox, sandbox_environment
from bootstrap.spec.answers import render_spec_yaml
from bootstrap.workflow import plan_live

CONCURRENCIES = (1, 4, 8, 16, 32)
TARGET_PLAN_OVER_FLOOR = 2.0
TARGET_STARTUP_SECONDS = 0.3
STARTUP_RUNS = 5
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
class Figures:
    accounts: int
    latency_ms: float
    seed_mode: str
    seed_seconds: float
    plan_seconds: float
    plan_changes: int
    calls: dict[str, int]
    total_calls: int
    recorded_requests: int
    replays: list[Replay]
    floor_seconds: float
    floor_concurrency: int
    version_seconds: float
    validate_seconds: float
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
    """Median wall time of `command` in a fresh subprocess; it must succeed."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


def run(n: int, latency_ms: float, seed_mode: str, port: int | None) -> Figures:
    spec = build_spec(n)
    with TemporaryDirectory() as tmp:
        note("timing CLI start-up ...")
        version_seconds, validate_seconds = measure_startup(n, Path(tmp))
        with running_sandbox(port) as sandbox, sandbox_environment(sandbox):
            note(f"seeding {n} accounts ({seed_mode}) ...")
            seed_seconds = seed(spec, seed_mode, Path(tmp))
            note(f"seeded in {seed_seconds:.1f} s")
            with running_proxy(sandbox.url, latency_ms / 1000) as proxy:
                note(f"no-op plan through the proxy at {latency_ms:g} ms ...")
                sessions, stats = fresh_sessions()
                with endpoint(proxy.url), proxy.recording() as recorded:
                    start = time.perf_counter()
                    live, _ = plan_live(spec, sessions)
                    plan_seconds = time.perf_counter() - start
                note(f"plan: {plan_seconds:.1f} s, {stats.total} calls, {len(recorded)} requests recorded")
                replays = []
                for concurrency in CONCURRENCIES:
                    replays.append(replay(recorded, proxy.url, concurrency))
                    note(f"replay x{concurrency}: {replays[-1].seconds:.2f} s, {replays[-1].failures} failed")
    complete = [r for r in replays if not r.failures] or replays
    floor = min(complete, key=lambda r: r.seconds)
    return Figures(
        accounts=n,
        latency_ms=latency_ms,
        seed_mode=seed_mode,
        seed_seconds=round(seed_seconds, 2),
        plan_seconds=round(plan_seconds, 3),
        plan_changes=len(live.plan.changes),
        calls=stats.snapshot(),
        total_calls=stats.total,
        recorded_requests=len(recorded),
        replays=replays,
        floor_seconds=floor.seconds,
        floor_concurrency=floor.concurrency,
        version_seconds=version_seconds,
        validate_seconds=validate_seconds,
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
        f"HTTP sandbox, seed={figures.seed_mode} ({figures.seed_seconds:.1f} s)"
    )
    print(
        f"no-op plan: {figures.plan_seconds:.2f} s, {figures.total_calls} API calls, "
        f"{figures.recorded_requests} HTTP requests"
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
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.accounts < 1:
        parser.error("--accounts must be at least 1")
    if args.latency_ms < 0:
        parser.error("--latency-ms must not be negative")
    if args.port is not None and not port_is_free(args.port):
        parser.error(f"port {args.port} is in use; pick another or leave --port out")
    seed_mode = args.seed
    if seed_mode == "auto":
        seed_mode = "direct" if args.accounts >= DIRECT_SEED_FROM else "engine"
    isolate_environment(iam_managed_policies=False)
    figures = run(args.accounts, args.latency_ms, seed_mode, args.port)
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
