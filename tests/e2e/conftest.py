"""End-to-end fixtures: the sandbox server in this process, the real `bootstrap` command in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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


def _command() -> list[str]:
    exe = shutil.which("bootstrap")
    return [exe] if exe else [sys.executable, "-m", "bootstrap"]


@pytest.fixture
def run(fresh: Sandbox, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run `bootstrap ARGS` in tmp_path against the sandbox, with no terminal and no real credentials."""

    def _run(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> Result:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        environment.update(fresh.environment())
        environment.update({"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
        environment.update(env or {})
        proc = subprocess.run(
            [*_command(), *args],
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
