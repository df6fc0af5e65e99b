"""Resolve CloudFormation references (`Ref`, `Fn::GetAtt`) in desired properties against known ids."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

UNKNOWN = "(known after apply)"


class Registry:
    """Physical ids and attributes by logical id: filled from observation, then by apply as it creates."""

    def __init__(self) -> None:
        self._values: dict[str, dict[str, str]] = {}

    def set(self, logical_id: str, ref: str | None, attributes: Mapping[str, str] | None = None) -> None:
        values = dict(attributes or {})
        if ref is not None:
            values["Ref"] = ref
        self._values.setdefault(logical_id, {}).update(values)

    def get(self, logical_id: str, attribute: str = "Ref") -> str | None:
        return self._values.get(logical_id, {}).get(attribute)

    def resolve(self, value: Any) -> Any:
        """`value` with every reference replaced by its live value, or by UNKNOWN if not known yet."""
        if isinstance(value, Mapping):
            if set(value) == {"Ref"}:
                return self.get(str(value["Ref"])) or UNKNOWN
            if set(value) == {"Fn::GetAtt"}:
                logical_id, attribute = value["Fn::GetAtt"]
                return self.get(str(logical_id), str(attribute)) or UNKNOWN
            if set(value) == {"Fn::Join"}:  # ARNs built from ids, e.g. a bucket policy naming an account
                delimiter, parts = value["Fn::Join"]
                resolved = [self.resolve(part) for part in parts]
                return UNKNOWN if any(map(contains_unknown, resolved)) else str(delimiter).join(map(str, resolved))
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.resolve(v) for v in value]
        return value


def contains_unknown(value: Any) -> bool:
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False
