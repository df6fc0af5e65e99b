"""`with_retries`: transient Organizations errors are retried with backoff; everything else is not."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from bootstrap.aws.retry import TRANSIENT, error_code, with_retries


def client_error(code: str, operation: str = "AttachPolicy") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"{code} happened"}}, operation)


class Flaky:
    """A call that fails with `codes` in turn, then returns `result`."""

    def __init__(self, *codes: str, result: str = "ok") -> None:
        self.codes = list(codes)
        self.calls = 0
        self.result = result

    def __call__(self) -> str:
        self.calls += 1
        if self.codes:
            raise client_error(self.codes.pop(0))
        return self.result


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.mark.parametrize(
    "code", ["ConcurrentModificationException", "FinalizingOrganizationException", "PolicyChangesInProgressException"]
)
def test_transient_errors_are_retried_until_success(code: str) -> None:
    call, sleep = Flaky(code, code, result="attached"), Sleeps()
    assert with_retries(call, sleep=sleep) == "attached"
    assert call.calls == 3
    assert len(sleep.delays) == 2


def test_backoff_grows_and_is_capped() -> None:
    call, sleep = Flaky(*["ConcurrentModificationException"] * 7), Sleeps()
    with_retries(call, attempts=8, base_delay=1.0, max_delay=4.0, sleep=sleep)
    caps = [min(4.0, 1.0 * 2**n) for n in range(7)]
    assert len(sleep.delays) == 7
    assert all(0 <= delay <= cap for delay, cap in zip(sleep.delays, caps, strict=True))


def test_gives_up_after_the_attempts_and_reraises_the_last_error() -> None:
    call, sleep = Flaky(*["ConcurrentModificationException"] * 10), Sleeps()
    with pytest.raises(ClientError) as caught:
        with_retries(call, attempts=4, sleep=sleep)
    assert error_code(caught.value) == "ConcurrentModificationException"
    assert call.calls == 4
    assert len(sleep.delays) == 3, "no sleep after the last attempt"


def test_single_attempt_never_sleeps() -> None:
    call, sleep = Flaky("ConcurrentModificationException"), Sleeps()
    with pytest.raises(ClientError):
        with_retries(call, attempts=1, sleep=sleep)
    assert (call.calls, sleep.delays) == (1, [])


@pytest.mark.parametrize(
    "code",
    [
        "AccessDeniedException",
        "DuplicatePolicyAttachmentException",
        "ValidationException",
        "ConstraintViolationException",
        "PolicyNotFoundException",
        # botocore's retry mode already retried these inside the call: retrying again would be a second layer
        "TooManyRequestsException",
        "ThrottlingException",
        "Throttling",
        "",
    ],
)
def test_other_codes_are_never_retried(code: str) -> None:
    call, sleep = Flaky(code), Sleeps()
    with pytest.raises(ClientError) as caught:
        with_retries(call, sleep=sleep)
    assert error_code(caught.value) == code
    assert (call.calls, sleep.delays) == (1, [])


def test_only_the_given_codes_are_retried() -> None:
    call, sleep = Flaky("ConcurrentModificationException"), Sleeps()
    with pytest.raises(ClientError):
        with_retries(call, codes=frozenset({"TooManyRequestsException"}), sleep=sleep)
    assert call.calls == 1


def test_errors_that_are_not_client_errors_pass_through() -> None:
    calls: list[int] = []

    def broken() -> None:
        calls.append(1)
        raise KeyError("Policy")

    with pytest.raises(KeyError):
        with_retries(broken, sleep=Sleeps())
    assert calls == [1]


def test_the_transient_set_is_only_what_botocore_does_not_retry() -> None:
    assert {
        "ConcurrentModificationException",
        "FinalizingOrganizationException",
        "PolicyChangesInProgressException",
    } == TRANSIENT
