"""Read YAML text into plain data plus the line of every field, in one pass, refusing what YAML lets slip.

PyYAML's loaders accept duplicate keys (the last one wins, silently), expand an alias bomb into
gigabytes, recurse on deeply nested flow collections and raise a bare `ValueError` on a 5,000-digit
integer. This module drives PyYAML's event parser (libyaml's C parser when present) itself, builds the
data without recursion, and refuses each of those with the line it is on, in plain words. It also keeps
the raw text of every unquoted value YAML turned into something other than text (`no` -> false,
`0123` -> 83), so a type error can say how YAML read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from bootstrap.errors import SpecError

Loc = tuple[str | int, ...]

MAX_BYTES = 2 * 1024 * 1024
"""Largest file read: a landing zone of thousands of accounts and the 1,000-OU quota fits in a fraction."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings; the spec itself needs six levels."""
MAX_NODES = 500_000
"""Most values a file may hold once every alias is expanded (a few `*alias` lines can mean billions)."""
MAX_NUMBER_CHARS = 40
"""Longest number; no field of the spec needs more than a dozen digits."""

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Document:
    """A YAML file's data, the line of each field path, and how YAML read unquoted non-text values."""

    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    raw: dict[Loc, str] = field(default_factory=dict)

    def line(self, loc: Loc) -> int:
        """The line of `loc`, or of its nearest enclosing field that has one."""
        while loc and loc not in self.lines:
            loc = loc[:-1]
        return self.lines.get(loc, 1)


def too_big(size: int, filename: str) -> SpecError:
    return SpecError(
        f"{filename}: the file is {size / 1024 / 1024:.1f} MB; a spec may be at most {MAX_BYTES // 1024 // 1024} MB",
        "Check that this is the right file: a landing zone of thousands of accounts fits in a few hundred KB.",
    )


def decode(data: bytes, filename: str) -> str:
    """UTF-8 text of a file's bytes, refused with the line of the first byte that is not UTF-8."""
    if len(data) > MAX_BYTES:
        raise too_big(len(data), filename)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise SpecError(
            f"{filename}:{line}: the file is not UTF-8 text (byte 0x{data[err.start]:02x} on line {line})",
            "Save the file as UTF-8 (in most editors: Save with Encoding, UTF-8) and write any accented letters again.",
        ) from None


def read_yaml(text: str, filename: str) -> Document:
    """Parse `text` once into a `Document`; every problem is a `SpecError` naming the file and line."""
    if len(text) > MAX_BYTES:
        raise too_big(len(text.encode("utf-8", "surrogatepass")), filename)
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        code = ord(bad.group())
        what = "a NUL byte (U+0000)" if code == 0 else f"the control character U+{code:04X}"
        raise SpecError(
            f"{filename}:{line}: the line holds {what}, which YAML does not allow",
            f"Remove it from line {line} (it is invisible in most editors; retype the line).",
        )
    loader = _Loader(text)
    try:
        return _Builder(loader, filename).document()
    except yaml.MarkedYAMLError as err:
        raise _plain_error(err, filename, _open_quote(text, err), _line_text(text, err)) from None
    except yaml.YAMLError as err:
        raise SpecError(f"{filename}: YAML cannot read the file ({err})", _GENERIC_FIX) from None
    finally:
        loader.dispose()


class _Frame:
    __slots__ = ("anchor", "container", "key", "key_line", "line", "loc", "merges", "seen", "start_count")

    def __init__(self, container: dict[Any, Any] | list[Any], loc: Loc, line: int, anchor: str | None, count: int):
        self.container = container
        self.loc = loc
        self.line = line
        self.anchor = anchor
        self.start_count = count
        self.key: Any = _NO_KEY
        self.key_line = line
        self.merges: list[tuple[Any, int]] = []
        self.seen: dict[Any, int] = {}


_NO_KEY = object()
_MERGE_KEY = object()


