"""End-to-end fixtures: the sandbox server in this process, the real `bootstrap` command in a subprocess."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bootstrap.sandbox.server import Sandbox, running_sandbox


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox() as sb:
        yield sb


@pytest.fixture
def fresh(sandbox: Sandbox) -> Sandbox:
    sandbox.reset()
    return sandbox


def command() -> list[str]:
    """The `bootstrap` of this interpreter's environment (a `bootstrap` on PATH may be another install)."""
    exe = Path(sys.executable).with_name("bootstrap")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "bootstrap"]


@pytest.fixture
def run(fresh: Sandbox, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run `bootstrap ARGS` in tmp_path against the sandbox, with no terminal and no real credentials."""

    def _run(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> Result:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        environment.update(fresh.environment())
        environment.update({"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
        environment.update(env or {})
        proc = subprocess.run(
            [*command(), *args],
            cwd=tmp_path,
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return _run


# A forwarding proxy in front of the sandbox that can slow every request, so a test can press Ctrl-C mid-read.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


@dataclass
class SlowProxy:
    url: str
    delay: float = 0.0
    requests: int = 0
    _event: threading.Condition = field(default_factory=threading.Condition)

    def count(self) -> None:
        with self._event:
            self.requests += 1
            self._event.notify_all()

    def wait_for(self, requests: int, timeout: float = 60) -> bool:
        """Wait until the proxy has seen `requests` requests in all."""
        with self._event:
            return self._event.wait_for(lambda: self.requests >= requests, timeout=timeout)


def _handler(target: str, proxy: SlowProxy) -> type[BaseHTTPRequestHandler]:
    parts = urlsplit(target)

    class Forward(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # no access log in test output
            del format, args

        def _forward(self) -> None:
            proxy.count()
            if proxy.delay:
                threading.Event().wait(proxy.delay)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            upstream = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in _HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client was interrupted mid-request: expected
                pass
            finally:
                upstream.close()

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _forward

    return Forward


@pytest.fixture
def proxy(fresh: Sandbox) -> Iterator[SlowProxy]:
    target = fresh.url
    proxy = SlowProxy(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(target, proxy))
    server.daemon_threads = True
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
