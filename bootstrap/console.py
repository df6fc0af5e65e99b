"""Console output shared by the CLI and the demo: one stdout console for results, one stderr console for errors,
progress reporters, call statistics."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from bootstrap.aws.stats import CallStats, is_write

if TYPE_CHECKING:  # the planner and rich's progress bars load only in the commands that show them
    from rich.progress import Progress, TaskID

    from bootstrap.changes import Change


def make_consoles() -> tuple[Console, Console]:
    """stdout and stderr consoles that print user data as it is.

    No emoji codes (`landing-zone.yaml:100:` is a file and line, not 💯) and no highlighting; markup is
    only the toolkit's own, and user data printed with it goes through `rich.markup.escape`. In a terminal,
    lines wrap between words at its width; piped, they are never wrapped (each message stays one line for
    grep and logs). Colors are off when the output is not a terminal, and with `NO_COLOR` (rich honours it).
    """
    return _console(stderr=False), _console(stderr=True)


def _console(*, stderr: bool) -> Console:
    console = Console(stderr=stderr, highlight=False, emoji=False)
    console.soft_wrap = not console.is_terminal
    return console


class LineReporter:
    """One line per finished change; what the demo and non-terminal runs show."""

    def __init__(self, console: Console, indent: str = "  ") -> None:
        self.console = console
        self.indent = indent
        self._started: dict[str, float] = {}

    def started(self, change: Change) -> None:
        self._started[change.address] = time.monotonic()

    def finished(self, change: Change, error: str | None) -> None:
        took = time.monotonic() - self._started.pop(change.address, time.monotonic())
        mark = "[red]✗[/]" if error else "[green]✓[/]"
        tail = f"  [red]{escape(error)}[/]" if error else f"  [dim]{took:.1f}s[/]"
        self.console.print(f"{self.indent}{mark} {change.symbol:>3} {escape(change.address)}{tail}")


class ProgressReporter(LineReporter):
    """A progress bar above the per-change lines, in a terminal."""

    def __init__(self, console: Console, progress: Progress, task: TaskID) -> None:
        super().__init__(progress.console)
        self.progress = progress
        self.task = task

    def finished(self, change: Change, error: str | None) -> None:
        super().finished(change, error)
        self.progress.advance(self.task)


@contextmanager
def reading(console: Console, what: str = "Reading live state") -> Iterator[None]:
    """A spinner while live state is read (seconds for a large organization); silent without a terminal."""
    if not console.is_terminal:
        yield
        return
    with console.status(f"{what}…"):
        yield


@contextmanager
def apply_reporter(console: Console, total: int) -> Iterator[LineReporter]:
    if not console.is_terminal:
        yield LineReporter(console)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("Applying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("apply", total=total)
        yield ProgressReporter(console, progress, task)


def print_stats(stats: CallStats, console: Console, title: str = "API calls") -> None:
    from rich.table import Table

    table = Table(title=f"{title}: {stats.total} ({stats.writes} writes)", show_edge=False)
    table.add_column("operation")
    table.add_column("calls", justify="right")
    table.add_column("kind")
    for op, count in stats.snapshot().items():
        table.add_row(op, str(count), "write" if is_write(op) else "read")
    console.print(table)
