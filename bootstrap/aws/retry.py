"""The toolkit's one addition to botocore's retries: Organizations errors that pass.

Throttling (and transient 5xx, and connection errors) are retried by botocore's retry mode, configured once
in `bootstrap.aws.session`, inside every call. botocore does not know that `ConcurrentModificationException`
(another Organizations change is in flight), `FinalizingOrganizationException` (the organization is still
being set up) and `PolicyChangesInProgressException` (policy changes still propagating) pass as well;
`with_retries` retries those, around each Organizations write, with the same backoff everywhere. It never
retries what botocore already retried, so there is one retry layer per error.
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
    }
)
"""Organizations errors that pass, which botocore's retry modes do not treat as transient."""


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
    """Call `fn`, retrying the errors in `codes` with full-jitter exponential backoff."""
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except ClientError as err:
            if error_code(err) not in codes or attempt == attempts:
                raise
            sleep(random.uniform(0, min(max_delay, base_delay * 2 ** (attempt - 1))))
    raise AssertionError("unreachable")  # pragma: no cover
