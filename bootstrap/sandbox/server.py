"""Start and stop a local AWS endpoint (moto's threaded server), bound to 127.0.0.1 only.

The sandbox's management account is moto's default account; dummy credentials are set in the
environment of whatever runs against it, with `BOOTSTRAP_SANDBOX=1`: the capability flag by which a session
knows its endpoint is this simulation (`AwsTarget.simulated`), so `status` says plainly which steps it cannot
show there.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bootstrap.aws.session import SIMULATED_ENV
from bootstrap.errors import InputError
from bootstrap.sandbox.identity_fixes import accept_managed_policy_paths

LOAD_AMIS_ENV = "MOTO_EC2_LOAD_DEFAULT_AMIS"
"""Off unless set: moto otherwise loads thousands of AMIs into every account-region's EC2 backend the first time
it is touched (0.3 s each; the network layer touches every region of every account). The landing zone launches
no instance; set it to `true` to try instances in the sandbox."""

SANDBOX_ACCOUNT_ID = "123456789012"
SANDBOX_REGION = "us-east-1"
DUMMY_KEY = "sandbox"


@dataclass(frozen=True)
class Sandbox:
    url: str
    account_id: str = SANDBOX_ACCOUNT_ID
    region: str = SANDBOX_REGION

    def environment(self) -> dict[str, str]:
        """What a shell needs to point boto3, the AWS CLI and `bootstrap` at the sandbox."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": DUMMY_KEY,
            "AWS_SECRET_ACCESS_KEY": DUMMY_KEY,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            SIMULATED_ENV: "1",
        }

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):  # always http://127.0.0.1
            pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _require_free(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            raise InputError(
                f"port {port} on 127.0.0.1 is already in use",
                "Stop what uses it, or pass another --port (0 picks a free one).",
            ) from None


@contextmanager
def running_sandbox(port: int | None = None) -> Iterator[Sandbox]:
    """Run the endpoint for the duration of the block, then stop it."""
    from moto.server import ThreadedMotoServer  # imported here: starting moto is the sandbox's job only

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log lines in the user's terminal
    os.environ.setdefault(LOAD_AMIS_ENV, "false")
    chosen = port or free_port()
    _require_free(chosen)  # moto's server thread dies silently on a busy port and start() then waits forever
    accept_managed_policy_paths()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=chosen, verbose=False)
    server.start()
    try:
        yield Sandbox(url=f"http://127.0.0.1:{chosen}")
    finally:
        _stop_within(server, seconds=10.0)


def _stop_within(server: Any, *, seconds: float) -> None:
    """Stop the server, giving up after `seconds`: a client that keeps a connection open must never keep
    Ctrl-C from ending the sandbox (its serving thread is a daemon and ends with the process)."""
    stopper = threading.Thread(target=server.stop, name="sandbox-stop", daemon=True)
    stopper.start()
    stopper.join(timeout=seconds)


@contextmanager
def sandbox_environment(sandbox: Sandbox) -> Iterator[None]:
    """Point this process's AWS clients at the sandbox for the duration of the block."""
    saved = {k: os.environ.get(k) for k in (*sandbox.environment(), "AWS_PROFILE")}
    os.environ.pop("AWS_PROFILE", None)
    os.environ.update(sandbox.environment())
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
