"""Print a plan for people: Terraform's symbols, grouped by location, destructive changes apart."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rich.console import Console
from rich.markup import escape

from bootstrap.changes import Action, Change, Plan, PropertyDiff
from bootstrap.plan.delta import cut_at_change, describe, text
from bootstrap.types.registry import rule_for

_STYLE = {Action.CREATE: "green", Action.UPDATE: "yellow", Action.DELETE: "red", Action.REPLACE: "magenta"}
_NOTE_STYLE = {"info": "dim", "warning": "yellow", "error": "bold red", "failed": "bold red", "unavailable": "yellow"}


def _named(value: Any, labels: dict[str, str]) -> str:
    """A value as people read it: live ids get their name beside them (`ou-ab12-cd34 (OU Security)`)."""
    if isinstance(value, str) and value in labels:
        return f"{value} ({labels[value]})"
    return text(value)


def print_plan(plan: Plan, console: Console, *, allow_destroy: bool = False) -> None:
    safe = [c for c in plan.changes if not c.destructive]
    consented = [c for c in plan.changes if c.destructive and not c.needs_consent]
    destructive = [c for c in plan.changes if c.needs_consent]
    for location, changes in _by_location(safe).items():
        console.print(f"[bold]{escape(location)}[/]")
        for change in changes:
            _print_change(change, console, plan.labels)
        console.print()
    _print_consented(consented, console, plan.labels)
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
    console.print(f"[bold]{escape(plan.summary())}[/]")


def _print_consented(changes: list[Change], console: Console, labels: dict[str, str]) -> None:
    """Removals the spec asks for by name (`TypeRule.consent`), in a section per kind, with a count per account:
    destructive, but consented to by the spec rather than by `--allow-destroy`."""
    by_type: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        by_type[change.type].append(change)
    for type_name, of_type in by_type.items():
        consent = rule_for(type_name).consent
        section = consent.section if consent else type_name
        noun = consent.noun if consent else "removal"
        asked = f"asked for by the spec's {of_type[0].consented_by}; no --allow-destroy needed, apply re-checks each"
        console.print(f"[bold red]{escape(section)}[/] [dim]({escape(asked)}):[/]")
        per_account: dict[str, list[Change]] = defaultdict(list)
        for change in of_type:
            per_account[change.location.account].append(change)
        for account, removals in per_account.items():
            plural = "s" if len(removals) != 1 else ""
            console.print(f"[bold]{escape(account)}[/]: {len(removals)} {escape(noun)}{plural}")
            for change in removals:
                _print_change(change, console, labels)
        console.print()


def _by_location(changes: list[Change]) -> dict[str, list[Change]]:
    groups: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        groups[f"{change.location.account} · {change.location.region}"].append(change)
    return dict(groups)


def _print_change(change: Change, console: Console, labels: dict[str, str]) -> None:
    style = "red" if change.removes else _STYLE[change.action]
    ident = f" ({change.physical_id})" if change.physical_id else ""
    reason = f"  [dim]# {escape(change.reason)}[/]" if change.reason else ""
    if change.origin == "drift":
        reason = f"  [bold yellow]drift[/] [dim](changed outside the toolkit)[/]{reason}"
    console.print(
        f"  [{style}]{change.symbol:>3}[/] {escape(change.address)}{escape(ident)}"
        f"  [dim]{escape(change.type)}[/]{reason}"
    )
    if change.weakens:
        console.print(f"        [bold red]! weakens security:[/] {escape(', '.join(change.weakens))}")
    for diff in change.diffs if change.action is not Action.CREATE else _shown_on_create(change):
        console.print(f"        {escape(diff.name)}: {escape(_diff_text(diff.before, diff.after, labels))}")


def _shown_on_create(change: Change) -> list[PropertyDiff]:
    """What a reviewer needs to see of a new object (a new account's e-mail and OU), not every property."""
    shown = rule_for(change.type).shown_on_create
    return [d for d in change.diffs if d.name in shown]


def _diff_text(before: Any, after: Any, labels: dict[str, str]) -> str:
    if isinstance(before, list) and isinstance(after, list) and _plain(before) and _plain(after):
        removed = [f"-{_named(v, labels)}" for v in before if v not in after]
        added = [f"+{_named(v, labels)}" for v in after if v not in before]
        return " ".join(removed + added) or "reordered"
    if before is None and isinstance(after, list) and _plain(after):
        return " ".join(f"+{_named(v, labels)}" for v in after)
    if isinstance(before, dict | list) or isinstance(after, dict | list):
        return describe(before, after)
    if isinstance(before, str) and isinstance(after, str) and before not in labels and after not in labels:
        cut_before, cut_after = cut_at_change(before, after)
        return f"{cut_before} → {cut_after}"
    return f"{_named(before, labels)} → {_named(after, labels)}"


def _plain(values: list[Any]) -> bool:
    return all(isinstance(v, str | int | float | bool) for v in values)
