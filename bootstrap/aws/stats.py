"""Count API calls by operation, so every run can say what it cost (`--stats`, benchmarks, zero-write tests)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

_READ_PREFIXES = ("Describe", "List", "Get", "Head", "Lookup", "Search", "Check", "Select")


_NOT_WRITES = frozenset({"sts"})
"""Services whose calls change nothing in the account (AssumeRole hands out credentials)."""


def is_write(call: str) -> bool:
    """Whether a `service:Operation` call can change live state."""
    service, _, operation = call.partition(":")
    return service not in _NOT_WRITES and not operation.startswith(_READ_PREFIXES)


class CallStats:
    """Thread-safe counter of API calls, fed by a botocore `before-call` event handler."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()

    def on_call(self, model: Any = None, **_: Any) -> None:
        if model is None:
            return
        name = f"{model.service_model.service_name}:{model.name}"
        with self._lock:
            self.calls[name] += 1

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    @property
    def writes(self) -> int:
        return sum(n for call, n in self.calls.items() if is_write(call))

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self.calls.items()))

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
