"""Say what changed inside a document, for people: `SSEAlgorithm aws:kms → AES256`, `Days 365 → 1`,
`Statement DenyRegions: aws:RequestedRegion +eu-west-1`, never just "document differs".

Pure. Nested mappings are walked key by key; lists of equal length item by item; lists of plain values that
differ are shown as the values removed and added; policy statements are matched by `Sid`. A leaf is named by
its key (with its parent's key when two leaves share a name), an absent value is `(none)`, and long text is
cut around where it changes rather than at its start.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

ABSENT = object()
_LIMIT = 80
_MOST = 8
"""Leaf changes listed for one property; more are counted."""


def describe(before: Any, after: Any) -> str:
    """One line saying how `before` became `after`."""
    parts = [_part(path, b, a) for path, b, a in _leaves(before, after, ())]
    if not parts:
        return "reordered"
    more = f" (and {len(parts) - _MOST} more)" if len(parts) > _MOST else ""
    return "; ".join(parts[:_MOST]) + more


def text(value: Any, limit: int = _LIMIT) -> str:
    """A value in one short line."""
    if value is ABSENT or value is None:
        return "(none)"
    shown = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), sort_keys=True)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def cut_at_change(before: str, after: str, limit: int = _LIMIT) -> tuple[str, str]:
    """Two texts, each cut to a window starting a little before where they first differ."""
    if len(before) <= limit and len(after) <= limit:
        return before, after
    first = next(
        (i for i, (b, a) in enumerate(zip(before, after, strict=False)) if b != a), min(len(before), len(after))
    )
    start = max(0, first - 20)

    def window(value: str) -> str:
        piece = value[start : start + limit]
        return ("…" if start else "") + piece + ("…" if start + limit < len(value) else "")

    return window(before), window(after)


def _part(path: tuple[str, ...], before: Any, after: Any) -> str:
    statement = next((p for p in path[:-1] if p.startswith("Statement ")), "")
    name = f"{statement} {path[-1]}" if statement else (path[-1] if path else "")
    if before is ABSENT and after is ABSENT:  # a statement added or removed whole
        return name
    label = f"{name} " if name else ""
    if isinstance(before, list) and isinstance(after, list):
        removed = [text(v) for v in before if v not in after]
        added = [text(v) for v in after if v not in before]
        return label + " ".join([*(f"-{v}" for v in removed), *(f"+{v}" for v in added)])
    if isinstance(before, str) and isinstance(after, str):
        b, a = cut_at_change(before, after)
        return f"{label}{b} → {a}"
    return f"{label}{text(before)} → {text(after)}"


def _leaves(before: Any, after: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any, Any]]:
    if _same(before, after):
        return
    if before is None or before is ABSENT:
        before = {} if isinstance(after, Mapping) and after else before
    if after is None or after is ABSENT:
        after = {} if isinstance(before, Mapping) and before else after
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        if "Statement" in before or "Statement" in after:
            yield from _statements(before, after, path)
            return
        for key in sorted(set(before) | set(after), key=str):
            yield from _leaves(before.get(key, ABSENT), after.get(key, ABSENT), (*path, str(key)))
        return
    if isinstance(before, list) and isinstance(after, list):
        if len(before) == len(after) and not _plain(before) and not _plain(after):
            for b, a in zip(before, after, strict=True):
                yield from _leaves(b, a, path)
            return
        if _plain(before) and _plain(after):
            yield path, before, after
            return
    if isinstance(before, str | int | float | bool) and isinstance(after, list) and _plain(after):
        yield path, [before], after  # IAM writes one value as a string, several as a list
        return
    if isinstance(after, str | int | float | bool) and isinstance(before, list) and _plain(before):
        yield path, before, [after]
        return
    yield path, before, after


def _statements(before: Mapping[str, Any], after: Mapping[str, Any], path: tuple[str, ...]) -> Iterator[Any]:
    """A policy document: its statements by Sid (or position), then its other keys."""
    old, new = _by_sid(before.get("Statement")), _by_sid(after.get("Statement"))
    for sid in [*old, *(s for s in new if s not in old)]:
        if sid not in new:
            yield (*path, f"-Statement {sid}"), ABSENT, ABSENT
        elif sid not in old:
            yield (*path, f"+Statement {sid}"), ABSENT, ABSENT
        else:
            for leaf_path, b, a in _leaves(old[sid], new[sid], ()):
                yield (*path, f"Statement {sid}:", *leaf_path), b, a
    for key in sorted((set(before) | set(after)) - {"Statement"}):
        yield from _leaves(before.get(key, ABSENT), after.get(key, ABSENT), (*path, key))


def _by_sid(statements: Any) -> dict[str, Any]:
    items = statements if isinstance(statements, list) else [statements] if statements else []
    return {str(s.get("Sid") or i) if isinstance(s, Mapping) else str(i): s for i, s in enumerate(items)}


def _plain(values: list[Any]) -> bool:
    return all(isinstance(v, str | int | float | bool) or v is None for v in values)


def _same(before: Any, after: Any) -> bool:
    return before is not ABSENT and after is not ABSENT and before == after
