"""The `bootstrap` command: the typer app, global options, and the one error boundary (`main`).

Start-up is kept short (`bootstrap --version`, `bootstrap validate` answer in well under a second): this
module and the command modules import only typer, rich and the standard library at the top; boto3, the
spec models, the planner and the sandbox are imported inside the commands that use them.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from bootstrap import __version__
from bootstrap.cli import commands_live, commands_permissions, commands_sandbox, commands_spec
from bootstrap.cli.interrupts import STARTING
from bootstrap.cli.options import DEFAULT_PARALLELISM, PARALLELISM_ENV, GlobalOptions, normalize_argv
from bootstrap.console import make_consoles
from bootstrap.errors import BootstrapError, Cancelled

if TYPE_CHECKING:
    import click
    from botocore.exceptions import BotoCoreError, ClientError

EXIT_INTERRUPTED = 130


def _loaded(module: str, *names: str) -> tuple[type[BaseException], ...]:
    """The exception classes `names` of `module` if something imported it, else none: an error of a library
    that was never imported cannot happen, and importing it only to name its errors slows start-up (`click`
    and botocore are not needed to print the version or validate a spec)."""
    found: Any = sys.modules.get(module)
    return tuple(getattr(found, name) for name in names) if found is not None else ()


# typer 0.27+ raises its own classes (typer.Exit, typer.Abort; usage errors derive from typer.TyperException),
# not click's; click's are caught as well, for anything that still raises them (click itself, or an older typer).
def _exits() -> tuple[type[BaseException], ...]:
    return (typer.Exit, *_loaded("click.exceptions", "Exit"))


def _aborts() -> tuple[type[BaseException], ...]:
    return (typer.Abort, *_loaded("click.exceptions", "Abort"))


def _usage_errors() -> tuple[type[BaseException], ...]:
    return (typer.TyperException, *_loaded("click.exceptions", "ClickException"))


def _aws_errors() -> tuple[type[BaseException], ...]:
    return _loaded("botocore.exceptions", "ClientError", "BotoCoreError")


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
    parallelism: Annotated[
        int,
        typer.Option(
            min=1,
            envvar=PARALLELISM_ENV,
            help="AWS calls in flight at once (readers' pools and each client's connections). The default suits "
            "real AWS latency; lower it if AWS throttles you.",
        ),
    ] = DEFAULT_PARALLELISM,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Global flags may be given anywhere on the command line, as with the AWS CLI."""
    del version
    ctx.obj = GlobalOptions(
        profile=profile, region=region, endpoint_url=endpoint_url, debug=debug, parallelism=parallelism
    )


commands_spec.register(app)
commands_live.register(app)
commands_permissions.register(app)
commands_sandbox.register(app)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI. The error boundary: every error ends here as a message and an exit code."""
    sys.exit(run(list(sys.argv[1:] if argv is None else argv)))


def run(argv: list[str]) -> int:
    """Run the command line `argv` and return its exit code; errors are printed, never raised."""
    _, err = make_consoles()
    debug = "--debug" in argv
    try:
        args = normalize_argv(argv)
        result = typer.main.get_command(app).main(args=args, prog_name="bootstrap", standalone_mode=False)
    except _exits() as exc:
        return int(getattr(exc, "exit_code", 0))
    except _aborts():
        return _stopped(err, "cancelled: nothing more was done")
    except _usage_errors() as exc:
        return _usage_error(exc, err)  # type: ignore[arg-type]  # one of the usage error classes
    except BootstrapError as exc:
        return _bootstrap_error(exc, err, debug)
    except KeyboardInterrupt:
        return _stopped(err, STARTING)
    except _aws_errors() as exc:
        return _aws_error(exc, err, debug)  # type: ignore[arg-type]  # one of botocore's error classes
    except Exception as exc:  # boundary: anything unexpected becomes one clear line, not a traceback
        if _interrupted(exc):
            return _stopped(err, STARTING)
        not_aws = _not_aws(exc, argv)
        if not_aws is not None:
            return _bootstrap_error(not_aws, err, debug)
        if debug:
            raise
        err.print(f"[bold red]Unexpected error:[/] {type(exc).__name__}: {escape(str(exc))}")
        err.print("[bold]Fix:[/] run again with --debug for the traceback, and report it if it is a bug.")
        return 1
    if result == EXIT_INTERRUPTED:  # typer returns 130 for a Ctrl-C that no command turned into `Cancelled`
        return _stopped(err, STARTING)
    return result if isinstance(result, int) else 0


def _interrupted(exc: BaseException) -> bool:
    """A Ctrl-C that Python wrapped on its way out: a `KeyboardInterrupt` raised while a class is being made
    (a spec model imported on first use) comes out as `RuntimeError: Error calling __set_name__`, caused by it."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def _not_aws(exc: Exception, argv: list[str]) -> BootstrapError | None:
    """botocore's `ResponseParserError` (not a `BotoCoreError`): an endpoint answered, but not as AWS does.
    Checked here, after the fact, so that start-up never imports botocore's parsers."""
    parsers = sys.modules.get("botocore.parsers")
    if parsers is None or not isinstance(exc, parsers.ResponseParserError):
        return None
    from bootstrap.aws.not_aws import not_aws_error

    flag = next((i for i, arg in enumerate(argv) if arg.split("=", 1)[0] == "--endpoint-url"), None)
    if flag is not None:
        arg = argv[flag]
        url = arg.split("=", 1)[1] if "=" in arg else (argv[flag + 1] if flag + 1 < len(argv) else None)
        return not_aws_error(exc, endpoint_url=url, flag="--endpoint-url")
    env = os.environ.get("AWS_ENDPOINT_URL") or None
    return not_aws_error(exc, endpoint_url=env, flag="AWS_ENDPOINT_URL" if env else None)


def _stopped(err: Console, message: str) -> int:
    err.print(f"[yellow]Stopped:[/] {escape(message)}")
    return EXIT_INTERRUPTED


def _usage_error(exc: typer.TyperException | click.ClickException, err: Console) -> int:
    show = getattr(exc, "show", None)  # typer's ClickException and click's have it; a bare TyperException not
    if callable(show):
        show()
    else:
        err.print(f"[bold red]Error:[/] {escape(exc.format_message())}")
    return int(exc.exit_code)


def _bootstrap_error(exc: BootstrapError, err: Console, debug: bool) -> int:
    if debug:
        import traceback

        traceback.print_exc()
    label = "[yellow]Stopped:[/]" if isinstance(exc, Cancelled) else "[bold red]Error:[/]"
    err.print(f"{label} {escape(exc.message)}")
    if exc.remediation:
        err.print(f"[bold]Fix:[/] {escape(exc.remediation)}")
    return exc.exit_code


def _aws_error(exc: ClientError | BotoCoreError, err: Console, debug: bool) -> int:
    from bootstrap.cli.errors import explain_aws_error  # only once botocore raised: it imports botocore

    if debug:
        import traceback

        traceback.print_exc()
    message, remedy = explain_aws_error(exc)
    err.print(f"[bold red]Error:[/] {escape(message)}")
    err.print(f"[bold]Fix:[/] {escape(remedy)}")
    return 1
