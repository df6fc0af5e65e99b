"""The order a plan's changes run in: each change with the changes it waits for (`Change.depends_on`), listed in a
dependency-respecting, stable order (`graphlib`).

A change waits for the changes of what it refers to. Deletes wait for every other change (what refers to the
deleted object is moved off it first), with two exceptions: a deleted OU also waits for the deletes of its child
OUs and of SCPs, and a delete that frees what a change being made needs (a subnet's address range:
`TypeRule.frees_for`) runs first instead, and that change waits for it. Pure: no AWS here.
"""

from __future__ import annotations

import graphlib

from bootstrap.changes import Action, Change
from bootstrap.observed import ObservedState
from bootstrap.resources import DesiredState
from bootstrap.types.registry import rule_for

OU = "AWS::Organizations::OrganizationalUnit"
SCP = "AWS::Organizations::Policy"
_MADE = (Action.CREATE, Action.REPLACE)
_REMOVED = (Action.DELETE, Action.REPLACE)


def ordered(changes: list[Change], desired: DesiredState, observed: ObservedState) -> list[Change]:
    """Attach dependencies to each change and return them in a dependency-respecting, stable order."""
    by_address = {c.address: c for c in changes}
    address_of = {r.logical_id: r.address for r in desired.resources}
    non_deletes = [c.address for c in changes if c.action is not Action.DELETE]
    freed = _freed_first(changes, desired)
    early = {d for needs in freed.values() for d in needs if by_address[d].action is Action.DELETE}
    deps: dict[str, set[str]] = {}
    for change in changes:
        if change.address in early:
            needs = set()
        elif change.action is Action.DELETE:
            needs = set(non_deletes) | _delete_children(change, changes, observed)
        else:
            resource = desired.by_address[change.address]
            needs = {address_of[ref] for ref in resource.references() if address_of.get(ref) in by_address}
            needs |= freed.get(change.address, set())
        deps[change.address] = needs - {change.address}
    sorter = graphlib.TopologicalSorter(deps)
    position = {c.address: i for i, c in enumerate(changes)}
    result: list[Change] = []
    sorter.prepare()
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        for address in ready:
            c = by_address[address]
            result.append(Change(**{**c.__dict__, "depends_on": tuple(sorted(deps[address]))}))
            sorter.done(address)
    return result


def _freed_first(changes: list[Change], desired: DesiredState) -> dict[str, set[str]]:
    """Per change that makes something (a create, or a replacement's new object), the removals in its account-region
    whose live objects hold what it needs (`TypeRule.frees_for`)."""
    freed: dict[str, set[str]] = {}
    for made in changes:
        frees_for = rule_for(made.type).frees_for
        if made.action not in _MADE or frees_for is None:
            continue
        wanted = desired.by_address[made.address].properties
        for removed in changes:
            if (
                removed is not made
                and removed.action in _REMOVED
                and removed.type == made.type
                and removed.location == made.location
                and frees_for(removed.before or {}, wanted)
            ):
                freed.setdefault(made.address, set()).add(removed.address)
    return freed


def _delete_children(change: Change, changes: list[Change], observed: ObservedState) -> set[str]:
    """A deleted OU waits for deletes of its child OUs and of SCPs; nothing else waits on deletes."""
    if change.type != OU:
        return set()
    needs = set()
    for other in changes:
        if other.action is not Action.DELETE or other is change:
            continue
        orphan = observed.orphans.get(other.address)
        if other.type == SCP or (orphan is not None and orphan.properties.get("ParentId") == change.physical_id):
            needs.add(other.address)
    return needs
