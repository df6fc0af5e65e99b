"""Ctrl-C, said plainly: what was interrupted, and what was or was not written.

A `KeyboardInterrupt` inside a command becomes `Cancelled` (exit 130) with a message the error boundary
prints as one line. The innermost `on_interrupt` names the phase; the command-level `interruptible` is the
fallback for the rest of the command. `ApplyInterrupted`, raised by the apply engine, passes through.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from bootstrap.errors import Cancelled

P = ParamSpec("P")
R = TypeVar("R")

STARTING = "interrupted while starting, before any command ran: nothing was read or written"


@contextmanager
def on_interrupt(what: str, outcome: str, remediation: str = "") -> Iterator[None]:
    """Turn Ctrl-C within the block into `Cancelled("{what}: {outcome}")`."""
    try:
        yield
    except KeyboardInterrupt:
        raise Cancelled(f"{what}: {outcome}", remediation) from None


def interruptible(what: str, outcome: str, remediation: str = "") -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A command whose Ctrl-C (outside a more precise `on_interrupt`) says `{what}: {outcome}`."""

    def decorate(command: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(command)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            with on_interrupt(what, outcome, remediation):
                return command(*args, **kwargs)

        return run

    return decorate
