"""The apply engine closes a run properly whatever a handler does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bootstrap.apply import engine
from bootstrap.apply.context import ApplyContext
from bootstrap.apply.journal import Journal
from bootstrap.changes import Action, Change, Plan
from bootstrap.errors import AwsError
from bootstrap.plan.refs import Registry
from bootstrap.resources import DesiredState, Location, Resource
from bootstrap.types.base import Outputs

HERE = Location("management", "global")


class _Handler:
    def __init__(self, failing: dict[str, BaseException]) -> None:
        self.failing = failing
        self.created: list[str] = []

    def create(self, ctx: Any, resource: Resource, props: dict[str, Any], change: Change) -> Outputs:
        if resource.address in self.failing:
            raise self.failing[resource.address]
        self.created.append(resource.address)
        return Outputs(f"id-{resource.logical_id}")


class _Quiet:
    def started(self, change: Change) -> None: ...

    def finished(self, change: Change, error: str | None) -> None: ...


def _run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: dict[str, BaseException]
) -> tuple[_Handler, Journal]:
    resources = tuple(
        Resource(f"test/{name}", name.capitalize(), "Test::Thing", HERE, {"Name": name}) for name in ("a", "b", "c")
    )
    desired = DesiredState(resources)
    handler = _Handler(failing)
    monkeypatch.setattr(engine, "handler_for", lambda type_: handler)
    plan = Plan(
        changes=(
            Change("test/a", "Test::Thing", HERE, Action.CREATE),
            Change("test/b", "Test::Thing", HERE, Action.CREATE, depends_on=("test/a",)),
            Change("test/c", "Test::Thing", HERE, Action.CREATE),
        )
    )
    ctx = ApplyContext(sessions=None, desired=desired, registry=Registry(), journal=None)  # type: ignore[arg-type]
    journal = Journal(tmp_path / "journal.jsonl")
    engine.execute(plan, ctx, journal, _Quiet(), max_workers=2)
    return handler, journal


def test_an_aws_failure_stops_only_its_dependents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(AwsError) as raised:
        _run(tmp_path, monkeypatch, {"test/a": AwsError("no", "do this")})
    assert "1 change(s) failed" in raised.value.message and "1 change(s) waiting" in raised.value.message
    assert raised.value.remediation.startswith("do this.")
    run = Journal(tmp_path / "journal.jsonl").last_run()
    assert run is not None and run.status == "failed" and run.done == {"test/c"}


def test_a_bug_in_a_handler_still_closes_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(RuntimeError):
        _run(tmp_path, monkeypatch, {"test/a": RuntimeError("bug")})
    run = Journal(tmp_path / "journal.jsonl").last_run()
    assert run is not None and run.status == "failed"
