"""The `bootstrap` command: the typer app, global options, and the one error boundary (`main`)."""

from __future__ import annotations

import sys
import traceback
from typing import Annotated

import click
import typer
from botocore.exceptions import BotoCoreError, ClientError
from rich.markup import escape

from bootstrap import __version__
from bootstrap.cli import commands_live, commands_sandbox, commands_spec
from bootstrap.cli.console import make_consoles
from bootstrap.cli.errors import explain_aws_error
from bootstrap.cli.options import GlobalOptions, normalize_argv
from bootstrap.errors import BootstrapError, Cancelled

app = typer.Typer(
    name="bootstrap",
    help="Bootstrap a secure AWS organization and keep it that way: spec -> render -> plan -> apply.\n\n"
    "Start with `bootstrap demo` (no AWS account needed) or `bootstrap init`.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        print(f"bootstrap {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    ctx: typer.Context,
    profile: Annotated[str | None, typer.Option(help="AWS profile to use (as the AWS CLI).")] = None,
    region: Annotated[
        str | None, typer.Option(help="AWS region for regional calls (default: the spec's home region).")
    ] = None,
    endpoint_url: Annotated[
        str | None, typer.Option(help="Send AWS calls to this endpoint (AWS_ENDPOINT_URL is honoured too).")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Global flags may be given anywhere on the command line, as with the AWS CLI."""
    del version
    ctx.obj = GlobalOptions(profile=profile, region=region, endpoint_url=endpoint_url, debug=debug)


commands_spec.register(app)
commands_live.register(app)
commands_sandbox.register(app)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI. The error boundary: every error ends here as a message and an exit code."""
    args = normalize_argv(list(sys.argv[1:] if argv is None else argv))
    debug = "--debug" in args
    _, err = make_consoles()
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="bootstrap", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        err.print("[yellow]Cancelled.[/]")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if exc.exit_code == 2 else exc.exit_code)
    except BootstrapError as exc:
        if debug:
            traceback.print_exc()
        label = "[yellow]Stopped:[/]" if isinstance(exc, Cancelled) else "[bold red]Error:[/]"
        err.print(f"{label} {escape(exc.message)}")
        if exc.remediation:
            err.print(f"[bold]Fix:[/] {escape(exc.remediation)}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("[yellow]Interrupted.[/]")
        sys.exit(130)
    except (ClientError, BotoCoreError) as exc:
        if debug:
            traceback.print_exc()
        message, remedy = explain_aws_error(exc)
        err.print(f"[bold red]Error:[/] {escape(message)}")
        err.print(f"[bold]Fix:[/] {escape(remedy)}")
        sys.exit(1)
    except Exception as exc:  # boundary: anything unexpected becomes one clear line, not a traceback
        if debug:
            raise
        err.print(f"[bold red]Unexpected error:[/] {type(exc).__name__}: {escape(str(exc))}")
        err.print("[bold]Fix:[/] run again with --debug for the traceback, and report it if it is a bug.")
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)
