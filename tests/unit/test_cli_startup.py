"""Start-up stays light and the `--parallelism` option is checked at the boundary.

What the CLI imports is checked in a fresh interpreter (this test process has everything loaded already):
registering the commands, `--version` and `validate` must not load boto3, the observers or the planner.
No timings here: benchmarks/latency.py prints those.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bootstrap.aws import session
from bootstrap.aws.session import AwsTarget
from bootstrap.cli import app, options
from bootstrap.cli.options import GlobalOptions, normalize_argv
from bootstrap.errors import InputError
from bootstrap.spec.answers import Answers, render_spec_yaml

HEAVY = ["boto3", "botocore.session", "botocore.client", "bootstrap.workflow", "bootstrap.observe.live", "moto"]

PROBE = """
import json, sys
from bootstrap.cli.app import run
code = run(sys.argv[1:])
print(json.dumps({"code": code, "loaded": sorted(m for m in %r if m in sys.modules)}))
"""


def _probe(*argv: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,), *argv], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    found: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def test_version_loads_no_aws_module() -> None:
    assert _probe("--version") == {"code": 0, "loaded": []}


def test_validate_loads_no_aws_module(tmp_path: Path) -> None:
    spec = tmp_path / "landing-zone.yaml"
    spec.write_text(render_spec_yaml(Answers(management_account_id="123456789012")), encoding="utf-8")
    assert _probe("validate", "--spec", str(spec)) == {"code": 0, "loaded": []}


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_parallelism_below_one_is_refused_with_exit_2(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert app.run(["plan", "--parallelism", value, "--spec", "nowhere.yaml"]) == 2
    assert "--parallelism" in capsys.readouterr().err


def test_parallelism_from_the_environment_is_checked_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOOTSTRAP_PARALLELISM", "0")
    assert app.run(["plan", "--spec", "nowhere.yaml"]) == 2
    assert "BOOTSTRAP_PARALLELISM" in capsys.readouterr().err


def test_parallelism_is_a_global_flag_anywhere_on_the_line() -> None:
    assert normalize_argv(["plan", "--stats", "--parallelism", "8"]) == ["--parallelism", "8", "plan", "--stats"]
    assert normalize_argv(["plan", "--parallelism=8"]) == ["--parallelism=8", "plan"]


def test_parallelism_reaches_the_sessions() -> None:
    assert GlobalOptions(parallelism=5).target().parallelism == 5
    assert options.DEFAULT_PARALLELISM == session.DEFAULT_PARALLELISM == AwsTarget().parallelism


def test_a_target_refuses_parallelism_below_one() -> None:
    with pytest.raises(InputError) as refused:
        AwsTarget(parallelism=0)
    assert refused.value.exit_code == 2
