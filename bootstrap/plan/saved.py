"""The plan's machine format (`plan --json`, `plan --out FILE`): versioned JSON, read back by `apply`."""

from __future__ import annotations

import json
from typing import Any

from bootstrap.changes import Action, Change, Note, Plan, PropertyDiff
from bootstrap.errors import InputError
from bootstrap.resources import Location

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
        "changes": [
            {
                "address": c.address,
                "type": c.type,
                "account": c.location.account,
                "region": c.location.region,
                "action": c.action.value,
                "physical_id": c.physical_id,
                "destructive": c.destructive,
                "reason": c.reason,
                "depends_on": list(c.depends_on),
                "pending": c.pending,
                "before": c.before,
                "diffs": [{"property": d.name, "before": d.before, "after": d.after} for d in c.diffs],
            }
            for c in plan.changes
        ],
        "notes": [{"address": n.address, "severity": n.severity, "message": n.message} for n in plan.notes],
        "api_calls": plan.api_calls,
        "labels": plan.labels,
    }


def plan_to_json(plan: Plan) -> str:
    return json.dumps(plan_to_dict(plan), indent=2, sort_keys=False, default=str) + "\n"


def plan_from_json(text: str, source: str) -> Plan:
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise TypeError("the file is not a JSON object")
        if data.get("format_version") != FORMAT_VERSION:
            raise InputError(
                f"{source}: plan format {data.get('format_version')!r} is not supported (this version reads "
                f"{FORMAT_VERSION})",
                "Make the plan again with this version: `bootstrap plan --out FILE`.",
            )
        changes = tuple(
            Change(
                address=c["address"],
                type=c["type"],
                location=Location(c["account"], c["region"]),
                action=Action(c["action"]),
                physical_id=c.get("physical_id"),
                diffs=tuple(PropertyDiff(d["property"], d["before"], d["after"]) for d in c.get("diffs", [])),
                reason=c.get("reason", ""),
                depends_on=tuple(c.get("depends_on", [])),
                before=c.get("before"),
                pending=c.get("pending"),
            )
            for c in data["changes"]
        )
        notes = tuple(Note(n["address"], n["message"], n["severity"]) for n in data.get("notes", []))
        plan = Plan(
            changes=changes,
            notes=notes,
            state_fingerprint=data["state_fingerprint"],
            spec_digest=data["spec_digest"],
            management_account_id=data["management_account_id"],
            created_at=data.get("created_at", ""),
            labels={str(k): str(v) for k, v in (data.get("labels") or {}).items()},
        )
    except (ValueError, KeyError, TypeError) as err:
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
