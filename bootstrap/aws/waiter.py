"""One way to wait for AWS's asynchronous work: poll with growing pauses until done, a failure, or a deadline.

Used wherever AWS answers "started" rather than "done": an account being created, policy types being enabled,
a role becoming assumable, Identity Center's provisioning requests. The check decides: it returns the result
when the work is done, `None` to keep waiting, or raises to stop (a failure AWS reported). The timeout error is
the caller's, so it can name the request and say what a re-run will do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(
    check: Callable[[], T | None],
    *,
    timeout: float,
    on_timeout: Callable[[], Exception],
    sleep: Callable[[float], None] = time.sleep,
    first_delay: float = 1.0,
    max_delay: float = 15.0,
    backoff: float = 1.5,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Call `check` until it returns a value; between calls sleep `first_delay`, growing by `backoff` up to
    `max_delay`. Once `timeout` seconds have passed since the first call, raise `on_timeout()`."""
    deadline = clock() + timeout
    delay = first_delay
    while True:
        result = check()
        if result is not None:
            return result
        if clock() > deadline:
            raise on_timeout()
        sleep(delay)
        delay = min(delay * backoff, max_delay)