class _Builder:
    """Builds plain data from the event stream with an explicit stack (no recursion on deep nesting)."""

    def __init__(self, loader: yaml.SafeLoader, filename: str) -> None:
        self.loader: Any = loader  # PyYAML's event and resolver methods are untyped
        self.filename = filename
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.count = 0
        self.doc = Document(None)

    def fail(self, line: int, message: str, fix: str) -> SpecError:
        return SpecError(f"{self.filename}:{line}: {message}", fix)

    def document(self) -> Document:
        loader = self.loader
        loader.get_event()  # StreamStart
        if loader.check_event(yaml.StreamEndEvent):
            return self.doc
        loader.get_event()  # DocumentStart
        self.doc.lines[()] = 1
        while not loader.check_event(yaml.DocumentEndEvent):
            self.handle(loader.get_event())
        loader.get_event()
        if not loader.check_event(yaml.StreamEndEvent):
            line = loader.peek_event().start_mark.line + 1
            raise self.fail(
                line,
                "a second YAML document starts here ('---'); the file must hold one",
                "Remove the '---' line and what follows it, or merge it into the document above.",
            )
        return self.doc

    def handle(self, event: yaml.Event) -> None:
        line = event.start_mark.line + 1 if event.start_mark is not None else 1
        if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            self.close()
            return
        self.count += 1
        if len(self.stack) >= MAX_DEPTH and isinstance(event, yaml.CollectionStartEvent):
            raise self.fail(
                line,
                f"lists and mappings are nested more than {MAX_DEPTH} levels deep here",
                "The spec needs a handful of levels: check the brackets on this line.",
            )
        if isinstance(event, yaml.AliasEvent):
            self.add(self.alias(event, line), line, None)
        elif isinstance(event, yaml.ScalarEvent):
            self.scalar(event, line)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            container: dict[Any, Any] | list[Any] = {} if isinstance(event, yaml.MappingStartEvent) else []
            loc = self.add(container, line, None)
            self.stack.append(_Frame(container, loc, line, event.anchor, self.count))

    def alias(self, event: yaml.AliasEvent, line: int) -> Any:
        if event.anchor not in self.anchors:
            raise self.fail(
                line,
                f"*{event.anchor} refers to no anchor: no '&{event.anchor}' appears above it",
                f"Define &{event.anchor} on a value above this line, or write the value out.",
            )
        value, weight = self.anchors[event.anchor]
        self.count += weight
        if self.count > MAX_NODES:
            raise self.fail(
                line,
                f"the aliases (*name) expand to more than {MAX_NODES:,} values by this line",
                "Write the values out, or use fewer nested aliases; a spec never needs this many.",
            )
        return value

    def scalar(self, event: yaml.ScalarEvent, line: int) -> None:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        frame = self.stack[-1] if self.stack else None
        if tag == _MERGE and frame is not None and isinstance(frame.container, dict) and frame.key is _NO_KEY:
            frame.key, frame.key_line = _MERGE_KEY, line
            return
        if frame is not None and isinstance(frame.container, dict) and frame.key is _NO_KEY:
            self.add(event.value, line, event.anchor)  # a key is the text as written: `on:` is "on", not true
            return
        node = yaml.ScalarNode(tag, event.value, style=event.style)
        if tag == "tag:yaml.org,2002:int" and len(event.value) > MAX_NUMBER_CHARS:
            raise self.fail(
                line,
                f"{self.next_field()}: a number of {len(event.value):,} digits",
                "No field of the spec takes a number this long: check the value on this line.",
            )
        constructor = self.loader.yaml_constructors.get(tag)
        if constructor is None or tag in ("tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"):
            raise self.fail(
                line,
                f"the YAML tag {tag} is not supported here",
                "Remove the tag (the text starting with '!') and write the plain value.",
            )
        value = constructor(self.loader, node)
        loc = self.add(value, line, event.anchor)
        if tag != _STR and not event.style and loc is not None:
            self.doc.raw[loc] = event.value

    def add(self, value: Any, line: int, anchor: str | None) -> Loc:
        """Place `value` in its parent (as a key, a value or an item) and return its field path."""
        if anchor is not None:
            self.anchors[anchor] = (value, 1)
        if not self.stack:
            self.doc.data = value
            return ()
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            loc = (*frame.loc, len(frame.container))
            frame.container.append(value)
            self.doc.lines[loc] = line
            return loc
        if frame.key is _NO_KEY:
            return self.key(frame, value, line)
        key, frame.key = frame.key, _NO_KEY
        if key is _MERGE_KEY:
            frame.merges.append((value, frame.key_line))
            return (*frame.loc, "<<")
        frame.container[key] = value
        return (*frame.loc, str(key))

    def key(self, frame: _Frame, key: Any, line: int) -> Loc:
        if isinstance(key, dict | list):
            raise self.fail(
                line,
                "a list or mapping is used as a key",
                "Keys are plain names followed by ':'; check the indentation and brackets here.",
            )
        first = frame.seen.get(key)
        if first is not None:
            where = self.place((*frame.loc, str(key)))
            raise self.fail(
                line,
                f"{where} appears twice in the same mapping (first on line {first}); YAML would silently "
                "keep only the last one",
                f"Keep one '{key}:' and merge what the two say into it.",
            )
        frame.seen[key] = line
        frame.key, frame.key_line = key, line
        loc = (*frame.loc, str(key))
        self.doc.lines[loc] = line
        return loc

    def next_field(self) -> str:
        """The field path the next value goes to, for messages about a value not placed yet."""
        if not self.stack:
            return "(top level)"
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            return dotted((*frame.loc, len(frame.container)))
        if frame.key is _NO_KEY or frame.key is _MERGE_KEY:
            return dotted(frame.loc)
        return dotted((*frame.loc, str(frame.key)))

    def place(self, loc: Loc) -> str:
        return f"the key '{dotted(loc)}'"

    def close(self) -> None:
        frame = self.stack.pop()
        if isinstance(frame.container, dict):
            self.merge(frame)
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (frame.container, self.count - frame.start_count + 1)

    def merge(self, frame: _Frame) -> None:
        """`<<: *defaults` merges a mapping's keys in; keys written in the mapping itself win."""
        assert isinstance(frame.container, dict)
        for value, line in frame.merges:
            sources = value if isinstance(value, list) else [value]
            for source in sources:
                if not isinstance(source, dict):
                    raise self.fail(line, "'<<' merges mappings only", "Point '<<' at a mapping (&name on a mapping).")
                for key, item in source.items():
                    frame.container.setdefault(key, item)


def dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


_GENERIC_FIX = "Check the indentation (spaces only), the quotes and the brackets on that line and the one above."


def _open_quote(text: str, err: yaml.MarkedYAMLError) -> int | None:
    """The line (0-based) where a quoted value opens that runs on to the line of the error: a quote left
    open swallows the lines below it until the next quote, and the parser only stumbles after that."""
    if err.problem_mark is None:
        return None
    found = None
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if token.start_mark.line > err.problem_mark.line:
                break
            quoted = isinstance(token, yaml.ScalarToken) and token.style in ('"', "'")
            if quoted and token.start_mark.line < token.end_mark.line == err.problem_mark.line:
                found = token.start_mark.line
    except yaml.YAMLError:
        pass
    return found


def _line_text(text: str, err: yaml.MarkedYAMLError) -> str:
    mark = err.problem_mark
    lines = text.splitlines()
    return lines[mark.line] if mark is not None and mark.line < len(lines) else ""


def _plain_error(err: yaml.MarkedYAMLError, filename: str, open_quote: int | None, line_text: str) -> SpecError:
    """A parser error in plain words, at the line where the broken construct starts."""
    context = str(err.context or "")
    problem = str(err.problem or "")
    mark = err.problem_mark
    message, fix = "YAML cannot read this line", _GENERIC_FIX
    if open_quote is not None:
        line = open_quote + 1
        return SpecError(
            f"{filename}:{line}: not valid YAML: a quoted value starts on line {line} and its closing quote is "
            "missing (the quote runs on into the lines below)",
            "Close the quote on the same line (a value that opens with \" or ' must end with the same quote).",
        )
    if "maximum nesting depth" in problem:  # libyaml >= 0.2.6 stops at 1,000 levels, before the depth check
        message = f"lists and mappings are nested more than {MAX_DEPTH} levels deep here"
        fix = "The spec needs a handful of levels: check the brackets on this line."
    elif "quoted scalar" in context:
        mark = err.context_mark or mark
        message = "a quoted value starts here and its closing quote is missing"
        fix = "Close the quote on the same line (a value that opens with \" or ' must end with the same quote)."
    elif "flow sequence" in context or "flow mapping" in context:
        mark = err.context_mark or mark
        bracket = "[" if "sequence" in context else "{"
        message = f"the '{bracket}' that opens here is not closed, or its items are not separated by ','"
        fix = f"Close it with '{']' if bracket == '[' else '}'}' and separate the items with ', '."
    elif "mapping values are not allowed" in problem:
        message = "a ': ' inside a value, where YAML does not expect a new key"
        fix = 'Quote the whole value ("..."), or put the key on a line of its own.'
    elif "\t" in line_text[: len(line_text) - len(line_text.lstrip())] or "\\t" in problem:
        message = "a tab character; YAML indents with spaces only"
        fix = "Replace the tabs on this line with spaces."
    elif "cannot start any token" in problem:
        message = "a value starts with a character YAML reserves (such as @, ` or %)"
        fix = 'Quote the value ("...").'
    elif "could not find expected ':'" in problem or "simple key" in context:
        mark = err.context_mark or mark
        message = "a line that is neither 'key: value' nor a list item '- value'"
        fix = "Add the ':' after the key, or the '- ' before the item, or quote the text."
    elif "expected <block end>" in problem or "expected key" in problem or "'-' indicator" in problem:
        message = "the indentation here does not line up with the lines above"
        fix = "Indent this line with the same number of spaces as its siblings."
    elif "anchor" in problem or "alias" in problem:
        message = "an '&anchor' or '*alias' here is not valid"
        fix = "Write anchors and aliases as &name and *name, or quote a value that starts with & or *."
    line = mark.line + 1 if mark is not None else 1
    return SpecError(f"{filename}:{line}: not valid YAML: {message}", fix)
