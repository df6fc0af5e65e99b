"""`bootstrap sandbox`: runs until Ctrl-C and prints the environment that points tools at it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import boto3
import pytest

pytestmark = pytest.mark.e2e


def test_sandbox_prints_its_environment_serves_aws_calls_and_stops_on_ctrl_c() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "COLUMNS": "200"})
    proc = subprocess.Popen(
        [sys.executable, "-m", "bootstrap", "sandbox", "--port", "0"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        exports: dict[str, str] = {}
        deadline = time.monotonic() + 60
        assert proc.stdout is not None
        while "AWS_REGION" not in exports and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if match := re.match(r"export (\w+)=(\S+)", line):
                exports[match.group(1)] = match.group(2)
        assert exports["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
        sts = boto3.client(
            "sts",
            endpoint_url=exports["AWS_ENDPOINT_URL"],
            region_name=exports["AWS_DEFAULT_REGION"],
            aws_access_key_id=exports["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=exports["AWS_SECRET_ACCESS_KEY"],
        )
        assert sts.get_caller_identity()["Account"] == "123456789012"
    finally:
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "Sandbox stopped." in rest
