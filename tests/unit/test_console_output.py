"""Output fits the terminal and prints user data as it is: no emoji codes, no markup from user data, word
wrapping (never mid-word) in a terminal, no wrapping when piped, no colors when piped or with NO_COLOR."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from bootstrap.cli.app import run
from bootstrap.console import make_consoles
from bootstrap.spec.answers import Answers, render_spec_yaml

LONG = "The plan would remove the account legacy-application-production from the organization " * 3
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _terminal(monkeypatch: pytest.MonkeyPatch, **env: str) -> io.StringIO:
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich: behave as in a terminal
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("NO_COLOR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return io.StringIO()


def test_in_a_terminal_lines_wrap_between_words_at_its_width(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = _terminal(monkeypatch)
    out, _ = make_consoles()
    out.file = buffer
    out.print(LONG)
    lines = ANSI.sub("", buffer.getvalue()).splitlines()
    assert len(lines) > 1 and all(len(line) <= 80 for line in lines)
    assert all(word in LONG.split() for line in lines for word in line.split()), "no word cut in two"


def test_piped_output_is_never_wrapped_nor_colored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "80")
    out, _ = make_consoles()
    out.file = io.StringIO()  # not a terminal
    out.print(f"[green]{LONG}[/]")
    text = out.file.getvalue()
    assert text == LONG + "\n", "one line, no escape codes"


def test_no_color_turns_colors_off_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = _terminal(monkeypatch, NO_COLOR="1")
    out, _ = make_consoles()
    out.file = buffer
    out.print("[green]ok[/] [red]no[/]")
    assert not re.search(r"\x1b\[(?:[0-9;]*;)?3[0-9]m", buffer.getvalue()), buffer.getvalue()


def test_emoji_codes_in_user_data_are_printed_as_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = _terminal(monkeypatch)
    out, _ = make_consoles()
    out.file = buffer
    out.print("landing-zone.yaml:100: accounts[0].ou: :smile:")
    assert ANSI.sub("", buffer.getvalue()) == "landing-zone.yaml:100: accounts[0].ou: :smile:\n"


def test_a_spec_path_with_markup_is_printed_as_it_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "[red]zone[bold]:100:.yaml"
    spec.write_text(render_spec_yaml(Answers(management_account_id="123456789012")))
    assert run(["validate", "--spec", str(spec)]) == 0
    assert f"{spec} is valid" in capsys.readouterr().out
