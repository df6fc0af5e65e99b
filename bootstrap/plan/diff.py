"""`make_plan`: the pure diff of desired against observed state, ordered by dependencies.

No AWS here (a test forbids importing boto3 from this package). The result is a `Plan` of typed
changes plus notes for everything the toolkit will not do (unowned objects, refused replacements). A resource
whose type renews its dependents when replaced (`TypeRule.renews_dependents`: a subnet, a NAT gateway) has its id
compared as unknown by what refers to it, so the plan updates or replaces those too; the order the changes run in
is `bootstrap.plan.order`'s.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from blueprints.organization import ROOT_ID_VALUE
from bootstrap.changes import FAILED, UNAVAILABLE, WAITING, Action, Change, Note, Plan, PropertyDiff
from bootstrap.guardrails.packing import PER_TARGET_LIMITS, SHORT_NAMES
from bootstrap.names import ROOT_ADDRESS, attachment_key
from bootstrap.observed import ObservedResource, ObservedState
from bootstrap.plan.guards import break_glass_notes
from bootstrap.plan.normalize import equivalent
from bootstrap.plan.order import OU, SCP, ordered
from bootstrap.plan.org_notes import held_ou_refusal, rename_hints
from bootstrap.plan.refs import Registry, contains_unknown
from bootstrap.resources import ADDRESS_TAG_PROPERTY, GLOBAL, DesiredState, Location, Resource, address_tag
from bootstrap.spec.model import MANAGEMENT
from bootstrap.types.base import TypeRule
from bootstrap.types.registry import rule_for


def registry_from(desired: DesiredState, observed: ObservedState, forget: frozenset[str] = frozenset()) -> Registry:
    """The live ids of the desired resources; those of `forget` (being replaced, by logical id) are left unknown:
    what refers to them must follow their new ids (`TypeRule.renews_dependents`)."""
    registry = Registry()
    for r in desired.resources:
        live = observed.resources.get(r.address)
        if live is not None and live.physical_id is not None and r.logical_id not in forget:
            registry.set(r.logical_id, live.physical_id, live.attributes)
    return registry


def make_plan(
    desired: DesiredState,
    observed: ObservedState,
    *,
    scps_per_target: int = 5,
    spec_digest: str = "",
    management_account_id: str = "",
    created_at: str = "",
) -> Plan:
    registry = registry_from(desired, observed)
    changes: list[Change] = []
    notes: list[Note] = [Note(f.address, f.message, f.severity) for f in observed.findings]
    notes += [Note(f.where, f"could not be read: {f.message}. {f.remediation}", FAILED) for f in observed.failures]
    refused = {f.address for f in observed.findings if f.severity in ("error", UNAVAILABLE)} | unread(desired, observed)
    renewed: frozenset[str] = frozenset()
    while True:  # until no replacement renews what has not been compared as renewed yet
        diffed = [
            (resource, _diff_one(resource, observed.resources.get(resource.address), registry))
            for resource in desired.resources
            if resource.address not in refused  # a note says why and what to do; no change is listed for it
        ]
        replaced = renewed | {
            r.logical_id
            for r, (change, _) in diffed
            if change is not None and change.action is Action.REPLACE and rule_for(r.type).renews_dependents
        }
        if replaced == renewed:
            break
        renewed = replaced
        registry = registry_from(desired, observed, forget=renewed)
    for _, (change, extra_notes) in diffed:
        notes.extend(extra_notes)
        if change is not None:
            changes.append(change)
    for address, orphan in sorted(observed.orphans.items()):
        rule = rule_for(orphan.type)
        refusal = held_ou_refusal(address, orphan)
        if refusal is not None:
            notes.append(refusal)
        elif not orphan.owned:  # observe only reports owned orphans; never trust that with a deletion
            notes.append(Note(address, "not in the spec and not owned by the toolkit; left alone"))
        elif rule.deletable:
            changes.append(
                Change(
                    address,
                    orphan.type,
                    _location_of(orphan, desired),
                    Action.DELETE,
                    orphan.physical_id,
                    reason="; ".join(
                        filter(None, ["owned by the toolkit but no longer in the spec", _explained(rule, orphan)])
                    ),
                    before=dict(orphan.properties),
                )
            )
        else:
            notes.append(Note(address, "no longer in the spec; the toolkit never deletes this kind of object"))
    created = [r for r in desired.resources if r.address not in observed.resources and r.address not in refused]
    notes.extend(rename_hints(created, sorted(observed.orphans.items())))
    notes.extend(_attachment_slots(desired, observed, scps_per_target))
    notes.extend(break_glass_notes(changes, observed))
    changes = [_flag_weakening(c) for c in changes]
    return Plan(
        changes=tuple(ordered(changes, desired, observed)),
        notes=tuple(notes),
        state_fingerprint=observed.fingerprint(),
        spec_digest=spec_digest,
        management_account_id=management_account_id,
        created_at=created_at,
        labels=_labels(observed),
    )


def unread(desired: DesiredState, observed: ObservedState) -> set[str]:
    """Addresses nothing can be planned for: desired in an account-region that could not be read or whose region
    the account has not enabled, or waited for (a `WAITING` finding: Identity Center not enabled yet), or referring
    (directly or through others) to such a resource, whose id is then unknown."""
    held = {a for f in observed.failures for a in f.addresses} | observed.skipped
    held |= {f.address for f in observed.findings if f.severity == WAITING and f.address in desired.by_address}
    if not held:
        return held
    address_of = {r.logical_id: r.address for r in desired.resources}
    grew = True
    while grew:
        before = len(held)
        held |= {r.address for r in desired.resources if any(address_of.get(ref) in held for ref in r.references())}
        grew = len(held) > before
    return held


def _flag_weakening(change: Change) -> Change:
    """Mark what in a change weakens security, by its type's rule (whoever asked for it: the spec or a repair)."""
    rule = rule_for(change.type)
    if change.action is Action.DELETE:
        weakens: tuple[str, ...] = ("deleted",) if rule.weakens_on_delete else ()
    else:
        weakens = tuple(
            d.name for d in change.diffs if d.name in rule.weakens and rule.weakens[d.name](d.before, d.after)
        )
    return replace(change, weakens=weakens) if weakens else change


