"""The permission-set library shipped in the `permission_sets` package, and the spec's permission sets resolved
against it.

A library set is a folder: `metadata.yaml` (title, purpose, job function, policy references, session duration,
relay state, tags) and, when it has one, `inline-policy.json`. An inline policy may name the spec's roles by
placeholder (`${KeyReadersRole}`), filled here from the spec, so the security-audit set reaches the log archive
through whatever the spec calls its key readers role.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from bootstrap.errors import BootstrapError

if TYPE_CHECKING:
    from bootstrap.spec.model import LandingZoneSpec

KEY_READERS_ROLE = "${KeyReadersRole}"
"""The only placeholder an inline policy of the library may use."""


@dataclass(frozen=True)
class PermissionSetDefinition:
    """One permission set as the engine builds it (from the library or the spec)."""

    name: str
    description: str
    managed_policies: tuple[str, ...]
    customer_managed_policies: tuple[tuple[str, str], ...]
    """(name, path) of each customer managed policy."""
    inline_policy: dict[str, Any] | str | None
    """The document (a mapping), or its text as the spec wrote it (validate checks the text parses)."""
    session_duration: str
    relay_state: str = ""
    boundary_managed_arn: str | None = None
    boundary_customer: tuple[str, str] | None = None
    tags: dict[str, str] = field(default_factory=dict)
    title: str = ""
    job_function: str = ""
    library: bool = False


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=1)
def load_permission_sets() -> dict[str, PermissionSetDefinition]:
    """Every permission set of the installed library, by id (its folder's name, also its name in AWS)."""
    root = resources.files("permission_sets")
    library: dict[str, PermissionSetDefinition] = {}
    for folder in sorted(root.iterdir(), key=lambda p: p.name):
        if not folder.is_dir() or folder.name.startswith(("_", ".")):
            continue
        try:
            meta = yaml.load(folder.joinpath("metadata.yaml").read_text(encoding="utf-8"), Loader=_SafeLoader)
            inline_file = meta.get("inline_policy")
            inline = json.loads(folder.joinpath(inline_file).read_text(encoding="utf-8")) if inline_file else None
        except (OSError, ValueError, yaml.YAMLError) as err:
            raise BootstrapError(
                f"permission-set library: {folder.name} is broken: {err}",
                "Reinstall the toolkit; the permission_sets/ folder of this installation is damaged.",
            ) from None
        boundary = meta.get("permissions_boundary") or {}
        customer_boundary = boundary.get("customer_managed_policy")
        library[folder.name] = PermissionSetDefinition(
            name=folder.name,
            description=" ".join(str(meta["purpose"]).split()),
            managed_policies=tuple(meta.get("managed_policies") or ()),
            customer_managed_policies=tuple(
                (str(c["name"]), str(c.get("path", "/"))) for c in meta.get("customer_managed_policies") or ()
            ),
            inline_policy=inline,
            session_duration=str(meta["session_duration"]),
            relay_state=str(meta.get("relay_state") or ""),
            boundary_managed_arn=boundary.get("managed_policy_arn"),
            boundary_customer=(
                (str(customer_boundary["name"]), str(customer_boundary.get("path", "/"))) if customer_boundary else None
            ),
            tags={str(k): str(v) for k, v in (meta.get("tags") or {}).items()},
            title=str(meta["title"]),
            job_function=str(meta.get("job_function") or ""),
            library=True,
        )
    return library


def _filled(document: Any, spec: LandingZoneSpec) -> Any:
    if isinstance(document, str):
        return document.replace(KEY_READERS_ROLE, spec.logging.key_readers_role)
    if isinstance(document, dict):
        return {k: _filled(v, spec) for k, v in document.items()}
    if isinstance(document, list):
        return [_filled(v, spec) for v in document]
    return document


def spec_permission_sets(spec: LandingZoneSpec) -> list[PermissionSetDefinition]:
    """The spec's permission sets in its order, library ids resolved (unknown ids are left out: validate refuses
    them first)."""
    library = load_permission_sets()
    found: list[PermissionSetDefinition] = []
    for entry in spec.identity.permission_sets:
        if isinstance(entry, str):
            if entry in library:
                known = library[entry]
                found.append(
                    PermissionSetDefinition(**{**known.__dict__, "inline_policy": _filled(known.inline_policy, spec)})
                )
            continue
        boundary = entry.permissions_boundary
        customer = boundary.customer_managed_policy if boundary else None
        found.append(
            PermissionSetDefinition(
                name=entry.name,
                description=entry.description,
                managed_policies=tuple(entry.managed_policies),
                customer_managed_policies=tuple((c.name, c.path) for c in entry.customer_managed_policies),
                inline_policy=entry.inline_policy,
                session_duration=entry.session_duration,
                relay_state=entry.relay_state,
                boundary_managed_arn=boundary.managed_policy_arn if boundary else None,
                boundary_customer=(customer.name, customer.path) if customer else None,
                tags=dict(entry.tags),
            )
        )
    return found


def permission_set_name(entry: Any) -> str:
    """The name of a `permission_sets` entry: a library id, or an own set's `name`."""
    return entry if isinstance(entry, str) else str(entry.name)


def inline_document(definition: PermissionSetDefinition) -> dict[str, Any] | None:
    """The inline policy as a mapping (validate has refused text that does not parse)."""
    policy = definition.inline_policy
    if policy is None:
        return None
    if isinstance(policy, str):
        parsed = json.loads(policy)
        return parsed if isinstance(parsed, dict) else None
    return policy
