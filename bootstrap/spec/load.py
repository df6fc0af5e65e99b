"""Load `landing-zone.yaml` into a `LandingZoneSpec`, with errors that point at file, line and field.

YAML is parsed once into a node tree so every error can name the line of the field it is about; after
this module nothing reads raw YAML.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

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
        raise SpecError(
            f"{path}: cannot read the spec: {err.strerror}", "Check the path and permissions."
        ) from None
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
        raise SpecError(
            f"{filename}{line}: not valid YAML: {problem}", "Fix the YAML syntax there."
        ) from None
    if not isinstance(data, dict):
        raise SpecError(
            f"{filename}: the spec must be a YAML mapping", "Start from `bootstrap init --defaults`."
        )
    lines = dict(_line_numbers(node, ()))
    try:
        spec = LandingZoneSpec.model_validate(data)
    except ValidationError as err:
        raise SpecError(_describe(err, filename, lines), _remedy(err)) from None
    problems = check_spec(spec)
    if problems:
        first = problems[0]
        others = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise SpecError(
            f"{filename}:{_line(lines, first.loc)}: {_dotted(first.loc)}: {first.message}{others}",
            first.fix,
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
        loc: Loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        message = _message(item)
        parts.append(f"{filename}:{_line(lines, loc)}: {_dotted(loc)}: {message}")
    return "\n".join(parts)


def _message(item: Any) -> str:
    kind = item["type"]
    if kind == "extra_forbidden":
        return "unknown field (check its spelling; `bootstrap schema` lists every field)"
    if kind == "missing":
        return "required field is missing"
    if kind == "string_pattern_mismatch" and "\\d{12}" in str(item.get("ctx", {}).get("pattern", "")):
        return f'{item["input"]!r} is not a 12-digit account id (quote it: "012345678901")'
    message = str(item["msg"])
    return message.removeprefix("Value error, ")


def _remedy(err: ValidationError) -> str:
    kinds = {e["type"] for e in err.errors()}
    if "extra_forbidden" in kinds:
        return "Remove or rename the unknown field; `bootstrap schema` prints the JSON Schema of the spec."
    return "Fix the field named above and run `bootstrap validate` again."
