"""Faults as AWS and the network produce them, injected at one operation: for the integration tests (in
process, around moto's stubber) and the fault benchmark (`benchmarks/faults.py`, an HTTP proxy in front of
the sandbox).

A fault hits the first `times` calls of one operation (`kms:CreateKey`):
- `throttle`: AWS's throttling answer in the operation's protocol (JSON: 400 `ThrottlingException`; query:
  400 `Throttling`; S3's REST-XML: 503 `SlowDown`). It never took effect.
- `500`, `503`: a server error in the protocol's shape, sent *after* the request reached AWS and took effect
  (the answer is what was lost: the hardest case for a create without a client token).
- `reset-before`: the connection drops before the request is forwarded (nothing happened).
- `reset-after`: the request is forwarded and takes effect, then the connection drops before the answer.
- `kill` (proxy only): the request takes effect, then the client process gets SIGKILL before the answer.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import os
import signal
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import botocore.session
from botocore.awsrequest import AWSResponse

KINDS = ("throttle", "500", "503", "reset-before", "reset-after", "kill")

SIGNING_NAMES = {"monitoring": "cloudwatch", "tagging": "resourcegroupstaggingapi"}
"""SigV4 signing name -> botocore service name, where they differ."""


@functools.cache
def protocol(service: str) -> str:
    """The wire protocol of a botocore service: json, query, rest-xml, rest-json."""
    return str(botocore.session.get_session().get_service_model(service).metadata["protocol"])


def error_answer(service: str, kind: str) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a throttling or server error in the service's protocol."""
    shape = protocol(service)
    if kind == "throttle":
        status, code = (
            (503, "SlowDown")
            if shape == "rest-xml"
            else (400, "Throttling" if shape == "query" else "ThrottlingException")
        )
        message = "Rate exceeded"
    else:
        status = int(kind)
        code = (
            "InternalError" if shape == "rest-xml" else ("InternalFailure" if kind == "500" else "ServiceUnavailable")
        )
        message = "We encountered an internal error. Please try again."
    if shape in ("json", "rest-json"):
        body = f'{{"__type":"{code}","message":"{message}"}}'.encode()
        return status, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "fault"}, body
    if shape == "query":
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            "<RequestId>fault</RequestId></ErrorResponse>"
        ).encode()
        return status, {"Content-Type": "text/xml"}, body
    body = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>fault</RequestId></Error>".encode()
    return status, {"Content-Type": "application/xml"}, body


@dataclass
class Fault:
    """`kind` on the first `times` calls of `operation` ("service:Operation", botocore's names)."""

    operation: str
    kind: str
    times: int = 1
    hits: int = 0
    calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def strikes(self, operation: str) -> bool:
        """Whether this call of `operation` gets the fault (counts the call)."""
        if operation != self.operation:
            return False
        with self._lock:
            self.calls += 1
            if self.hits < self.times:
                self.hits += 1
                return True
        return False

    @property
    def service(self) -> str:
        return self.operation.split(":", 1)[0]


# --- In process: around moto's botocore stubber ------------------------------------------------------------


def inject(monkeypatch: Any, fault: Fault) -> None:
    """Make every in-process boto3 call of `fault.operation` (the toolkit's and anyone's) suffer `fault`."""
    from botocore.exceptions import ConnectionClosedError
    from moto.core.botocore_stubber import BotocoreStubber, MockRawResponse

    original = BotocoreStubber.__call__

    def faulty(self: Any, event_name: str, request: Any, **kwargs: Any) -> AWSResponse | None:
        parts = event_name.split(".")  # before-send.<service-id>.<Operation>
        operation = f"{_service_name(parts[1])}:{parts[2]}" if len(parts) == 3 else ""
        if not fault.strikes(operation):
            return original(self, event_name, request, **kwargs)
        if fault.kind == "reset-before":
            raise ConnectionClosedError(endpoint_url=request.url)
        if fault.kind == "throttle":
            status, headers, body = error_answer(fault.service, "throttle")
            return AWSResponse(request.url, status, headers, MockRawResponse(body))
        original(self, event_name, request, **kwargs)  # it reaches AWS and takes effect
        if fault.kind == "reset-after":
            raise ConnectionClosedError(endpoint_url=request.url)
        status, headers, body = error_answer(fault.service, fault.kind)
        return AWSResponse(request.url, status, headers, MockRawResponse(body))

    monkeypatch.setattr(BotocoreStubber, "__call__", faulty)


def _service_name(service_id: str) -> str:
    """botocore service name of a hyphenized service id (`resource-groups-tagging-api`)."""
    return {"resource-groups-tagging-api": "resourcegroupstaggingapi", "s3-control": "s3control"}.get(
        service_id, service_id.replace("-", "")
    )


# --- Over HTTP: a proxy in front of the sandbox ------------------------------------------------------------

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


def operation_of(method: str, path: str, headers: Any, body: bytes) -> str:
    """`service:Operation` of a raw AWS request (the few shapes the toolkit sends)."""
    scope = str(headers.get("Authorization", "")).split("Credential=")[-1].split(",")[0].split("/")
    signing = scope[3] if len(scope) > 3 else ""
    service = SIGNING_NAMES.get(signing, signing)
    target = headers.get("X-Amz-Target")
    if target:
        return f"{service}:{target.rsplit('.', 1)[-1]}"
    if body and b"Action=" in body:
        return f"{service}:{parse_qs(body.decode())['Action'][0]}"
    if service == "s3":
        parts = urlsplit(path)
        if method == "PUT" and parts.path.strip("/") and "/" not in parts.path.strip("/") and not parts.query:
            return "s3:CreateBucket"
        if method == "PUT" and parts.query.startswith("tagging"):
            return "s3:PutBucketTagging"
    return f"{service}:{method} {urlsplit(path).path}"


@dataclass
class FaultProxy:
    """Forwards to `target`; applies `fault` (if any). `victim` is the pid a `kill` fault kills."""

    target: str
    fault: Fault | None = None
    victim: int | None = None
    url: str = ""
    seen: list[str] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> FaultProxy:
        self._server = _QuietServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (or was killed) mid-request is what the faults are about: not worth a trace."""
        del request, client_address


def _handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    parts = urlsplit(proxy.target)

    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            del format, args

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            operation = operation_of(self.command, self.path, self.headers, body)
            proxy.seen.append(operation)
            fault = proxy.fault
            struck = fault is not None and fault.strikes(operation)
            if struck and fault is not None and fault.kind == "reset-before":
                self._reset()
                return
            if struck and fault is not None and fault.kind == "throttle":
                self._answer(*error_answer(fault.service, "throttle"))
                return
            try:
                status, headers, data = self._upstream(body)
            except (OSError, http.client.HTTPException):
                self._reset()
                return
            if not struck or fault is None:
                self._answer(status, headers, data)
            elif fault.kind == "kill":
                if proxy.victim is not None:
                    os.kill(proxy.victim, signal.SIGKILL)
                self._reset()
            elif fault.kind == "reset-after":
                self._reset()
            else:
                self._answer(*error_answer(fault.service, fault.kind))

        def _upstream(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
            upstream = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                kept = {k: v for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP}
                return response.status, kept, data
            finally:
                upstream.close()

        def _answer(self, status: int, headers: dict[str, str], data: bytes) -> None:
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _reset(self) -> None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(2)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _forward

    return Forward
