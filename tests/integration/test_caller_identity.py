"""Who the caller is: the first call of every command rides out a flaky network before giving up."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ConnectionClosedError

from bootstrap.aws.session import CALLER_ATTEMPTS, Sessions
from bootstrap.errors import AwsError


def _drop_first(sessions: Sessions, drops: int, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The first `drops` attempts at GetCallerIdentity lose their connection; botocore's backoff does not wait."""
    attempts: list[int] = []

    def flaky(request: Any, **_: Any) -> None:
        attempts.append(1)
        if len(attempts) <= drops:
            raise ConnectionClosedError(endpoint_url=request.url)

    sessions._base.register("before-send.sts.GetCallerIdentity", flaky)
    monkeypatch.setattr(time, "sleep", lambda _: None)
    return attempts


def test_a_few_dropped_connections_are_ridden_out(sessions: Sessions, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts = _drop_first(sessions, CALLER_ATTEMPTS - 1, monkeypatch)
    assert sessions.caller_account() == "123456789012"
    assert len(attempts) == CALLER_ATTEMPTS


def test_a_network_that_stays_down_is_reported_with_the_attempts_made(
    sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = _drop_first(sessions, 100, monkeypatch)
    with pytest.raises(AwsError) as failed:
        sessions.caller_account()
    assert len(attempts) >= CALLER_ATTEMPTS > 2
    assert f"after {CALLER_ATTEMPTS} attempts" in failed.value.message
    assert "run the command again" in failed.value.remediation
