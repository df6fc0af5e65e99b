"""The apply journal: an append-only JSON-lines record of each run, so an interrupted apply resumes.

AWS is the state; the journal only remembers what a run was doing when it stopped: which plan, which
changes started and which finished, and what handlers noted on the way (an account's creation request, the
id of a key just made), so the next apply can say what it resumes and its handlers can find what a cut-off
call made instead of making it twice. A run that resumes the same saved plan continues its record.
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
    started: dict[str, str] = field(default_factory=dict)
    """Address -> action of each change the run began (finished or not)."""
    notes: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Address -> what handlers recorded for it (`Journal.record`), later notes over earlier ones."""

    @property
    def finished(self) -> bool:
        return self.status == "complete"

    def cut_short(self) -> set[str]:
        """Changes begun and never finished: their call may or may not have taken effect."""
        return set(self.started) - self.done


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

    def started(self, address: str, action: str) -> None:
        self._write({"event": "start", "address": address, "action": action})

    def done(self, address: str, physical_id: str | None) -> None:
        self._write({"event": "done", "address": address, "physical_id": physical_id})

    def failed(self, address: str, message: str) -> None:
        self._write({"event": "failed", "address": address, "message": message})

    def record(self, address: str, **data: Any) -> None:
        self._write({"event": "note", "address": address, **data})

    def end(self, status: str) -> None:
        self._write({"event": "end", "status": status})

    def last_run(self) -> RunRecord | None:
        """The most recent run, or None if there is no journal. Runs of one plan that follow an unfinished
        one (a saved plan resumed) count as one run: what each finished and noted adds up."""
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
                if run is None or run.finished or run.plan_id != event["plan_id"]:
                    run = RunRecord(event["plan_id"], event["at"], int(event.get("total", 0)))
                run.status = "running"
            elif run is not None and kind == "start":
                run.started[event["address"]] = str(event.get("action", ""))
            elif run is not None and kind == "done":
                run.done.add(event["address"])
            elif run is not None and kind == "note":
                extra = {k: v for k, v in event.items() if k not in ("at", "event", "address")}
                run.notes.setdefault(event["address"], {}).update(extra)
            elif run is not None and kind == "end":
                run.status = event["status"]
        return run
