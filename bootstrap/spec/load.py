"""Load `landing-zone.yaml` into a `LandingZoneSpec`, with errors that point at file, line and field.

The file is read as bytes (size-capped, UTF-8 checked), parsed once by `yamlread` into data plus the
line of every field, validated by the models and then by `checks`. After this module nothing reads raw
YAML. `init --answers` files go through the same reader and the same messages (`load_answers_data`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bootstrap.errors import SpecError
from bootstrap.spec.messages import validation_error
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.spec.yamlread import MAX_BYTES, Document, decode, dotted, read_yaml, too_big


def read_text(path: Path, what: str = "spec", missing_fix: str = "") -> str:
    """The UTF-8 text of `path`; a `SpecError` (exit 2) if it is missing, unreadable, too big or not UTF-8."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:  # never read the rest of a huge file
                raise too_big(os.fstat(handle.fileno()).st_size, str(path))
    except FileNotFoundError:
        raise SpecError(f"{path}: no such {what} file", missing_fix or "Check the path.") from None
    except IsADirectoryError:
        raise SpecError(f"{path}: is a folder, not a {what} file", f"Pass the path of the {what} file.") from None
    except OSError as err:
        raise SpecError(
            f"{path}: cannot read the {what}: {err.strerror}", "Check the path and its permissions."
        ) from None
    return decode(data, str(path))


def load_spec(path: Path) -> LandingZoneSpec:
    """Read, parse and fully validate the spec at `path` (including guardrail packing)."""
    text = read_text(path, "spec", "Run `bootstrap init` to write one, or pass --spec PATH.")
    return parse_spec(text, str(path))


def parse_spec(text: str, filename: str = "landing-zone.yaml") -> LandingZoneSpec:
    """Validate spec text; raise `SpecError` naming the file, line, field path and the fix."""
    from bootstrap.spec.checks import check_spec  # the guardrail library is only needed past the model

    doc = read_yaml(text, filename)
    _require_mapping(doc, filename)
    try:
        spec = LandingZoneSpec.model_validate(doc.data)
    except ValidationError as err:
        raise validation_error(err, doc, filename, LandingZoneSpec) from None
    problems = check_spec(spec)
    if problems:
        raise SpecError(
            "\n".join(f"{filename}:{doc.line(p.loc)}: {dotted(p.loc)}: {p.message}" for p in problems),
            " ".join(dict.fromkeys(p.fix for p in problems if p.fix)),
        )
    return spec


def _require_mapping(doc: Document, filename: str) -> None:
    if not isinstance(doc.data, dict):
        found = "empty" if doc.data is None else f"a YAML {type(doc.data).__name__}, not a mapping"
        raise SpecError(
            f"{filename}:1: (top level): the spec is {found}; it must be a mapping of fields "
            "(version, organization, account_email_pattern, ...)",
            "Start from `bootstrap init --defaults`, which writes a commented spec to edit.",
        )


def load_answers_data(path: Path) -> tuple[dict[str, Any], Document]:
    """The mapping of an `init --answers` file (YAML or JSON) and its line numbers."""
    text = read_text(path, "answers")
    doc = read_yaml(text, str(path))
    if not isinstance(doc.data, dict):
        raise SpecError(
            f"{path}:1: the answers file must be a mapping of question to answer",
            "Write one 'question: answer' a line, for example organization_name: acme.",
        )
    return dict(doc.data), doc
