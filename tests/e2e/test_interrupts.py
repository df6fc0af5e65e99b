"""Ctrl-C (SIGINT) sent to the real `bootstrap` command mid-run: exit 130, one clear line, no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bootstrap.sandbox.server import Sandbox

pytestmark = pytest.mark.e2e


def command() -> list[str]:
    """The `bootstrap` of this interpreter's environment (a `bootstrap` on PATH may be another install)."""
    exe = Path(sys.executable).with_name("bootstrap")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "bootstrap"]


def _start(args: list[str], cwd: Path, sandbox: Sandbox, endpoint: str) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment.update(sandbox.environment())
    environment.update({"AWS_ENDPOINT_URL": endpoint, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
    environment["PYTHONUNBUFFERED"] = "1"
    return subprocess.Popen(
        [*command(), *args],
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )


def _default_sigint() -> None:
    """pytest-xdist workers ignore SIGINT, and children inherit that: give the command Ctrl-C back."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def _init(run) -> None:  # type: ignore[no-untyped-def]
    assert run("init", "--defaults").code == 0


def test_ctrl_c_during_plan_read(run, fresh: Sandbox, proxy, tmp_path: Path) -> None:
    _init(run)
    proxy.delay = 0.2
    proc = _start(["plan", "--out", "plan.json"], tmp_path, fresh, proxy.url)
    assert proxy.wait_for(3), "plan never reached the endpoint"  # past the caller check, reading live state
    code, out, err = _interrupt(proc)
    assert code == 130, err
    assert "Stopped: plan interrupted while reading live state: it only reads, so nothing was changed" in err
    assert "Traceback" not in err + out
    assert err.count("\n") == 1, err  # one line
    assert not (tmp_path / "plan.json").exists()


def test_ctrl_c_during_status(run, fresh: Sandbox, proxy, tmp_path: Path) -> None:
    _init(run)
    proxy.delay = 0.2
    proc = _start(["status"], tmp_path, fresh, proxy.url)
    assert proxy.wait_for(2)
    code, out, err = _interrupt(proc)
    assert code == 130, err
    assert "Stopped: status interrupted while reading live state" in err
    assert "Traceback" not in err + out


def test_ctrl_c_during_apply_verification(run, fresh: Sandbox, proxy, tmp_path: Path) -> None:
    _init(run)
    proc = _start(["apply", "--yes"], tmp_path, fresh, proxy.url)
    assert proc.stdout is not None
    applied = None
    for line in proc.stdout:  # the plan, the changes, then "Applied N change(s)": verification starts
        if line.startswith("Applied "):
            proxy.delay = 0.2
            applied = line.split()[1]
            break
    assert applied is not None and applied.isascii() and applied.isdigit(), "apply never reported its changes"
    seen = proxy.requests
    assert proxy.wait_for(seen + 3)
    code, out, err = _interrupt(proc)
    assert code == 130, err
    assert f"Stopped: apply interrupted while verifying: the {applied} change(s) were applied and journaled" in err
    assert "Run `bootstrap plan` to check" in err
    assert "Traceback" not in err + out
    proxy.delay = 0
    again = run("plan")
    assert again.code == 0, again.out + again.err  # nothing was lost: the changes were all applied


def _in_the_generated_wrapper(err: str) -> bool:
    """The signal landed in pip's generated `bin/bootstrap` (importing our entry point, or its own `re.sub` of
    argv[0]) before any of our code ran: no frame of the traceback is in our package, so no handler of ours
    could exist yet."""
    frames = [line for line in err.splitlines() if line.strip().startswith("File ")]
    return bool(frames) and not any("/bootstrap/" in frame for frame in frames) and "KeyboardInterrupt" in err


def test_ctrl_c_during_start_up(fresh: Sandbox, tmp_path: Path) -> None:
    """Whenever the signal lands (imports, parsing, the command), the run ends with 130 or finishes."""
    for delay in (0.05, 0.1, 0.15, 0.2, 0.3, 0.4):
        proc = _start(["validate"], tmp_path, fresh, fresh.url)
        time.sleep(delay)
        code, out, err = _interrupt(proc)
        if "init_import_site" in err:  # Python's own start-up (its `site` module), before any of our code
            continue
        if _in_the_generated_wrapper(err):  # pip's console-script wrapper, finding our package: not our code
            continue
        assert "Traceback" not in err + out, (delay, err)
        # 0 or 2 (no spec here): the run finished before the signal; -SIGINT: it came before Python was up
        if code not in (0, 2, -signal.SIGINT):
            assert code == 130, (delay, code, err)
            if code == 130:
                assert err.startswith("Stopped: ") and err.count("\n") == 1, (delay, err)
