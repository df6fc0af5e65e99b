"""Commands that work on the spec alone (no AWS call, except `init` asking who the caller is).

`validate` is what an editor or a pre-commit hook runs on every save, so it must start at once: what only
`init`, `schema` or `render` need (jinja2 and the answers, boto3, the renderers) is imported in them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from bootstrap.cli.interrupts import interruptible, on_interrupt
from bootstrap.cli.options import DEFAULT_SPEC, GlobalOptions, SpecOption, read_spec
from bootstrap.console import make_consoles
from bootstrap.errors import InputError

if TYPE_CHECKING:
    from bootstrap.guardrails.packing import PackedPolicy
    from bootstrap.spec.answers import Answers
    from bootstrap.spec.model import LandingZoneSpec
    from bootstrap.spec.yamlread import Document


def register(app: typer.Typer) -> None:
    app.command()(interruptible("init interrupted", "no spec was written, unless a “Wrote” line says so above")(init))
    app.command()(interruptible("validate interrupted", "it only reads the spec; nothing was written")(validate))
    app.command()(interruptible("schema interrupted", "nothing was written")(schema))
    app.command()(interruptible("render interrupted", "some artifacts may have been written", RERENDER)(render))


RERENDER = "Run `bootstrap render` again: it rewrites every artifact, byte-identical."


def caller_account_id(options: GlobalOptions) -> str | None:
    """The caller's account id if credentials are at hand, else None (never an error: it is a default)."""
    identity = caller_identity(options)
    return identity[0] if identity else None


def caller_identity(options: GlobalOptions) -> tuple[str, str] | None:
    """(account id, ARN) of the caller if credentials are at hand, else None. Asked once per run."""
    key = id(options)  # the options of one command live as long as it runs
    if key not in _IDENTITY:
        _IDENTITY[key] = _ask_identity(options)
    return _IDENTITY[key]


_IDENTITY: dict[int, tuple[str, str] | None] = {}


def _ask_identity(options: GlobalOptions) -> tuple[str, str] | None:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    from bootstrap.aws.not_aws import ResponseParserError, check_answer, not_aws_error

    target = options.target()  # a malformed AWS_ENDPOINT_URL or an unknown AWS_PROFILE is refused first
    try:
        session = boto3.Session(profile_name=options.profile, region_name=options.region or "us-east-1")
        session.events.register("before-parse", check_answer)
        sts = session.client(
            "sts",
            endpoint_url=target.endpoint,
            config=Config(retries={"max_attempts": 1}, connect_timeout=3, read_timeout=5),
        )
        identity = sts.get_caller_identity()
        return str(identity["Account"]), str(identity["Arn"])
    except (BotoCoreError, ClientError):
        return None
    except ResponseParserError as err:  # the endpoint answered, but not as AWS does (see not_aws)
        raise not_aws_error(
            err, endpoint_url=target.endpoint, call="sts:GetCallerIdentity", flag=target.endpoint_source
        ) from None


def _with_operator(answers: Answers, options: GlobalOptions) -> Answers:
    """The principal running `init` becomes the first operator, when it is of the management account."""
    from bootstrap.spec.roles import principal_pattern

    if answers.operators:
        return answers
    identity = caller_identity(options)
    principal = principal_pattern(identity[1]) if identity else None
    if identity is None or principal is None or identity[0] != answers.management_account_id:
        return answers
    return answers.model_copy(update={"operators": [principal]})


def _answers_from_file(path: Path) -> tuple[dict[str, object], Document]:
    from bootstrap.spec.load import load_answers_data

    data, doc = load_answers_data(path)
    return dict(data), doc


def _answers(data: dict[str, object], source: str, doc: Document | None = None) -> Answers:
    from pydantic import ValidationError

    from bootstrap.spec.answers import Answers
    from bootstrap.spec.messages import validation_error
    from bootstrap.spec.yamlread import Document

    try:
        return Answers.model_validate(data)
    except ValidationError as err:
        raise validation_error(err, doc or Document(data), source, Answers) from None