def _labels(observed: ObservedState) -> dict[str, str]:
    """People's names for the live ids of OUs, accounts and the root."""
    labels: dict[str, str] = {}
    for address, live in observed.resources.items():
        kind, _, name = address.removeprefix("organizations/").partition("/")
        if live.physical_id and kind in ("ou", "account"):
            labels[live.physical_id] = f"{'OU' if kind == 'ou' else 'account'} {name}"
        if "RootId" in live.attributes:
            labels[live.attributes["RootId"]] = "Root"
    return labels


def _location_of(orphan: ObservedResource, desired: DesiredState) -> Location:
    """Where an orphan lives: where its reader found it, or where resources of its type are looked for."""
    if orphan.location is not None:
        return orphan.location
    same_type = desired.of_type(orphan.type)
    return same_type[0].location if same_type else Location(MANAGEMENT, GLOBAL)


def _diff_one(
    resource: Resource, live: ObservedResource | None, registry: Registry
) -> tuple[Change | None, list[Note]]:
    rule = rule_for(resource.type)
    wanted = {name: registry.resolve(_desired_value(resource, name)) for name in rule.compared}
    if live is None or live.physical_id is None:
        removed = live.properties if live is not None and rule.destroys_on_create else None
        diffs = tuple(
            PropertyDiff(n, removed.get(n) if removed else None, v)
            for n, v in wanted.items()
            if v is not None and n not in rule.owned_only
        )
        reason = "creation already under way; will wait for it" if live is not None and live.pending else ""
        pending = live.pending if live is not None else None
        return Change(
            resource.address,
            resource.type,
            resource.location,
            Action.CREATE,
            diffs=diffs,
            reason=reason or (rule.explain(removed) if removed and rule.explain else ""),
            before=dict(removed) if removed else None,
            pending=pending,
            removes=rule.destroys_on_create,
            consented_by=rule.consent.field if rule.consent is not None and rule.destroys_on_create else "",
        ), []
    if not live.owned and not _adoptable(resource):
        return None, [occupied_note(resource, live)]
    notes: list[Note] = []
    updates: list[PropertyDiff] = []
    replaces: list[PropertyDiff] = []
    adopt = _adoptable(resource)
    stamp = resource.import_id is not None and resource.type not in _ADOPTABLE  # adopted roles get the tags
    for name, after in wanted.items():
        before = live.properties.get(name)
        if _same(rule, name, before, after) or (name in rule.owned_only and not live.owned and not stamp):
            continue
        if name in rule.report_only:
            notes.append(
                Note(
                    resource.address,
                    f"{name} is {before!r} live but {after!r} in the spec; the toolkit does not change it",
                    "warning",
                )
            )
        elif name in rule.replace_on:
            replaces.append(PropertyDiff(name, before, after))
        else:
            updates.append(PropertyDiff(name, before, after))
    if not live.owned and (replaces or (updates and not adopt)):
        notes.append(
            Note(
                resource.address,
                "differs from the spec but is not owned by the toolkit; left alone",
                "warning",
            )
        )
        return None, notes
    if replaces:
        if resource.protected:
            names = ", ".join(d.name for d in replaces)
            notes.append(
                Note(
                    resource.address,
                    f"changing {names} would replace this resource, which holds data; "
                    "refused. Change it by hand or revert the spec",
                    "error",
                )
            )
            return None, notes
        return Change(
            resource.address,
            resource.type,
            resource.location,
            Action.REPLACE,
            live.physical_id,
            diffs=tuple(replaces + updates),
            reason="cannot be changed in place",
            before=dict(live.properties),
        ), notes
    if updates:
        return Change(
            resource.address,
            resource.type,
            resource.location,
            Action.UPDATE,
            live.physical_id,
            diffs=tuple(updates),
            reason=_renamed(resource, live) or _adopted(resource, live) or _explained(rule, live),
            before=dict(live.properties),
        ), notes
    return None, notes


