"""Turn pydantic's validation errors into the toolkit's words: file, line, field, what is wrong, the fix.

Used for the spec and for `init --answers` files alike. No raw library message reaches the user: each
error type pydantic raises for the spec's fields has its own sentence, and the rules of the spec's own
validators carry their fix (`types.value_error`, `types.rule_error`). Where YAML read an unquoted value as
something other than text (`no` -> false, `012345670123` -> an octal number), the message says so and
quotes the value as it was written, never as YAML's reading of it.
"""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from bootstrap.errors import SpecError
from bootstrap.spec.yamlread import Document, Loc, dotted


def validation_error(err: ValidationError, doc: Document, filename: str, root: type[BaseModel]) -> SpecError:
    """One `SpecError` listing every problem at its line, with one remediation per distinct problem."""
    lines: list[str] = []
    fixes: list[str] = []
    items = sorted(err.errors(), key=lambda e: e["type"] != "extra_forbidden")  # typos often explain the rest
    for item in items:
        loc = _loc(item)
        message, fix = _explain(item, loc, doc, root)
        lines.append(f"{filename}:{doc.line(loc)}: {dotted(loc)}: {message}")
        if fix not in fixes:
            fixes.append(fix)
    return SpecError("\n".join(lines), " ".join(fixes))


def _loc(item: Any) -> Loc:
    """The error's field path, extended by the field a cross-field rule names (`types.rule_error`)."""
    loc: Loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    return (*loc, *(item.get("ctx") or {}).get("spec_loc", ()))


def _yaml_reading(value: Any, raw: str) -> str:
    """How YAML read the unquoted `raw` text as `value`, in words."""
    if isinstance(value, bool):
        return f"YAML reads the unquoted {raw} as the boolean {str(value).lower()} (yes/no/on/off/true/false all are)"
    if value is None:
        return f"YAML reads the unquoted {raw or '(empty value)'} as 'no value'"
    if isinstance(value, int) and raw.lstrip("+-").startswith("0") and raw.strip("+-0") and raw.isdigit():
        return f"YAML reads the unquoted {raw} as the octal number {value} (a leading 0 means octal)"
    if isinstance(value, int | float) and raw != str(value):
        return f"YAML reads the unquoted {raw} as the number {value}"
    if isinstance(value, int | float):
        return f"YAML reads the unquoted {raw} as a number"
    return f"YAML reads the unquoted {raw} as a {type(value).__name__}"


def _explain(item: Any, loc: Loc, doc: Document, root: type[BaseModel]) -> tuple[str, str]:
    kind = str(item["type"])
    value = item.get("input")
    ctx = item.get("ctx") or {}
    where = dotted(loc)
    raw = doc.raw.get(loc)
    if kind in ("spec_value", "spec_rule"):
        return str(item["msg"]), str(ctx["spec_fix"])
    if kind == "extra_forbidden":
        close = close_field(loc, root)
        hint = f"did you mean '{close}'? " if close else ""
        rename = f"Rename '{loc[-1]}' to '{close}', or remove it" if close else f"Remove or rename '{loc[-1]}'"
        return (
            f"unknown field ({hint}check its spelling; `bootstrap schema` lists every field)",
            f"{rename}; `bootstrap schema` prints the JSON Schema of the spec.",
        )
    if kind == "missing":
        return "required field is missing", f"Add {where}."
    if value is None and kind.endswith("_type"):
        return "the value is empty", f"Write a value after '{loc[-1] if loc else ''}:', or remove the line."
    if kind == "string_type":
        if raw is not None:
            return (
                f"{_yaml_reading(value, raw)}; this field takes text",
                f'Quote the value exactly as written: {loc[-1]}: "{raw}".',
            )
        return f"this field takes text, not a {_kind(value)}", f"Write {where} as text in quotes."
    if kind in ("int_type", "int_parsing", "int_from_float", "float_type"):
        if isinstance(value, bool) and raw is not None:
            return f"{_yaml_reading(value, raw)}; this field takes a number", f"Write a number for {where}."
        if isinstance(value, str):
            return f"'{value}' is text; this field takes a number", f"Write {where} as a number, without quotes."
        if isinstance(value, float):
            return f"{value} is not a whole number", f"Write {where} as a whole number."
        return f"this field takes a number, not a {_kind(value)}", f"Write a number for {where}."
    if kind in ("bool_type", "bool_parsing"):
        shown = f"'{value}'" if isinstance(value, str) else (raw or repr(value))
        return f"{shown} is not true or false", f"Write {where} as true or false, without quotes."
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "")
        side = "at least" if kind.startswith("greater") else "at most"
        return f"{value} is out of range: it must be {side} {bound}", f"Set {where} to a value {side} {bound}."
    if kind == "literal_error":
        if loc == ("version",):
            return (
                f"version {value!r} is not a spec version this toolkit reads (it reads version 1)",
                "Set version: 1, or upgrade the toolkit to one that reads this spec.",
            )
        expected = str(ctx.get("expected", "")).replace("'", "")
        return f"{_show(value)} is not one of {expected}", f"Set {where} to one of {expected}."
    if kind in ("list_type", "tuple_type"):
        return f"this field takes a list, not a {_kind(value)}", f"Write {where} as a list, one '- item' a line."
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return (
            f"this field takes a mapping of fields, not a {_kind(value)}",
            f"Write the fields of {where} indented below it, one 'key: value' a line.",
        )
    if kind in ("too_short", "too_long"):
        count = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        side = "at least" if kind == "too_short" else "at most"
        return f"the list needs {side} {count} item(s)", f"Give {where} {side} {count} item(s)."
    if kind in ("string_too_long", "string_too_short", "string_pattern_mismatch"):
        return f"{_show(value)} is not a valid value for {loc[-1]}", f"Correct {where} (`bootstrap schema`)."
    return (
        f"{_show(value)} is not a valid value for {loc[-1] if loc else 'the file'}",
        f"Correct {where}; `bootstrap schema` describes every field.",
    )


def _kind(value: Any) -> str:
    names = {bool: "true/false", int: "number", float: "number", str: "text", list: "list", dict: "mapping"}
    return "empty value" if value is None else names.get(type(value), "value of another kind")


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else _kind(value)
    return text if len(text) <= 80 else text[:77] + "..."


def close_field(loc: Loc, root: type[BaseModel]) -> str | None:
    """The known field closest to the unknown key at `loc`, found by walking the models along `loc`."""
    model: type[BaseModel] | None = root
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