def _placeholder_id(data: dict[str, object]) -> str:
    """A management account id to check answers with before asking AWS for the real one: the account of
    the first operator if there is one (operators must belong to it), else zeros."""
    from bootstrap.spec import values

    operators = data.get("operators")
    first = operators[0] if isinstance(operators, list) and operators else None
    if isinstance(first, str) and first.count(":") >= 5 and values.ACCOUNT_ID.fullmatch(first.split(":")[4]):
        return first.split(":")[4]
    return "000000000000"


def _check_whole_spec(answers: Answers, spec: Path, source: str) -> None:
    """The spec these answers make must validate before any AWS call: `init` never writes a spec that
    `validate` would reject, and bad input never costs a call."""
    from bootstrap.spec.answers import render_spec_yaml
    from bootstrap.spec.load import parse_spec

    parse_spec(render_spec_yaml(answers), f"{spec} (made from {source})")


def init(
    ctx: typer.Context,
    spec: SpecOption = DEFAULT_SPEC,
    defaults: Annotated[bool, typer.Option("--defaults", help="Answer every question with its default.")] = False,
    answers: Annotated[Path | None, typer.Option(help="Read the answers from a YAML/JSON file.")] = None,
    management_account_id: Annotated[
        str | None, typer.Option(help="Management account id (default: the caller's account).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing spec without asking.")] = False,
) -> None:
    """Ask the questions that matter and write a commented landing-zone.yaml."""
    from bootstrap.spec import values
    from bootstrap.spec.flags import check_output_file

    options: GlobalOptions = ctx.obj
    check_output_file(spec, "--spec")
    if management_account_id is not None:
        try:
            management_account_id = values.account_id(management_account_id.strip())
        except ValueError as err:
            raise InputError(
                f"--management-account-id: {err}",
                "Pass the 12-digit id of the management account, for example --management-account-id 123456789012.",
            ) from None
    out, _ = make_consoles()
    with on_interrupt("init interrupted", "no spec was written"):
        text = _spec_text(
            options, spec, defaults=defaults, answers=answers, management_account_id=management_account_id, force=force
        )
    if text is None:
        out.print("Left the existing spec as it is.")
        return
    from bootstrap.spec.load import parse_spec

    checked = parse_spec(text, str(spec))  # never write a spec that validate would reject
    from bootstrap.render.atomic import atomic_write

    atomic_write(spec, text)
    out.print(f"Wrote {escape(str(spec))}: {_describe(checked)}.")
    from bootstrap.spec.network_checks import unplaced_vpcs

    for note in unplaced_vpcs(checked):  # the Workloads VPC waits for a workload account: say how to add one
        out.print(f"[yellow]Note:[/] {escape(note)}")
    out.print(escape(next_steps(spec)))


def answers_file(spec: Path) -> Path:
    """Where the wizard keeps the answers when it cannot finish: beside the spec."""
    return spec.with_name(f"{spec.stem}.answers.yaml")


def next_steps(spec: Path) -> str:
    """What to run after `init`: the README's steps (validate, render and review, plan to a file, apply it)."""
    flag = "" if spec == DEFAULT_SPEC else f" --spec {spec}"
    return (
        f"Next: review it, then `bootstrap validate{flag}`, `bootstrap render{flag} -o out` (review out/), "
        f"`bootstrap plan{flag} --out plan.json` and `bootstrap apply{flag} plan.json`."
    )


