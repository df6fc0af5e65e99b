"""The apply lock (an SSM parameter in the management account): two applies never run at once, the one
refused is told who holds it, a lock is released however the apply ends, and a dead holder's lock is broken
(by itself on the same host, by `--force-unlock ID` elsewhere)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from bootstrap.apply.lock import PARAMETER, ApplyLock, holding
from bootstrap.aws.session import Sessions
from bootstrap.errors import AwsError, InputError, SafetyError
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import apply_lock


def test_a_second_apply_is_refused_naming_the_holder(spec: LandingZoneSpec, sessions: Sessions) -> None:
    first = apply_lock(spec, sessions)
    with holding(first) as held:
        with pytest.raises(SafetyError) as refused, holding(apply_lock(spec, sessions)):
            pass
        assert held.who in refused.value.message and held.host in refused.value.message
        assert f"process {held.pid}" in refused.value.message
        assert f"--force-unlock {held.id}" in refused.value.remediation
    assert first.holder() is None  # released when the block ended


@pytest.mark.parametrize("ending", [AwsError("boom"), KeyboardInterrupt()], ids=["failure", "ctrl-c"])
def test_the_lock_is_released_however_the_apply_ends(
    ending: BaseException, spec: LandingZoneSpec, sessions: Sessions
) -> None:
    lock = apply_lock(spec, sessions)
    with pytest.raises(type(ending)), holding(lock):
        assert lock.holder() is not None
        raise ending
    assert lock.holder() is None


def _plant(spec: LandingZoneSpec, **fields: Any) -> dict[str, Any]:
    """A lock written by another apply (another process, maybe another machine)."""
    now = datetime.now(UTC)
    value = {
        "id": "0123456789ab",
        "who": "arn:aws:sts::123456789012:assumed-role/Admin/alice",
        "host": "alice-laptop",
        "pid": 4242,
        "since": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "lease_until": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **fields,
    }
    ssm = boto3.client("ssm", region_name=spec.organization.home_region)
    ssm.put_parameter(Name=PARAMETER, Value=json.dumps(value), Type="String")
    return value


def test_a_lock_past_its_lease_is_reported_stale_and_force_unlock_breaks_it(
    spec: LandingZoneSpec, sessions: Sessions
) -> None:
    planted = _plant(spec, lease_until="2026-01-01T00:00:00Z")
    lock = apply_lock(spec, sessions)
    with pytest.raises(SafetyError) as refused:
        lock.acquire()
    assert "lease ran out at 2026-01-01T00:00:00Z" in refused.value.message
    assert "alice" in refused.value.message
    assert f"--force-unlock {planted['id']}" in refused.value.remediation

    with pytest.raises(InputError, match=f"held with id {planted['id']}"):
        lock.force_unlock("not-the-id")
    assert lock.force_unlock(planted["id"]).who == planted["who"]
    with holding(lock):
        pass


def test_a_lock_whose_holder_died_on_this_host_is_taken_over(spec: LandingZoneSpec, sessions: Sessions) -> None:
    import socket

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    _plant(spec, host=socket.gethostname(), pid=int(dead.stdout))
    lock = apply_lock(spec, sessions)
    with holding(lock) as mine:
        assert lock.holder() == mine


def test_the_lock_is_written_in_the_management_account_only_after_the_account_pin(
    spec: LandingZoneSpec, sessions: Sessions, variant: Any
) -> None:
    elsewhere = variant(lambda d: d["organization"].update(management_account_id="210987654321"))
    with pytest.raises(SafetyError, match="management account"):
        apply_lock(elsewhere, sessions)
    assert ApplyLock(sessions.client("ssm", region=spec.organization.home_region), "x").holder() is None