def _explained(rule: TypeRule, live: ObservedResource) -> str:
    """What the type says an update of this live object will do beyond its diffs (`TypeRule.explain`)."""
    return rule.explain(live.properties) if rule.explain is not None else ""


def _desired_value(resource: Resource, name: str) -> Any:
    """A compared property of the desired resource; the address tag is read out of its `Tags`."""
    if name == ADDRESS_TAG_PROPERTY:
        return address_tag(resource.properties)
    return resource.properties.get(name)


def _renamed(resource: Resource, live: ObservedResource) -> str:
    """Why an update renames: the live object was found at one of the resource's former addresses."""
    was = live.properties.get(ADDRESS_TAG_PROPERTY)
    return f"renamed in place from {was}" if was in resource.former_addresses else ""


def _adopted(resource: Resource, live: ObservedResource) -> str:
    if live.owned or resource.type in _ADOPTABLE:
        return ""
    return "exists without the toolkit's tags; adopted (its name is the landing zone's: set to the spec, tags stamped)"


def occupied_note(resource: Resource, live: ObservedResource) -> Note:
    """A managed address held by an object the toolkit does not own: the plan is blocked, never "matches".

    The object may be the landing zone's own with its ownership tags removed (then `bootstrap adopt`
    stamps them back, and the next plan shows and repairs any weakening), or someone else's that took the
    name; the toolkit cannot tell, so it neither changes it nor creates a second object for the address."""
    if resource.type == ALIAS:
        target = live.properties.get("TargetKeyId") or "no key"
        return Note(
            resource.address,
            f"the alias {live.physical_id} points at {target}, which is not the landing zone's key for it: the "
            "toolkit never retargets an alias it does not own. If that key is the landing zone's (its tags were "
            "removed), run `bootstrap adopt` on the key's address; otherwise point the alias back at the "
            "landing zone's key (aws kms update-alias) or delete it, then plan again",
            "error",
        )
    return Note(
        resource.address,
        f"{live.physical_id} ({resource.type}) holds this address but does not carry the toolkit's ownership "
        "tags, so it is neither changed nor replaced, and no second one is created. If it is the landing "
        f"zone's (its tags were removed), run `bootstrap adopt {resource.address}` to stamp them back; the next "
        "plan then shows and repairs any difference from the spec. If it is not, rename or delete it",
        "error",
    )


ALIAS = "AWS::KMS::Alias"


def _adoptable(resource: Resource) -> bool:
    """Whether an existing object the toolkit does not own is taken over as the spec describes it: types the
    spec names directly, and resources the blueprint names by physical id (`import_id`: an account's id,
    a landing-zone role's name)."""
    return resource.type in _ADOPTABLE or resource.import_id is not None


_ADOPTABLE = frozenset(
    {
        "AWS::Organizations::OrganizationalUnit",
        "AWS::Organizations::Account",
        "AWS::Organizations::Organization",
        "Bootstrap::Organizations::RootPolicyTypes",
    }
)
"""Types whose existing objects the spec names directly (by path, id or e-mail): the toolkit uses them
as the spec describes (moves accounts into OUs, renames nothing it did not create)."""


def _same(rule: TypeRule, name: str, before: Any, after: Any) -> bool:
    if contains_unknown(after):
        return False
    if name in rule.sets:
        return sorted(before or []) == sorted(after or [])
    if after is None and before in ("", None):
        return True
    return equivalent(before, after)


def _attachment_slots(desired: DesiredState, observed: ObservedState, scps_per_target: int) -> list[Note]:
    """Per target (the Root and every OU) and per policy type: the spec's policies plus those attached that
    the toolkit does not own (FullAWSAccess, RCPFullAWSAccess, other teams') must fit the type's quota."""
    targets: list[tuple[str, dict[str, Any], str]] = [(ROOT_ADDRESS, dict(ROOT_ID_VALUE), "the Root")]
    targets += [(ou.address, {"Ref": ou.logical_id}, "the parent OU") for ou in desired.of_type(OU)]
    policies = desired.of_type(SCP)
    notes = []
    for address, ref, elsewhere in targets:
        for policy_type in sorted({str(p.properties.get("Type")) for p in policies}):
            limit = PER_TARGET_LIMITS.get(policy_type, scps_per_target)
            ours = sum(
                1
                for p in policies
                if p.properties.get("Type") == policy_type and ref in list(p.properties.get("TargetIds", []))
            )
            theirs = observed.unmanaged_attachments.get(attachment_key(address, policy_type), [])
            if ours and ours + len(theirs) > limit:
                kind = SHORT_NAMES.get(policy_type, policy_type)
                move = "move guardrails to an OU" if address == ROOT_ADDRESS else f"move guardrails to {elsewhere}"
                notes.append(
                    Note(
                        address,
                        f"needs {ours} guardrail {kind}(s) but {len(theirs)} of its {limit} {kind} attachment slots "
                        f"are taken by policies the toolkit does not own ({', '.join(theirs)}): "
                        f"{ours + len(theirs) - limit} too many. Detach one of those, or {move}",
                        "error",
                    )
                )
    return notes
