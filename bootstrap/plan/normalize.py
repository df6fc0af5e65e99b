"""Compare policy documents the way AWS means them, not the way they are spelled.

AWS hands documents back in its own spelling: S3 turns a one-item list into a plain string, KMS reorders
keys and statements, `"*"` and `{"AWS": "*"}` name the same principal, condition keys are
case-insensitive. Compared as written, such a document would show drift on every plan and be rewritten on
every apply. `normalize` maps every spelling of a document to one form; `equivalent` compares with it.
"""

from __future__ import annotations

import json
from typing import Any

_LISTS = ("Action", "NotAction", "Resource", "NotResource")
_PRINCIPALS = ("Principal", "NotPrincipal")


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _principal(value: Any) -> Any:
    if value == "*":
        return {"AWS": ["*"]}
    if isinstance(value, dict):
        return {kind: sorted({_scalar(v) for v in _as_list(ids)}) for kind, ids in sorted(value.items())}
    return value


def _condition(block: Any) -> Any:
    if not isinstance(block, dict):
        return block
    return {
        operator: {key.lower(): sorted({_scalar(v) for v in _as_list(values)}) for key, values in sorted(tests.items())}
        if isinstance(tests, dict)
        else tests
        for operator, tests in sorted(block.items())
    }


def _statement(statement: Any) -> Any:
    if not isinstance(statement, dict):
        return statement
    out: dict[str, Any] = {}
    for key, value in statement.items():
        if key in _LISTS:
            out[key] = sorted({_scalar(v) for v in _as_list(value)})
        elif key in _PRINCIPALS:
            out[key] = _principal(value)
        elif key == "Condition":
            out[key] = _condition(value)
        else:
            out[key] = value
    return out


def is_policy_document(value: Any) -> bool:
    return isinstance(value, dict) and "Statement" in value


def normalize(value: Any) -> Any:
    """`value` with every policy document inside it (at any depth) in one canonical spelling."""
    if isinstance(value, str) and value.lstrip().startswith("{") and '"Statement"' in value:
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if is_policy_document(value):
        statements = [_statement(s) for s in _as_list(value["Statement"])]
        statements.sort(key=lambda s: json.dumps(s, sort_keys=True, default=str))
        rest = {k: normalize(v) for k, v in value.items() if k != "Statement"}
        return {**rest, "Statement": statements}
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalize(v) for v in value]
    return value


def equivalent(before: Any, after: Any) -> bool:
    """Whether two values are the same once policy documents in them are normalised."""
    return bool(before == after) or bool(normalize(before) == normalize(after))
