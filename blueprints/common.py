"""What every blueprint shares: the `Blueprint` container and helpers to place troposphere objects."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from troposphere import Tags, Template

from bootstrap.resources import Location, Resource, ownership_tags


@dataclass
class Blueprint:
    """A CloudFormation template for review plus the resources the engine applies.

    `resources` holds every resource of `template` (same properties) and, after them, resources of the
    toolkit's own `Bootstrap::` types, which have no CloudFormation equivalent and are not in the template.
    """

    name: str
    template: Template
    resources: list[Resource] = field(default_factory=list)

    def add(
        self,
        obj: Any,
        *,
        address: str,
        location: Location,
        protected: bool = False,
        engine_depends_on: tuple[str, ...] = (),
        import_id: str | None = None,
        former_addresses: tuple[str, ...] = (),
    ) -> Any:
        """Add a troposphere resource to the template and to the engine's resources.

        `engine_depends_on` names `Bootstrap::` resources this one must wait for; they are not in the
        template, so they cannot be a CloudFormation DependsOn. `former_addresses` are the resource's
        addresses before a rename (see `Resource.former_addresses`).
        """
        self.template.add_resource(obj)
        resource = Resource.from_troposphere(
            obj,
            address=address,
            location=location,
            protected=protected,
            import_id=import_id,
            former_addresses=former_addresses,
        )
        if engine_depends_on:
            resource = replace(resource, depends_on=(*resource.depends_on, *engine_depends_on))
        self.resources.append(resource)
        return obj

    def add_native(self, resource: Resource) -> Resource:
        self.resources.append(resource)
        return resource


def tags(address: str, **extra: str) -> Tags:
    return Tags({**ownership_tags(address), **extra})