def _spec_text(
    options: GlobalOptions,
    spec: Path,
    *,
    defaults: bool,
    answers: Path | None,
    management_account_id: str | None,
    force: bool,
) -> str | None:
    """The spec `init` writes, from the answers (asked, defaulted or read); None to keep the existing one."""
    interactive = not defaults and answers is None
    if interactive and not sys.stdin.isatty():
        raise InputError(
            "init asks questions, but there is no terminal to ask them on",
            "Run it in a terminal, or pass --defaults or --answers FILE.",
        )
    if spec.exists() and not force:
        if not interactive:
            raise InputError(f"{spec} already exists; not overwriting it", "Pass --force to replace it.")
        import questionary

        if not questionary.confirm(f"{spec} exists. Overwrite it?", default=False).ask():
            return None
    if answers is not None:
        data, doc = _answers_from_file(answers)
        # Check every answer, and the spec they make, before asking AWS anything: bad input never costs a call.
        if management_account_id is not None and "management_account_id" not in data:
            data["management_account_id"] = management_account_id
        checked = _answers({"management_account_id": _placeholder_id(data), **data}, str(answers), doc)
        _check_whole_spec(checked, spec, str(answers))
        default_account = management_account_id or (
            None if "management_account_id" in data else caller_account_id(options)
        )
        if "management_account_id" not in data and default_account:
            data["management_account_id"] = default_account
        result = _answers(data, str(answers), doc)
    elif defaults:
        default_account = management_account_id or caller_account_id(options)
        if not default_account:
            raise InputError(
                "no management account id: no credentials to ask AWS for the caller's account",
                "Pass --management-account-id 123456789012, or configure credentials.",
            )
        result = _answers({"management_account_id": default_account}, "--defaults")
    else:
        from bootstrap.cli.wizard import run_wizard
        from bootstrap.cli.wizard_billing import cost_reader

        costs = cost_reader(options.profile, options.target().endpoint)
        result = run_wizard(management_account_id or caller_account_id(options), answers_file(spec), costs)
    from bootstrap.spec.answers import render_spec_yaml

    return render_spec_yaml(_with_operator(result, options))


def _describe(spec: LandingZoneSpec, policies: list[PackedPolicy] | None = None) -> str:
    """The spec in one line; `policies`: its packed guardrails, when the caller has them already."""
    from bootstrap.guardrails.packing import pack_all

    policies = pack_all(spec) if policies is None else policies
    return (
        f"{len(spec.all_ou_paths())} OUs, {len(spec.accounts)} accounts, "
        f"{len({g for p in policies for g in p.guardrail_ids})} guardrails in {len(policies)} policies"
    )


def validate(spec: SpecOption = DEFAULT_SPEC) -> None:
    """Check the spec (fields, guardrails, SCP packing) without calling AWS."""
    from bootstrap.guardrails.packing import pack_all
    from bootstrap.spec.checks import packing_hint

    out, err = make_consoles()
    checked = read_spec(spec)
    for warning in _warnings(checked):
        err.print(f"[yellow]Warning:[/] {escape(warning)}")
    policies = pack_all(checked)
    out.print(f"[green]✓[/] {escape(str(spec))} is valid: {_describe(checked, policies)}.")
    for policy in policies:
        count = len(policy.guardrail_ids)
        plural = "s" if count != 1 else ""
        size = f"{policy.size:,} of {policy.max_chars:,} characters"
        out.print(f"  {escape(policy.name)}: {count} guardrail{plural}, {size}")
    hint = packing_hint(checked, policies)
    if hint:
        out.print(f"[dim]{escape(hint)}[/]")


def _warnings(spec: LandingZoneSpec) -> list[str]:
    from bootstrap.spec import log_archive
    from bootstrap.spec.checks import root_warnings
    from bootstrap.spec.network_checks import network_warnings

    return root_warnings(spec) + log_archive.warnings(spec) + network_warnings(spec)


def schema() -> None:
    """Print the JSON Schema of the spec, for editor autocompletion."""
    from bootstrap.spec.model import LandingZoneSpec

    document = LandingZoneSpec.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "landing-zone.yaml"
    print(json.dumps(document, indent=2, sort_keys=True))


def render(
    spec: SpecOption = DEFAULT_SPEC,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the artifacts to.")] = Path("out"),
) -> None:
    """Write SCP documents, CloudFormation templates and runbooks (byte-identical on re-run)."""
    from bootstrap.render.artifacts import render_artifacts
    from bootstrap.spec.flags import check_output_folder

    out, _ = make_consoles()
    checked = read_spec(spec)
    check_output_folder(output, "--output")
    written = render_artifacts(checked, output)
    by_folder: dict[str, int] = {}
    for path in written:
        folder = path.relative_to(output).parts[0]
        by_folder[folder] = by_folder.get(folder, 0) + 1
    summary = ", ".join(f"{n} {folder}" for folder, n in sorted(by_folder.items()))
    out.print(f"Rendered {len(written)} files to {escape(str(output))}/ ({summary}).")
