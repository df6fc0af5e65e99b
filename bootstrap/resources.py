"""The desired-state model: resources in CloudFormation's vocabulary, placed at a location.

Blueprints build troposphere objects; `Resource.from_troposphere` turns each into a `Resource` whose
properties are exactly what the rendered template says, references included (`{"Ref": id}` and
`{"Fn::GetAtt": [id, attr]}`). The planner resolves those references against live ids, and the apply
engine against ids it has just created. Settings CloudFormation cannot express use `Bootstrap::` types.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

GLOBAL = "global"
MANAGED_TAG = "bootstrap:managed"
ADDRESS_TAG = "bootstrap:address"
ADDRESS_TAG_PROPERTY = "AddressTag"
"""Not a CloudFormation property: the value of the `bootstrap:address` tag among a resource's `Tags`,
compared on its own (observed objects report it as this property) so that a tag left stale by a
rename shows in the plan, and is stamped again, while tags added by others are left alone."""


@dataclass(frozen=True, order=True)
class Location:
    """Where a resource lives: an account (by its spec name, `management` for the management account)
    and a region (`global` for global services such as Organizations)."""

    account: str
    region: str

    def __str__(self) -> str:
        return f"{self.account} / {self.region}"


@dataclass(frozen=True, eq=False)
class Resource:
    """One managed thing, desired."""

    address: str
    logical_id: str
    type: str
    location: Location
    properties: Mapping[str, Any]
    depends_on: tuple[str, ...] = ()
    protected: bool = False
    """Holds data (logs, keys, accounts): never deleted or replaced by the toolkit."""
    import_id: str | None = None
    """The physical id of an existing object to adopt (CloudFormation's import identifier)."""
    former_addresses: tuple[str, ...] = ()
    """Addresses this resource had before a rename the spec declares (an OU's `renamed_from`): the observer
    matches a live object found under one of them to this resource, so the plan renames it in place."""

    @classmethod
    def from_troposphere(
        cls,
        obj: Any,
        *,
        address: str,
        location: Location,
        protected: bool = False,
        import_id: str | None = None,
        former_addresses: tuple[str, ...] = (),
    ) -> Resource:
        rendered = obj.to_dict()
        depends = rendered.get("DependsOn", ())
        return cls(
            address=address,
            logical_id=obj.title,
            type=rendered["Type"],
            location=location,
            properties=rendered.get("Properties", {}),
            depends_on=(depends,) if isinstance(depends, str) else tuple(depends),
            protected=protected,
            import_id=import_id,
            former_addresses=former_addresses,
        )

    def references(self) -> set[str]:
        """Logical ids this resource refers to, through Ref, Fn::GetAtt or DependsOn."""
        return set(_refs(self.properties)) | set(self.depends_on)


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        if set(value) == {"Ref"}:
            yield str(value["Ref"])
        elif set(value) == {"Fn::GetAtt"}:
            yield str(value["Fn::GetAtt"][0])
        else:
            for v in value.values():
                yield from _refs(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _refs(v)


def address_tag(properties: Mapping[str, Any]) -> str | None:
    """The `bootstrap:address` tag among CloudFormation `Tags` properties, if any."""
    for tag in properties.get("Tags") or ():
        if isinstance(tag, Mapping) and tag.get("Key") == ADDRESS_TAG:
            return str(tag.get("Value"))
    return None


def ownership_tags(address: str) -> dict[str, str]:
    """The tags stamped on everything the toolkit creates, so it can tell its own objects from others'."""
    return {MANAGED_TAG: "true", ADDRESS_TAG: address}


@dataclass(frozen=True)
class DesiredState:
    """Every resource the spec asks for, in blueprint order."""

    resources: tuple[Resource, ...]
    by_address: Mapping[str, Resource] = field(init=False, repr=False)
    by_logical_id: Mapping[str, Resource] = field(init=False, repr=False)
    by_type: Mapping[str, tuple[Resource, ...]] = field(init=False, repr=False)
    """Resources of each type, in blueprint order: the readers of every account-region ask (thousands of
    account-regions at the network layer's scale), and a scan of every resource per question grows with their
    square."""

    def __post_init__(self) -> None:
        by_address: dict[str, Resource] = {}
        by_logical: dict[str, Resource] = {}
        by_type: dict[str, list[Resource]] = {}
        for r in self.resources:
            if r.address in by_address or r.logical_id in by_logical:
                raise ValueError(f"two resources share the address {r.address} or logical id {r.logical_id}")
            by_address[r.address] = r
            by_logical[r.logical_id] = r
            by_type.setdefault(r.type, []).append(r)
        object.__setattr__(self, "by_address", by_address)
        object.__setattr__(self, "by_logical_id", by_logical)
        object.__setattr__(self, "by_type", {t: tuple(rs) for t, rs in by_type.items()})

    def of_type(self, type_: str) -> list[Resource]:
        return list(self.by_type.get(type_, ()))
