"""Retry AWS calls that fail for reasons that pass: throttling and concurrent modification.

botocore's adaptive mode already retries throttling on every call; this adds the Organizations-style
errors it does not know are transient (`ConcurrentModificationException`, an organization still being
set up, policy changes still propagating).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import ClientError

T = TypeVar("T")

TRANSIENT = frozenset(
    {
        "ConcurrentModificationException",
        "FinalizingOrganizationException",
        "PolicyChangesInProgressException",
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
    }
)


def error_code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


def with_retries(
    fn: Callable[[], T],
    *,
    attempts: int = 8,
    base_delay: float = 0.5,
    max_delay: float = 20.0,
    codes: frozenset[str] = TRANSIENT,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call `fn`, retrying transient errors with full-jitter exponential backoff."""
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except ClientError as err:
            if error_code(err) not in codes or attempt == attempts:
                raise
            sleep(random.uniform(0, min(max_delay, base_delay * 2 ** (attempt - 1))))
    raise AssertionError("unreachable")  # pragma: no cover
