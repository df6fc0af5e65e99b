"""`bootstrap adopt ADDRESS`: stamp the toolkit's ownership tags back on the object that holds an address.

A managed address held by an object without the ownership tags blocks the plan: it may be the landing
zone's own object with its tags removed, or someone else's that took the name, and only a person can tell.
Adopting says "it is ours": the object the spec names at that address (found the way `plan` finds it) gets
the tags the blueprint gives it, and nothing else changes. The next plan then compares it with the spec
and repairs any weakening, like any drift. Like `terraform import`, it never creates or modifies anything
but tags, and it shows what it will adopt before doing it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bootstrap.apply.context import ApplyContext
from bootstrap.errors import InputError
from bootstrap.observed import ObservedState
from bootstrap.resources import DesiredState, Resource
from bootstrap.types.registry import type_for


@dataclass(frozen=True)
class Adoption:
    """What `adopt` will do: tag `physical_id` (of `resource`'s type, where `resource` lives) with `tags`."""

    resource: Resource
    physical_id: str
    tags: dict[str, str]

    def describe(self) -> str:
        tags = ", ".join(f"{k}={v}" for k, v in sorted(self.tags.items()))
        return f"{self.resource.type} {self.physical_id} at {self.resource.address}: tag it {tags}"


def find_adoption(desired: DesiredState, observed: ObservedState, address: str) -> Adoption:
    """The object to adopt at `address`, or an InputError that says why there is none."""
    resource = next((r for r in desired.resources if r.address == address), None)
    if resource is None:
        near = sorted(r.address for r in desired.resources if r.address.split("/")[0] == address.split("/")[0])
        hint = f" Addresses of that kind: {', '.join(near[:8])}." if near else ""
        raise InputError(f"the spec has no resource at {address}", f"Use an address from `bootstrap plan`.{hint}")
    live = observed.resources.get(address)
    if live is None or live.physical_id is None:
        raise InputError(
            f"nothing holds {address} in AWS, so there is nothing to adopt",
            "Run `bootstrap plan`: the toolkit creates what is missing.",
        )
    if live.owned:
        raise InputError(f"{address} ({live.physical_id}) is already the toolkit's", "Nothing to do.")
    if type_for(resource.type).tagger is None:
        raise InputError(
            f"{resource.type} objects carry no tags of their own, so {address} cannot be adopted",
            "Follow the plan's note for this address (for an alias: adopt the key it should point at, or fix it).",
        )
    return Adoption(resource, str(live.physical_id), _wanted_tags(resource))


def adopt(ctx: ApplyContext, adoption: Adoption) -> None:
    """Stamp the tags (existing tags of other keys are kept)."""
    tagger = type_for(adoption.resource.type).tagger
    assert tagger is not None, "find_adoption refuses types without tags"
    tagger(ctx, adoption.resource.location, adoption.physical_id, adoption.tags)


def _wanted_tags(resource: Resource) -> dict[str, str]:
    raw = resource.properties.get("Tags") or []
    return {str(t["Key"]): str(t["Value"]) for t in raw} if isinstance(raw, list) else dict(raw)
