"""`bootstrap status` without AWS: the steps and their checks held together, the phases' order, the JSON schema,
the exit codes, and checks that run at once and fail on their own."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError
from variants import spec_variants

from bootstrap.render.steps import EVERY_RUN, FIRST_DAY, FIRST_WEEK, PHASES, ManualStep, manual_steps
from bootstrap.spec.billing_model import BillingSpec
from bootstrap.status import report
from bootstrap.status.report import (
    CHECKS,
    EXIT_DONE,
    EXIT_PENDING,
    EXIT_READ_FAILED,
    STATES,
    StepStatus,
    exit_code,
    status_json,
)


def step(id_: str = "x", **fields: Any) -> ManualStep:
    return ManualStep(id=id_, title=f"Do {id_}", account="management", runbook="a.md", order=10, why="w", **fields)


def test_manual_step_keeps_its_constructor_and_new_fields_have_defaults() -> None:
    old = ManualStep("a", "A", "management", "a.md", 10, "why")
    assert (old.phase, old.verifiable) == (FIRST_DAY, True)
    assert old.runbook_link == "runbooks/a.md#a"
    with pytest.raises(ValueError, match="phase 'someday'"):
        step(phase="someday")


@pytest.mark.parametrize("variant", list(spec_variants()))
def test_a_step_is_verifiable_exactly_when_it_has_a_check(variant: str) -> None:
    for s in manual_steps(spec_variants()[variant]):
        assert (s.id in CHECKS) == s.verifiable, f"{s.id}: verifiable={s.verifiable} but check: {s.id in CHECKS}"


def test_steps_are_ordered_by_phase_then_order() -> None:
    steps = manual_steps(spec_variants()["default"])
    phases = [list(PHASES).index(s.phase) for s in steps]
    assert phases == sorted(phases)
    ids = [s.id for s in steps]
    assert ids[:4] == ["root-mfa", "root-access-keys", "break-glass", "alarm-subscriptions"]
    assert {s.id: s.phase for s in steps}["mfa-delete"] == FIRST_WEEK
    assert {s.id: s.verifiable for s in steps}["iam-billing-access"] is False
    quiet = spec_variants()["no-logging"].model_copy(update={"billing": BillingSpec(enabled=False)})
    assert "alarm-subscriptions" not in {s.id for s in manual_steps(quiet)}, "no alarm, no topic to confirm"
    assert EVERY_RUN in PHASES


@pytest.mark.parametrize(
    ("states", "code"),
    [
        (["done", "unverifiable", "unavailable"], EXIT_DONE),
        ([], EXIT_DONE),
        (["done", "pending"], EXIT_PENDING),
        (["pending", "unknown"], EXIT_READ_FAILED),
        (["unknown"], EXIT_READ_FAILED),
    ],
)
def test_exit_code(states: list[str], code: int) -> None:
    assert exit_code([StepStatus(step(f"s{i}"), s, "") for i, s in enumerate(states)]) == code


def test_json_schema() -> None:
    rows = [
        StepStatus(step("a"), "done", "fine", "123456789012"),
        StepStatus(step("b", phase=FIRST_WEEK, verifiable=False), "unverifiable", "by hand"),
    ]
    data = json.loads(status_json(rows))
    assert data["format_version"] == 1
    assert data["exit_code"] == EXIT_DONE
    assert data["summary"] == {"done": 1, "pending": 0, "unverifiable": 1, "unavailable": 0, "unknown": 0}
    assert list(data["summary"]) == list(STATES)
    assert data["steps"][1] == {
        "id": "b",
        "title": "Do b",
        "phase": "first-week",
        "state": "unverifiable",
        "detail": "by hand",
        "runbook": "runbooks/a.md#b",
        "account": "management",
        "account_id": None,
    }


def _collect(monkeypatch: pytest.MonkeyPatch, steps: list[ManualStep], checks: dict[str, Any]) -> list[StepStatus]:
    monkeypatch.setattr(report, "account_ids", lambda *_: {})
    monkeypatch.setattr(report, "manual_steps", lambda _: steps)
    monkeypatch.setattr(report, "CHECKS", checks)

    class Sessions:
        parallelism = 8

    return report.collect_status(spec_variants()["default"], Sessions())  # type: ignore[arg-type]


def test_checks_run_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three checks that each wait for the others: they pass only if all three run at the same time."""
    together = threading.Barrier(3, timeout=10)

    def waits(*_: Any) -> tuple[str, str]:
        together.wait()
        return "done", "read"

    rows = _collect(monkeypatch, [step("a"), step("b"), step("c")], {"a": waits, "b": waits, "c": waits})
    assert [(r.step.id, r.state) for r in rows] == [("a", "done"), ("b", "done"), ("c", "done")]


def test_a_failing_read_is_unknown_with_its_reason_and_the_others_still_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(*_: Any) -> tuple[str, str]:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not you"}}, "GetAccountSummary")

    rows = _collect(
        monkeypatch,
        [step("a"), step("b"), step("c", verifiable=False)],
        {"a": denied, "b": lambda *_: ("pending", "not yet")},
    )
    assert [(r.state, r.detail) for r in rows] == [
        ("unknown", "could not read it: AccessDenied: not you"),
        ("pending", "not yet"),
        ("unverifiable", report.UNVERIFIABLE),
    ]
    assert rows[0].account_id == "123456789012"


def test_each_reads_items_at_once_and_a_failure_stays_with_its_item() -> None:
    from bootstrap.status.parallel import each

    together = threading.Barrier(3, timeout=10)

    def read(item: str) -> str:
        together.wait()
        if item == "b":
            raise ClientError({"Error": {"Code": "NotFound", "Message": "gone"}}, "ListSubscriptionsByTopic")
        return item.upper()

    class Sessions:
        parallelism = 8

    reads = each(Sessions(), ["a", "b", "c"], read)  # type: ignore[arg-type]
    assert [(r.item, r.answer, r.failure) for r in reads] == [
        ("a", "A", None),
        ("b", None, "NotFound: gone"),
        ("c", "C", None),
    ]
