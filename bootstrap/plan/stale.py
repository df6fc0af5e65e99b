"""Messages about an earlier run: what a refused stale plan no longer matches, and what an earlier apply did.

A saved plan keeps only a digest of the live state it was read from, so what changed since is told by
comparing the saved plan with a fresh one, address by address: a change that is new, gone, or of another
action or other properties is where live state moved. Pure functions of plans (and of a journal's
numbers), so `workflow.check_saved_plan` and the `apply` command can use them without new dependencies.
"""

from __future__ import annotations

from bootstrap.changes import Change, Plan

_SHOWN = 8
"""Addresses named one by one in a stale-plan message; more are counted."""


def plan_differences(saved: Plan, fresh: Plan, already_done: frozenset[str] = frozenset()) -> list[str]:
    """One phrase per address where the fresh plan differs from the saved one, in address order
    (changes an interrupted run of the saved plan already made are not differences)."""
    before = {c.address: c for c in saved.changes if c.address not in already_done}
    after = {c.address: c for c in fresh.changes}
    found: list[str] = []
    for address in sorted(before.keys() | after.keys()):
        old, new = before.get(address), after.get(address)
        if old is None and new is not None:
            found.append(f"{address} now needs {_describe(new)}")
        elif new is None and old is not None:
            found.append(f"{address} no longer needs {_describe(old)}")
        elif old is not None and new is not None and old.action is not new.action:
            found.append(f"{address}: {_describe(old)} in the plan, {_describe(new)} now")
        elif old is not None and new is not None and _wanted(old) != _wanted(new):
            was, now = _wanted(old), _wanted(new)
            changed = sorted(name for name in was.keys() | now.keys() if was.get(name) != now.get(name))
            found.append(f"{address}: {', '.join(changed)} changed live")
    return found


def stale_plan_message(saved: Plan, fresh: Plan, already_done: frozenset[str] = frozenset()) -> str:
    """The refusal of a saved plan whose live state changed: which resources, in one sentence."""
    found = plan_differences(saved, fresh, already_done)
    if not found:
        return (
            "live state has changed since this plan was made (something it read differs, though the changes "
            "it lists are the same), so it may no longer do what you reviewed"
        )
    more = f"; and {len(found) - _SHOWN} more" if len(found) > _SHOWN else ""
    return (
        f"live state has changed since this plan was made, at {len(found)} resource(s): "
        f"{'; '.join(found[:_SHOWN])}{more}. It may no longer do what you reviewed"
    )


def earlier_apply_line(*, started_at: str, status: str, done: int, total: int, plan_file: str | None = None) -> str:
    """One line on an apply that did not complete: what happened, and what this run will do."""
    happened = {"interrupted": "was interrupted", "failed": "failed", "running": "stopped without finishing"}
    what = happened.get(status, f"ended as {status}")
    if plan_file is None:
        will = "this run reads live state again and applies only what still differs from the spec"
    else:
        will = (
            f"this run applies the {total - done} remaining change(s) of {plan_file} if live state differs "
            "from it only by those done, and refuses it otherwise"
        )
    return f"The last apply (started {started_at}) {what} after {done} of {total} change(s); {will}."


def _describe(change: Change) -> str:
    return f"{change.action.symbol} {change.action.value}"


def _wanted(change: Change) -> dict[str, object]:
    return {d.name: (repr(d.before), repr(d.after)) for d in change.diffs}
