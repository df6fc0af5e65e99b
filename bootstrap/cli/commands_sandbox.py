"""`bootstrap sandbox` and `bootstrap demo`: the embedded local AWS endpoint."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from bootstrap.cli.interrupts import interruptible
from bootstrap.console import make_consoles


def register(app: typer.Typer) -> None:
    app.command()(sandbox)
    app.command()(interruptible("demo interrupted", "its sandbox lived in memory and is gone")(demo))


def sandbox(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 to listen on (0: any free port).")] = 4566,
) -> None:
    """Run the local AWS endpoint until Ctrl-C and print the environment to point tools at it."""
    from bootstrap.sandbox.server import SANDBOX_ACCOUNT_ID, free_port, running_sandbox

    out, _ = make_consoles()
    with running_sandbox(port or free_port()) as sb:
        out.print(
            f"[bold]Sandbox running at {sb.url}[/] (moto, 127.0.0.1 only). Management account: "
            f"{SANDBOX_ACCOUNT_ID}. State lives in memory and is gone when it stops."
        )
        out.print("In another shell, export:\n")
        for key, value in sb.environment().items():
            print(f"export {key}={value}")
        out.print(
            "\nThen, for example:\n  bootstrap init --defaults && bootstrap render && bootstrap plan && "
            "bootstrap apply --yes && bootstrap status\n  aws organizations list-roots\n"
        )
        out.print("Press Ctrl-C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            out.print("\nSandbox stopped.")


def demo(
    keep: Annotated[Path | None, typer.Option(help="Keep the spec and artifacts in this folder.")] = None,
) -> None:
    """Run the whole journey on the embedded sandbox: no AWS account, credentials or network needed."""
    from bootstrap.sandbox.demo import run_demo

    out, _ = make_consoles()
    run_demo(out, keep=keep)
