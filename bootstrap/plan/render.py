"""Print a plan for people: Terraform's symbols, grouped by location, destructive changes apart."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from rich.console import Console
from rich.markup import escape

from bootstrap.changes import Action, Change, Plan

_STYLE = {Action.CREATE: "green", Action.UPDATE: "yellow", Action.DELETE: "red", Action.REPLACE: "magenta"}
_NOTE_STYLE = {"info": "dim", "warning": "yellow", "error": "bold red"}


def short(value: Any, limit: int = 100) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _named(value: Any, labels: dict[str, str]) -> str:
    """A value as people read it: live ids get their name beside them (`ou-ab12-cd34 (OU Security)`)."""
    if isinstance(value, str) and value in labels:
        return f"{value} ({labels[value]})"
    return short(value)


def print_plan(plan: Plan, console: Console, *, allow_destroy: bool = False) -> None:
    safe = [c for c in plan.changes if not c.destructive]
    destructive = [c for c in plan.changes if c.destructive]
    for location, changes in _by_location(safe).items():
        console.print(f"[bold]{escape(location)}[/]")
        for change in changes:
            _print_change(change, console, plan.labels)
        console.print()
    if destructive:
        gate = "allowed by --allow-destroy" if allow_destroy else "need --allow-destroy"
        console.print(f"[bold red]Destructive changes ({gate}):[/]")
        for location, changes in _by_location(destructive).items():
            console.print(f"[bold]{escape(location)}[/]")
            for change in changes:
                _print_change(change, console, plan.labels)
        console.print()
    if plan.notes:
        console.print("[bold]Notes:[/]")
        for note in plan.notes:
            style = _NOTE_STYLE.get(note.severity, "")
            console.print(f"  [{style}]{note.severity}[/] {escape(note.address)}: {escape(note.message)}")
        console.print()
    console.print(f"[bold]{plan.summary()}[/]")


def _by_location(changes: list[Change]) -> dict[str, list[Change]]:
    groups: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        groups[f"{change.location.account} · {change.location.region}"].append(change)
    return dict(groups)


def _print_change(change: Change, console: Console, labels: dict[str, str]) -> None:
    style = _STYLE[change.action]
    ident = f" ({change.physical_id})" if change.physical_id else ""
    reason = f"  [dim]# {escape(change.reason)}[/]" if change.reason else ""
    console.print(
        f"  [{style}]{change.action.symbol:>3}[/] {escape(change.address)}{escape(ident)}"
        f"  [dim]{escape(change.type)}[/]{reason}"
    )
    if change.action is Action.CREATE:
        return
    for diff in change.diffs:
        if isinstance(diff.before, list) and isinstance(diff.after, list):
            removed = [v for v in diff.before if v not in diff.after]
            added = [v for v in diff.after if v not in diff.before]
            parts = [f"[red]-{escape(_named(v, labels))}[/]" for v in removed] + [
                f"[green]+{escape(_named(v, labels))}[/]" for v in added
            ]
            console.print(f"        {escape(diff.name)}: {' '.join(parts)}")
        elif isinstance(diff.before, dict) and isinstance(diff.after, dict):
            console.print(f"        {escape(diff.name)}: {escape(_dict_delta(diff.before, diff.after))}")
        else:
            before, after = escape(_named(diff.before, labels)), escape(_named(diff.after, labels))
            console.print(f"        {escape(diff.name)}: {before} → {after}")


def _dict_delta(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Describe how two policy documents differ: statements by Sid, else a size change."""
    b = {s.get("Sid", i): s for i, s in enumerate(before.get("Statement", []))}
    a = {s.get("Sid", i): s for i, s in enumerate(after.get("Statement", []))}
    parts = [f"-{k}" for k in b if k not in a] + [f"+{k}" for k in a if k not in b]
    parts += [f"~{k}" for k in a if k in b and a[k] != b[k]]
    return "statements " + ", ".join(str(p) for p in parts) if parts else "document differs"
