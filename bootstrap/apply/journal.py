"""The apply journal: an append-only JSON-lines record of each run, so an interrupted apply resumes.

AWS is the state; the journal only remembers what a run was doing when it stopped: which plan, which
changes finished, and requests still under way (such as an account being created), so the next apply can
say what it resumes and skip what is done.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class RunRecord:
    plan_id: str
    started_at: str
    total: int
    done: set[str] = field(default_factory=set)
    status: str = "running"


class Journal:
    """Appends events to `path`; each line is flushed and fsynced before the next change starts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _write(self, event: dict[str, Any]) -> None:
        line = json.dumps({"at": now(), **event}, default=str)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
                fh.flush()
                os.fsync(fh.fileno())

    def begin(self, plan_id: str, total: int) -> None:
        self._write({"event": "begin", "plan_id": plan_id, "total": total})

    def done(self, address: str, physical_id: str | None) -> None:
        self._write({"event": "done", "address": address, "physical_id": physical_id})

    def failed(self, address: str, message: str) -> None:
        self._write({"event": "failed", "address": address, "message": message})

    def record(self, address: str, **data: Any) -> None:
        self._write({"event": "note", "address": address, **data})

    def end(self, status: str) -> None:
        self._write({"event": "end", "status": status})

    def last_run(self) -> RunRecord | None:
        """The most recent run, or None if there is no journal."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return None
        run: RunRecord | None = None
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a line cut short by a crash: everything before it still counts
            kind = event.get("event")
            if kind == "begin":
                run = RunRecord(event["plan_id"], event["at"], int(event.get("total", 0)))
            elif run is not None and kind == "done":
                run.done.add(event["address"])
            elif run is not None and kind == "end":
                run.status = event["status"]
        return run
