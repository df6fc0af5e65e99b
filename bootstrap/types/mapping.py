"""CloudFormation property names and an API's names for the same values, written once, used both ways.

A handler turns a resource's CloudFormation properties into API arguments with `to_api`; its reader turns the
API's answer back into CloudFormation properties with `to_cfn`. Where an API spells a value one way in its
request and another in its answer (CloudTrail's `EnableLogFileValidation` is `LogFileValidationEnabled` when
read back), the field names both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Field:
    cfn: str
    api: str
    read: str = ""
    """The name in the API's answer, when it differs from the request's."""

    @property
    def answer(self) -> str:
        return self.read or self.api


@dataclass(frozen=True)
class FieldMap:
    fields: tuple[Field, ...]

    @classmethod
    def of(cls, *pairs: tuple[str, str] | tuple[str, str, str]) -> FieldMap:
        return cls(tuple(Field(*pair) for pair in pairs))

    @property
    def api_names(self) -> tuple[str, ...]:
        return tuple(f.api for f in self.fields)

    @property
    def cfn_names(self) -> tuple[str, ...]:
        return tuple(f.cfn for f in self.fields)

    def to_api(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """API arguments for the CloudFormation properties that are set."""
        return {f.api: props[f.cfn] for f in self.fields if props.get(f.cfn) is not None}

    def to_cfn(self, answer: Mapping[str, Any], *, unset: Iterable[Any] = (None,)) -> dict[str, Any]:
        """CloudFormation properties for the values the API answered (values in `unset` count as absent)."""
        absent = list(unset)
        return {f.cfn: answer[f.answer] for f in self.fields if f.answer in answer and answer[f.answer] not in absent}


def tag_dict(tags: Iterable[Any], key: str = "Key", value: str = "Value") -> dict[str, str]:
    """A list of tag objects (as an API answers them) as one dict."""
    return {str(t[key]): str(t[value]) for t in tags}
