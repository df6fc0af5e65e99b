"""The CLI's error boundary (`bootstrap.cli.app.run`) with typer's own exception classes, and click's."""

from __future__ import annotations

import sys
import types

import click
import pytest
import typer

from bootstrap.cli import app, entry
from bootstrap.cli.interrupts import interruptible, on_interrupt
from bootstrap.errors import Cancelled


class _Command:
    def __init__(self, outcome: BaseException | int) -> None:
        self.outcome = outcome

    def main(self, **_: object) -> int:
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


def _run(monkeypatch: pytest.MonkeyPatch, outcome: BaseException | int) -> int:
    monkeypatch.setattr(typer.main, "get_command", lambda _app: _Command(outcome))
    return app.run(["plan"])


@pytest.mark.parametrize("exit_class", [typer.Exit, click.exceptions.Exit])
def test_exit_keeps_its_code(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], exit_class) -> None:  # type: ignore[no-untyped-def]
    assert _run(monkeypatch, exit_class(3)) == 3
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("abort_class", [typer.Abort, click.exceptions.Abort])
def test_abort_is_130_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], abort_class
) -> None:  # type: ignore[no-untyped-def]
    assert _run(monkeypatch, abort_class()) == 130
    assert capsys.readouterr().err == "Stopped: cancelled: nothing more was done\n"


def test_typer_usage_error_is_shown_with_its_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, typer.TyperException("bad flag")) == 1
    assert "Error: bad flag" in capsys.readouterr().err


def test_click_usage_error_is_shown_with_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, click.UsageError("no such option")) == 2
    assert "no such option" in capsys.readouterr().err


@pytest.mark.parametrize("outcome", [KeyboardInterrupt(), 130])
def test_ctrl_c_outside_a_command_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], outcome
) -> None:  # type: ignore[no-untyped-def]
    """typer 0.27+ turns a Ctrl-C it catches into `return 130`; a bare KeyboardInterrupt is handled too."""
    assert _run(monkeypatch, outcome) == 130
    err = capsys.readouterr().err
    assert err.startswith("Stopped: interrupted while starting") and err.count("\n") == 1


def test_real_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert app.run(["plan", "--no-such-flag"]) == 2
    assert "No such option: --no-such-flag" in capsys.readouterr().err


def test_on_interrupt_turns_ctrl_c_into_cancelled() -> None:
    with pytest.raises(Cancelled) as caught, on_interrupt("plan interrupted", "nothing was written"):
        raise KeyboardInterrupt
    assert caught.value.message == "plan interrupted: nothing was written"
    assert caught.value.exit_code == 130


def test_interruptible_keeps_the_signature_and_the_inner_message() -> None:
    def command(name: str = "x") -> str:
        with on_interrupt("inner", "precise"):
            raise KeyboardInterrupt

    wrapped = interruptible("outer", "generic")(command)
    assert wrapped.__wrapped__ is command  # type: ignore[attr-defined]
    with pytest.raises(Cancelled, match="inner: precise"):
        wrapped()


def test_ctrl_c_while_importing_the_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    class Importing(types.ModuleType):
        def __getattr__(self, name: str) -> object:
            raise KeyboardInterrupt

    monkeypatch.setitem(sys.modules, "bootstrap.cli.app", Importing("bootstrap.cli.app"))
    with pytest.raises(SystemExit) as exited:
        entry.main()
    assert exited.value.code == 130
    assert (
        capsys.readouterr().err == "Stopped: bootstrap was interrupted while starting: nothing was read or written.\n"
    )


def test_a_ctrl_c_python_wrapped_while_making_a_class_is_an_interrupt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Ctrl-C that lands while a spec model class is being made comes out as `RuntimeError: Error calling
    __set_name__`, caused by the KeyboardInterrupt: the boundary says "Stopped", never "Unexpected error"."""

    class Interrupting:
        def __set_name__(self, owner: type, name: str) -> None:
            raise KeyboardInterrupt

    try:
        type("Model", (), {"field": Interrupting()})
    except RuntimeError as wrapped:
        error: BaseException = wrapped
    else:  # pragma: no cover - Python stopped wrapping it: the plain KeyboardInterrupt path covers it
        error = KeyboardInterrupt()
    assert _run(monkeypatch, error) == 130
    err = capsys.readouterr().err
    assert "Stopped:" in err and "Unexpected error" not in err
    assert _run(monkeypatch, RuntimeError("a real bug")) == 1
