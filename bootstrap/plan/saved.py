"""The plan's machine format (`plan --json`, `plan --out FILE`): versioned JSON, read back by `apply`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bootstrap.changes import Action, Change, Note, Plan
from bootstrap.errors import InputError

FORMAT_VERSION = 1


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    add, change, destroy = plan.count()
    return {
        "format_version": FORMAT_VERSION,
        "plan_id": plan.plan_id,
        "created_at": plan.created_at,
        "management_account_id": plan.management_account_id,
        "spec_digest": plan.spec_digest,
        "state_fingerprint": plan.state_fingerprint,
        "summary": {"add": add, "change": change, "destroy": destroy},
        "changes": [c.to_dict() for c in plan.changes],
        "notes": [n.to_dict() for n in plan.notes],
        "api_calls": plan.api_calls,
        "labels": plan.labels,
    }


def plan_to_json(plan: Plan) -> str:
    return json.dumps(plan_to_dict(plan), indent=2, sort_keys=False, default=str) + "\n"


MAX_PLAN_BYTES = 64 * 1024 * 1024
"""A saved plan of an organization of thousands of accounts is a few MB; anything far bigger is not one."""

_TOP: dict[str, tuple[type, ...]] = {
    "spec_digest": (str,),
    "state_fingerprint": (str,),
    "management_account_id": (str,),
    "changes": (list,),
}
_CHANGE: dict[str, tuple[type, ...]] = {
    "address": (str,),
    "type": (str,),
    "account": (str,),
    "region": (str,),
    "action": (str,),
}
_OPTIONAL_CHANGE: dict[str, tuple[type, ...]] = {
    "physical_id": (str, type(None)),
    "reason": (str,),
    "depends_on": (list,),
    "diffs": (list,),
    "before": (dict, type(None)),
    "pending": (str, type(None)),
}


def _shape_problem(data: object) -> str | None:
    """What makes `data` something other than a plan this version writes, in words; None if it is one."""
    if not isinstance(data, dict):
        return "the file is not a JSON object"
    for key, kinds in _TOP.items():
        if not isinstance(data.get(key), kinds):
            return f"'{key}' is missing or of the wrong kind"
    for key, kinds in (("notes", (list,)), ("labels", (dict,)), ("created_at", (str,)), ("plan_id", (str,))):
        if key in data and not isinstance(data[key], kinds):
            return f"'{key}' is of the wrong kind"
    actions = {a.value for a in Action}
    for index, change in enumerate(data["changes"]):
        if not isinstance(change, dict):
            return f"changes[{index}] is not an object"
        for key, kinds in _CHANGE.items():
            if not isinstance(change.get(key), kinds):
                return f"changes[{index}].{key} is missing or of the wrong kind"
        for key, kinds in _OPTIONAL_CHANGE.items():
            if key in change and not isinstance(change[key], kinds):
                return f"changes[{index}].{key} is of the wrong kind"
        if change["action"] not in actions:
            return f"changes[{index}].action '{change['action']}' is not one of {', '.join(sorted(actions))}"
        if not all(isinstance(d, str) for d in change.get("depends_on", [])):
            return f"changes[{index}].depends_on holds something other than addresses"
        for diff in change.get("diffs", []):
            if not isinstance(diff, dict) or not isinstance(diff.get("property"), str):
                return f"changes[{index}].diffs holds something other than property differences"
    for index, note in enumerate(data.get("notes", [])):
        if not isinstance(note, dict) or not all(isinstance(note.get(k), str) for k in ("address", "message")):
            return f"notes[{index}] is not a note"
    return None


def read_plan_file(path: Path) -> Plan:
    """Read a plan saved by `plan --out`; `InputError` (exit 2) if it cannot be read or is not one."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_PLAN_BYTES + 1)
    except OSError as err:
        raise InputError(f"{path}: cannot read the plan: {err.strerror}", "Check the path.") from None
    if len(raw) > MAX_PLAN_BYTES:
        raise InputError(f"{path}: not a plan file (larger than 64 MB)", _REMAKE)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a plan file made by `bootstrap plan --out` (not UTF-8 text)", _REMAKE) from None
    return plan_from_json(text, str(path))


_REMAKE = "Pass a file written by `bootstrap plan --out FILE`."


def check_plan_matches_spec(saved: Plan, digest: str, management_account_id: str, source: str) -> None:
    """Refuse a saved plan made from another spec, before any live state is read."""
    if saved.management_account_id != management_account_id:
        raise InputError(
            f"{source}: this plan was made for the management account {saved.management_account_id}, the spec "
            f"names {management_account_id}",
            "Pass the spec the plan was made from (--spec), or make a new plan: `bootstrap plan --out FILE`.",
        )
    if saved.spec_digest != digest:
        raise InputError(
            f"{source}: this plan was made from another version of the spec (the spec has changed since)",
            "Pass the spec the plan was made from (--spec), or make a new plan: `bootstrap plan --out FILE`.",
        )


def plan_from_json(text: str, source: str) -> Plan:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            f"{source}: not a plan file made by `bootstrap plan --out` (not JSON: line {err.lineno})", _REMAKE
        ) from None
    except RecursionError:
        raise InputError(
            f"{source}: not a plan file made by `bootstrap plan --out` (nested too deeply)", _REMAKE
        ) from None
    try:
        if not isinstance(data, dict):
            raise TypeError("the file is not a JSON object")
        if data.get("format_version") != FORMAT_VERSION:
            raise InputError(
                f"{source}: plan format {data.get('format_version')!r} is not supported (this version reads "
                f"{FORMAT_VERSION})",
                "Make the plan again with this version: `bootstrap plan --out FILE`.",
            )
        problem = _shape_problem(data)
        if problem is not None:
            raise TypeError(problem)
        changes = tuple(Change.from_dict(c) for c in data["changes"])
        notes = tuple(Note.from_dict(n) for n in data.get("notes", []))
        plan = Plan(
            changes=changes,
            notes=notes,
            state_fingerprint=data["state_fingerprint"],
            spec_digest=data["spec_digest"],
            management_account_id=data["management_account_id"],
            created_at=data.get("created_at", ""),
            labels={str(k): str(v) for k, v in (data.get("labels") or {}).items()},
        )
    except (ValueError, KeyError, TypeError, RecursionError) as err:
        raise InputError(
            f"{source}: not a plan file made by `bootstrap plan --out` ({err})",
            "Pass a file written by `bootstrap plan --out FILE`.",
        ) from None
    if data.get("plan_id") != plan.plan_id:  # a missing id is an edit too
        raise InputError(
            f"{source}: the plan file has been edited (its plan id does not match its changes)",
            "Make the plan again with `bootstrap plan --out FILE`.",
        )
    return plan
