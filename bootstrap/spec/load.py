"""Load `landing-zone.yaml` into a `LandingZoneSpec`, with errors that point at file, line and field.

YAML is parsed once into a node tree so every error can name the line of the field it is about; after
this module nothing reads raw YAML.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bootstrap.errors import SpecError
from bootstrap.spec.model import LandingZoneSpec

Loc = tuple[str | int, ...]


def load_spec(path: Path) -> LandingZoneSpec:
    """Read, parse and fully validate the spec at `path` (including guardrail packing)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(
            f"{path}: no such spec file",
            "Run `bootstrap init` to write one, or pass --spec PATH.",
        ) from None
    except OSError as err:
        raise SpecError(f"{path}: cannot read the spec: {err.strerror}", "Check the path and permissions.") from None
    return parse_spec(text, str(path))


def parse_spec(text: str, filename: str = "landing-zone.yaml") -> LandingZoneSpec:
    """Validate spec text; raise `SpecError` naming the file, line, field path and the fix."""
    from bootstrap.spec.checks import check_spec  # the guardrail library is only needed past the model

    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err)
        raise SpecError(f"{filename}{line}: not valid YAML: {problem}", "Fix the YAML syntax there.") from None
    if not isinstance(data, dict):
        found = "empty" if data is None else f"a YAML {type(data).__name__}, not a mapping"
        raise SpecError(
            f"{filename}:1: (top level): the spec is {found}; it must be a mapping of fields "
            "(version, organization, account_email_pattern, ...)",
            "Start from `bootstrap init --defaults`, which writes a commented spec to edit.",
        )
    lines = dict(_line_numbers(node, ()))
    try:
        spec = LandingZoneSpec.model_validate(data)
    except ValidationError as err:
        raise SpecError(_describe(err, filename, lines), _remedy(err)) from None
    problems = check_spec(spec)
    if problems:
        raise SpecError(
            "\n".join(f"{filename}:{_line(lines, p.loc)}: {_dotted(p.loc)}: {p.message}" for p in problems),
            " ".join(dict.fromkeys(p.fix for p in problems if p.fix)),
        )
    return spec


def _line_numbers(node: yaml.Node | None, loc: Loc) -> Iterator[tuple[Loc, int]]:
    if node is None:
        return
    yield loc, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = (*loc, str(key.value))
            yield sub, key.start_mark.line + 1
            for inner_loc, inner_line in _line_numbers(value, sub):
                if inner_loc != sub:
                    yield inner_loc, inner_line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _line_numbers(item, (*loc, index))


def _line(lines: dict[Loc, int], loc: Loc) -> int:
    while loc and loc not in lines:
        loc = loc[:-1]
    return lines.get(loc, 1)


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _describe(err: ValidationError, filename: str, lines: dict[Loc, int]) -> str:
    parts = []
    for item in err.errors():
        loc = _loc(item)
        message = _message(item, loc)
        parts.append(f"{filename}:{_line(lines, loc)}: {_dotted(loc)}: {message}")
    return "\n".join(parts)


def _loc(item: Any) -> Loc:
    """The error's field path, extended by the field a cross-field rule names (`model.rule_error`)."""
    loc: Loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    return (*loc, *(item.get("ctx") or {}).get("spec_loc", ()))


def _message(item: Any, loc: Loc) -> str:
    kind = item["type"]
    if kind == "extra_forbidden":
        close = _close_field(loc)
        hint = f"did you mean '{close}'? " if close else ""
        return f"unknown field ({hint}check its spelling; `bootstrap schema` lists every field)"
    if kind == "missing":
        return "required field is missing"
    if kind == "string_type" and isinstance(item["input"], int | float) and not isinstance(item["input"], bool):
        return f'{item["input"]!r} is read as a number, not text: quote it ("{item["input"]}")'
    pattern = str((item.get("ctx") or {}).get("pattern", ""))
    if kind == "string_pattern_mismatch" and ("\\d{12}" in pattern or _is_account_id(loc)):
        return f'{item["input"]!r} is not a 12-digit account id (quote it: "012345678901")'
    message = str(item["msg"])
    return message.removeprefix("Value error, ")


_ACCOUNT_ID_FIELDS = frozenset({"management_account_id", "id"})


def _is_account_id(loc: Loc) -> bool:
    return bool(loc) and loc[-1] in _ACCOUNT_ID_FIELDS


def _close_field(loc: Loc) -> str | None:
    """The known field closest to the unknown key at `loc`, found by walking the models along `loc`."""
    model: type[BaseModel] | None = LandingZoneSpec
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        info = model.model_fields.get(part)
        model = _model_in(info.annotation) if info is not None else None
    if model is None or not loc:
        return None
    close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
    return close[0] if close else None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The spec model inside a field annotation (`X`, `list[X]`, `X | None`), if there is one."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


_FIELD_FIXES = {
    "management_account_id": 'Write the account id as 12 digits in quotes, for example "123456789012".',
    "id": 'Write the account id as 12 digits in quotes, for example "123456789012".',
    "home_region": "Use an AWS region code such as us-east-1 or eu-west-1 (`aws ec2 describe-regions`).",
    "allowed_regions": "Use AWS region codes such as us-east-1 or eu-west-1 (`aws ec2 describe-regions`).",
    "path": "Write OU paths as names separated by '/', at most 5 levels deep, for example Workloads/Prod.",
}


def _remedy(err: ValidationError) -> str:
    """One remediation per distinct problem; unknown fields first, since they often explain the rest."""
    fixes: list[str] = []
    items = sorted(err.errors(), key=lambda e: e["type"] != "extra_forbidden")
    for item in items:
        fix = _fix(item, _loc(item))
        if fix not in fixes:
            fixes.append(fix)
    return " ".join(fixes)


def _fix(item: Any, loc: Loc) -> str:
    kind = item["type"]
    if kind == "extra_forbidden":
        close = _close_field(loc)
        rename = f"Rename '{loc[-1]}' to '{close}', or remove it" if close else f"Remove or rename '{loc[-1]}'"
        return f"{rename}; `bootstrap schema` prints the JSON Schema of the spec."
    if kind == "missing":
        return f"Add {_dotted(loc)}."
    ctx = item.get("ctx") or {}
    if "spec_fix" in ctx:
        return str(ctx["spec_fix"])
    named = [part for part in loc if isinstance(part, str)]
    if named and named[-1] in _FIELD_FIXES:
        return _FIELD_FIXES[named[-1]]
    return "Fix the field named above and run `bootstrap validate` again."
