"""Bad input, through the real command line: exit 2, the field and its line, the specific fix, no AWS call.

One row per case, each run by `bootstrap.cli.app.run` (the CLI's entry and error boundary) with
AWS_ENDPOINT_URL pointing at a counting HTTP server on 127.0.0.1 and botocore's HTTP sender counted as
well: every row asserts that neither saw a single request. `test_the_counters_see_a_real_call` proves
the counters do see a command that calls AWS.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bootstrap.cli import app
from bootstrap.plan.model import Plan
from bootstrap.plan.saved import check_plan_matches_spec, plan_from_json, plan_to_json
from bootstrap.spec.load import parse_spec
from bootstrap.workflow import spec_digest

BASE = """\
version: 1
organization:
  name: acme
  management_account_id: "123456789012"
  home_region: us-east-1
  allowed_regions:
    - us-east-1
    - eu-west-1
account_email_pattern: "aws+{name}@example.com"
organizational_units:
  - path: Security
    guardrails:
      - deny-leave-organization
      - deny-root-user
  - path: Workloads/Prod
    guardrails:
      - deny-regions-outside-allowed
  - path: Sandbox
accounts:
  - name: log-archive
    ou: Security
  - name: audit
    ou: Security
"""

FULL_WIDTH_ID = "".join(chr(0xFF10 + int(d)) for d in "123456789012")
"""123456789012 in full-width digits: `\\d` and `str.isdigit` accept them, AWS does not."""

RAW_LIBRARY_WORDS = ("Input should", "Value error", "Fix the field named above", "Unexpected error", "Traceback")


def edit(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def with_logging(body: str) -> str:
    return BASE + "logging:\n" + body


def bucket(name: str) -> str:
    return with_logging(f"  bucket_name: {name}\n")


def nested_ous(count: int) -> str:
    paths = "".join(f"  - path: Team{i:04d}\n" for i in range(count))
    return edit("  - path: Sandbox\n", "  - path: Sandbox\n" + paths)


ALIAS_BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


@dataclass(frozen=True)
class Case:
    """A command line (`{dir}` is the test's folder), the files it reads, and what the user must see."""

    argv: str
    files: dict[str, str | bytes]
    where: str
    says: tuple[str, ...]
    fix: tuple[str, ...] = ()
    code: int = 2


def spec(text: str | bytes, where: str, says: tuple[str, ...], fix: tuple[str, ...] = ()) -> Case:
    return Case("validate --spec {dir}/lz.yaml", {"lz.yaml": text}, where, says, fix)


def saved_plan(text: str | bytes, where: str, says: tuple[str, ...]) -> Case:
    return Case(
        "apply {dir}/plan.json --spec {dir}/lz.yaml",
        {"lz.yaml": BASE, "plan.json": text},
        where,
        says,
        ("bootstrap plan --out FILE",),
    )


def _plan_json(**fields: str) -> str:
    values = {"spec_digest": spec_digest(parse_spec(BASE)), "management_account_id": "123456789012"} | fields
    return plan_to_json(Plan(changes=(), state_fingerprint="f", **values))


ANSWERS_ACCOUNTS = "accounts:\n" + "".join(
    f"  - name: {name}\n    ou: Security\n" for name in ("log-archive", "audit", "a" * 50)
)

CASES: dict[str, Case] = {
    # Accepted specs that AWS rejects at apply time.
    "e-mail over 64 characters once the pattern is filled in": spec(
        edit("aws+{name}@example.com", "aws+{name}@a-very-long-domain-name-for-all-the-mail.example.com"),
        "lz.yaml:20: accounts[0].name:",
        ("is 68 characters; AWS accepts account e-mails of 6-64",),
        ("Shorten account_email_pattern or the account name",),
    ),
    "e-mail with a non-ASCII letter": spec(
        edit("aws+{name}@example.com", "aws+{name}@exämple.com"),
        "lz.yaml:9: account_email_pattern:",
        ("outside 7-bit ASCII",),
        ("6-64 ASCII characters",),
    ),
    "e-mail with a character CreateAccount forbids": spec(
        edit("  - name: audit\n    ou: Security\n", "  - name: audit\n    ou: Security\n    email: a(b@example.com\n"),
        "lz.yaml:24: accounts[1].email:",
        ("AWS forbids '(' before the '@'",),
        ("none of space",),
    ),
    "account id in full-width digits": spec(
        edit('"123456789012"', f'"{FULL_WIDTH_ID}"'),
        "lz.yaml:4: organization.management_account_id:",
        ("digits that are not ASCII 0-9",),
        ("12 ASCII digits in quotes",),
    ),
    "account id in Arabic-Indic digits": spec(
        edit("    ou: Security\n  - name: audit", '    ou: Security\n    id: "١٢٣٤٥٦٧٨٩٠١١"\n  - name: audit'),
        "lz.yaml:22: accounts[0].id:",
        ("digits that are not ASCII 0-9",),
        ("12 ASCII digits in quotes",),
    ),
    "role name with a non-ASCII letter": spec(
        edit("  home_region: us-east-1\n", "  home_region: us-east-1\n  bootstrap_role: Bootströp\n"),
        "lz.yaml:6: organization.bootstrap_role:",
        ("not an IAM role name",),
        ("at most 64 ASCII letters",),
    ),
    "role name of 65 characters": spec(
        edit("  home_region: us-east-1\n", "  home_region: us-east-1\n  break_glass_role: " + "R" * 65 + "\n"),
        "lz.yaml:6: organization.break_glass_role:",
        ("is 65 characters; IAM role names are at most 64",),
        ("at most 64 ASCII letters",),
    ),
    "bucket name in IP-address form": spec(
        bucket("192.168.1.10"), "lz.yaml:25: logging.bucket_name:", ("formatted as an IP address",), ("no IP-address",)
    ),
    "bucket name with prefix xn--": spec(bucket("xn--logs"), "lz.yaml:25: logging.bucket_name:", ("'xn--'",)),
    "bucket name with prefix sthree-": spec(bucket("sthree-logs"), "lz.yaml:25: logging.bucket_name:", ("'sthree-'",)),
    "bucket name with prefix amzn-s3-demo-": spec(
        bucket("amzn-s3-demo-logs"), "lz.yaml:25: logging.bucket_name:", ("'amzn-s3-demo-', a prefix S3 reserves",)
    ),
    "bucket name with suffix --x-s3": spec(bucket("logs--x-s3"), "lz.yaml:25: logging.bucket_name:", ("'--x-s3'",)),
    "bucket name with suffix -s3alias": spec(
        bucket("logs-s3alias"), "lz.yaml:25: logging.bucket_name:", ("'-s3alias', a suffix S3 reserves",)
    ),
    "bucket name with suffix --ol-s3": spec(bucket("logs--ol-s3"), "lz.yaml:25: logging.bucket_name:", ("'--ol-s3'",)),
    "access-log bucket with two adjacent periods": spec(
        with_logging("  access_log_bucket_name: logs..access\n"),
        "lz.yaml:25: logging.access_log_bucket_name:",
        ("two adjacent periods",),
    ),
    "region of the right shape that does not exist": spec(
        edit("    - eu-west-1\n", "    - eu-west-9\n"),
        "lz.yaml:8: organization.allowed_regions[1]:",
        ("'eu-west-9' is not an AWS region (did you mean eu-west-",),
        ("us-east-1 or eu-west-1",),
    ),
    "two accounts with the same id": spec(
        edit(
            "    ou: Security\n  - name: audit\n    ou: Security\n",
            '    ou: Security\n    id: "111111111111"\n  - name: audit\n    ou: Security\n    id: "111111111111"\n',
        ),
        "lz.yaml:25: accounts[1].id:",
        ("accounts log-archive and audit both have the id 111111111111",),
        ("correct the id of one of them",),
    ),
    "more OUs than an organization may hold": spec(
        nested_ous(1000),
        "lz.yaml:10: organizational_units:",
        ("1004 OUs (parents included); an organization holds at most 1000",),
        ("Use fewer OUs",),
    ),
    "OUs nested six deep": spec(
        edit("Workloads/Prod", "A/B/C/D/E/F"),
        "lz.yaml:15: organizational_units[1].path:",
        ("nests 6 OUs deep; AWS allows at most 5",),
        ("at most 5 levels deep",),
    ),
    # Silently wrong.
    "a duplicate key (the last one would strip the guardrails)": spec(
        edit(
            "  - path: Workloads/Prod\n    guardrails:\n",
            "  - path: Workloads/Prod\n    guardrails: []\n    guardrails:\n",
        ),
        "lz.yaml:17:",
        ("'organizational_units[1].guardrails' appears twice", "first on line 16"),
        ("Keep one 'guardrails:'",),
    ),
    "a duplicate top-level key": spec(
        BASE + "organization: {}\n",
        "lz.yaml:24:",
        ("'organization' appears twice", "first on line 2"),
        ("Keep one 'organization:'",),
    ),
    "true as retention days": spec(
        with_logging("  log_group_retention_days: true\n"),
        "lz.yaml:25: logging.log_group_retention_days:",
        ("YAML reads the unquoted true as the boolean true", "takes a number"),
        ("Write a number for logging.log_group_retention_days",),
    ),
    "no as an account name": spec(
        edit("  - name: audit", "  - name: no"),
        "lz.yaml:22: accounts[1].name:",
        ("YAML reads the unquoted no as the boolean false", "takes text"),
        ('Quote the value exactly as written: name: "no"',),
    ),
    "days written as text": spec(
        with_logging("  object_lock:\n    days: '30'\n"),
        "lz.yaml:26: logging.object_lock.days:",
        ("'30' is text; this field takes a number",),
        ("without quotes",),
    ),
    # Crashes that reached the catch-all.
    "a file that is not UTF-8": spec(
        BASE.replace("name: acme", "name: acm\xe9").encode("latin-1"),
        "lz.yaml:3:",
        ("not UTF-8 text (byte 0xe9 on line 3)",),
        ("Save the file as UTF-8",),
    ),
    "a 5,000-digit integer": spec(
        with_logging("  log_group_retention_days: " + "9" * 5000 + "\n"),
        "lz.yaml:25: logging.log_group_retention_days:",
        ("a number of 5,000 digits",),
        ("No field of the spec takes a number this long",),
    ),
    "deeply nested flow collections": spec(
        BASE + "x: " + "[" * 5000 + "]" * 5000 + "\n",
        "lz.yaml:24:",
        ("nested more than 64 levels deep",),
        ("brackets",),
    ),
    "an alias bomb": spec(
        ALIAS_BOMB, "lz.yaml:6:", ("aliases (*name) expand to more than 500,000 values",), ("fewer nested aliases",)
    ),
    "a saved plan that is a JSON list": saved_plan("[]\n", "plan.json:", ("not a plan file",)),
    "a saved plan whose changes are not a list": saved_plan(
        _plan_json().replace('"changes": []', '"changes": "all"'),
        "plan.json:",
        ("'changes' is missing or of the wrong kind",),
    ),
    "a saved plan whose labels are a list": saved_plan(
        _plan_json().replace('"labels": {}', '"labels": []'), "plan.json:", ("'labels' is of the wrong kind",)
    ),
    "a saved plan that is not JSON": saved_plan("plan: yes\n", "plan.json:", ("not JSON: line 1",)),
    "a saved plan that is not UTF-8": saved_plan(b"\xff\xfe{}", "plan.json:", ("not UTF-8",)),
    "an unknown flag": Case("validate --nope", {}, "", ("No such option: --nope",)),
    "an unknown command": Case("valdate", {}, "", ("No such command 'valdate'",)),
    "a flag without its value": Case("validate --spec", {}, "", ("Option '--spec' requires an argument",)),
    "an extra argument": Case("validate extra", {}, "", ("unexpected extra argument",)),
    "a spec that is a folder": Case(
        "validate --spec {dir}", {}, "", ("is a folder, not a spec file",), ("Pass the path",)
    ),
    "a spec that does not exist": Case(
        "validate --spec {dir}/none.yaml", {}, "", ("no such spec file",), ("bootstrap init",)
    ),
    "no arguments at all": Case("", {}, "", ("Usage: bootstrap",)),
    # An AWS call before the input is refused.
    "init --answers whose spec would be refused": Case(
        "init --answers {dir}/answers.yaml --spec {dir}/out.yaml",
        {"answers.yaml": ANSWERS_ACCOUNTS},
        "accounts[2].name:",
        ("AWS accepts account e-mails of 6-64",),
        ("Shorten account_email_pattern or the account name",),
    ),
    "apply of a plan made from another spec": saved_plan(
        _plan_json(spec_digest="0" * 64), "plan.json:", ("made from another version of the spec",)
    ),
    "apply of a plan made for another management account": saved_plan(
        _plan_json(management_account_id="210987654321"), "plan.json:", ("management account 210987654321",)
    ),
    "plan --out into a folder that does not exist": Case(
        "plan --spec {dir}/lz.yaml --out {dir}/missing/plan.json",
        {"lz.yaml": BASE},
        "--out",
        ("missing does not exist",),
        ("Create the folder first",),
    ),
    # Wrong exit code or wrong fix.
    "render -o onto a file": Case(
        "render --spec {dir}/lz.yaml -o {dir}/lz.yaml",
        {"lz.yaml": BASE},
        "--output",
        ("is a file, not a folder",),
        ("folder you can write to",),
    ),
    "a --region that does not exist": Case(
        "--region us-east-7 plan --spec {dir}/lz.yaml",
        {"lz.yaml": BASE},
        "--region:",
        ("not an AWS region",),
        ("region code such as us-east-1",),
    ),
    "an --endpoint-url that is not a URL": Case(
        "plan --spec {dir}/lz.yaml --endpoint-url localhost:5000",
        {"lz.yaml": BASE},
        "--endpoint-url:",
        ("not an http:// or https:// URL",),
        ("http://127.0.0.1:5000",),
    ),
    "an --endpoint-url with a bad port": Case(
        "--endpoint-url http://127.0.0.1:99999 status --spec {dir}/lz.yaml",
        {"lz.yaml": BASE},
        "--endpoint-url:",
        ("not a URL",),
        ("full URL",),
    ),
    # Wrong place.
    "an unquoted octal-looking account id": spec(
        edit('"123456789012"', "012345670123"),
        "lz.yaml:4: organization.management_account_id:",
        ("YAML reads the unquoted 012345670123 as the octal number 1402433619",),
        ('management_account_id: "012345670123"',),
    ),
    "reserved_attachments leaving no slot": spec(
        edit(
            "  home_region: us-east-1\n",
            "  home_region: us-east-1\n  policy_limits:\n    scps_per_target: 2\n    reserved_attachments: 6\n",
        ),
        "lz.yaml:8: organization.policy_limits.reserved_attachments:",
        ("reserved_attachments is 6, which leaves none of the 2 SCP slots",),
        ("below scps_per_target",),
    ),
    "an unclosed quote": spec(
        edit("  name: acme\n", '  name: "acme\n'),
        "lz.yaml:3:",
        ("a quoted value starts on line 3 and its closing quote is missing",),
        ("Close the quote",),
    ),
    "a NUL byte": spec(
        edit("  name: acme\n", "  name: ac\x00me\n"), "lz.yaml:3:", ("a NUL byte",), ("Remove it from line 3",)
    ),
    "a tab used for indentation": spec(
        edit("  name: acme\n", "\tname: acme\n"), "lz.yaml:3:", ("a tab character",), ("Replace the tabs",)
    ),
    # Answers files.
    "an answers file with a misspelt key": Case(
        "init --answers {dir}/answers.yaml --spec {dir}/out.yaml --management-account-id 123456789012",
        {"answers.yaml": "home_region: us-east-1\norganisation_name: acme\n"},
        "answers.yaml:2: organisation_name:",
        ("did you mean 'organization_name'?",),
        ("Rename 'organisation_name' to 'organization_name'",),
    ),
    "an answers file with a bad region": Case(
        "init --answers {dir}/answers.yaml --spec {dir}/out.yaml",
        {"answers.yaml": "organization_name: acme\nhome_region: eu-wset-1\n"},
        "answers.yaml:2: home_region:",
        ("'eu-wset-1' is not an AWS region (did you mean eu-west-1?)",),
        ("us-east-1 or eu-west-1",),
    ),
    "a bad --management-account-id": Case(
        "init --defaults --spec {dir}/out.yaml --management-account-id 12345",
        {},
        "--management-account-id:",
        ("not a 12-digit account id (5 digits)",),
        ("12-digit id",),
    ),
    # Generic fixes and library words.
    "a spec version this toolkit does not read": spec(
        edit("version: 1", "version: 2"), "lz.yaml:1: version:", ("version 2 is not a spec version",), ("version: 1",)
    ),
    "a list where a mapping is expected": spec(
        with_logging("  object_lock: [on]\n"),
        "lz.yaml:25: logging.object_lock:",
        ("takes a mapping of fields, not a list",),
        ("indented below it",),
    ),
}


class _Counter(http.server.BaseHTTPRequestHandler):
    hits = 0

    def _answer(self) -> None:
        type(self).hits += 1
        body = b'{"__type":"AccessDeniedException","message":"counting endpoint"}'
        self.send_response(403)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer

    def log_message(self, format: str, *args: object) -> None:
        del format, args


@dataclass
class Calls:
    endpoint: type[_Counter]
    sent: list[str]

    @property
    def total(self) -> int:
        return self.endpoint.hits + len(self.sent)


@pytest.fixture
def aws_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[Calls]:
    """AWS_ENDPOINT_URL at a counting server on 127.0.0.1, and botocore's HTTP sender counted too."""
    import botocore.httpsession

    handler = type("Counter", (_Counter,), {"hits": 0})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sent: list[str] = []
    original = botocore.httpsession.URLLib3Session.send

    def counting_send(self: botocore.httpsession.URLLib3Session, request: object) -> object:
        sent.append(str(getattr(request, "url", "")))
        return original(self, request)  # type: ignore[arg-type]

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", counting_send)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    try:
        yield Calls(handler, sent)
    finally:
        server.shutdown()
        server.server_close()


def run_cli(argv: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    args = [part.replace("{dir}", str(folder)) for part in argv.split()]
    code = app.run(args)
    captured = capsys.readouterr()
    return code, captured.err + captured.out


def _write(folder: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_bad_input_exits_2_naming_field_and_fix_without_calling_aws(
    case: Case, tmp_path: Path, aws_calls: Calls, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, case.files)
    started = time.monotonic()
    code, output = run_cli(case.argv, tmp_path, capsys)
    took = time.monotonic() - started
    assert code == case.code, output
    assert aws_calls.total == 0, f"{aws_calls.total} AWS call(s): {aws_calls.sent}"
    assert case.where in output.replace(str(tmp_path) + "/", ""), output
    for words in case.says:
        assert words in output, output
    fix = output.split("Fix:", 1)[1] if "Fix:" in output else ""
    for words in case.fix:
        assert words in fix, output
    for words in RAW_LIBRARY_WORDS:
        assert words not in output, output
    assert took < 5, f"took {took:.1f}s"


def test_the_counters_see_a_real_call(tmp_path: Path, aws_calls: Calls, capsys: pytest.CaptureFixture[str]) -> None:
    """The same harness with good input does reach the endpoint, so zero above means zero."""
    _write(tmp_path, {"lz.yaml": BASE})
    code, output = run_cli("plan --spec {dir}/lz.yaml", tmp_path, capsys)
    assert code == 1, output
    assert aws_calls.endpoint.hits >= 1 and len(aws_calls.sent) >= 1


GOOD: dict[str, Callable[[str], str]] = {
    "an account id written as the console shows it": lambda t: edit('"123456789012"', '"1234-5678-9012"', t),
    "a region newer than the common list": lambda t: edit("    - eu-west-1\n", "    - mx-central-1\n", t),
    "a merge key": lambda t: (
        t + "logging:\n  object_lock: &lock\n    days: 30\n  data_events:\n    <<: {s3_objects: true}\n"
    ),
}


@pytest.mark.parametrize("change", list(GOOD.values()), ids=list(GOOD))
def test_good_input_still_validates(
    change: Callable[[str], str], tmp_path: Path, aws_calls: Calls, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, {"lz.yaml": change(BASE)})
    code, output = run_cli("validate --spec {dir}/lz.yaml", tmp_path, capsys)
    assert code == 0, output
    assert aws_calls.total == 0


def test_grouped_account_id_is_normalised() -> None:
    spec = parse_spec(edit('"123456789012"', '"1234-5678-9012"'))
    assert spec.organization.management_account_id == "123456789012"


def test_a_guardrail_repeated_on_a_child_ou_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = edit(
        "  - path: Workloads/Prod\n    guardrails:\n",
        "  - path: Workloads\n    guardrails:\n      - deny-root-user\n  - path: Workloads/Prod\n    guardrails:\n"
        "      - deny-root-user\n",
    )
    _write(tmp_path, {"lz.yaml": text})
    code, output = run_cli("validate --spec {dir}/lz.yaml", tmp_path, capsys)
    assert code == 0
    assert (
        "organizational_units[2].guardrails[0]: deny-root-user is already attached to OU Workloads, which "
        "Workloads/Prod inherits; repeating it wastes one of the OU's SCP attachment slots" in output
    )


def test_a_10_mb_spec_is_refused_in_moments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    accounts = "".join(f"  - name: acct-{i:06d}\n    ou: Workloads/Prod\n" for i in range(230_000))
    _write(tmp_path, {"lz.yaml": BASE + accounts})
    size = (tmp_path / "lz.yaml").stat().st_size
    assert size > 10_000_000
    started = time.monotonic()
    code, output = run_cli("validate --spec {dir}/lz.yaml", tmp_path, capsys)
    assert code == 2
    assert f"the file is {size / 1024 / 1024:.1f} MB; a spec may be at most 2 MB" in output
    assert time.monotonic() - started < 2


def test_the_saved_plan_rows_start_from_a_plan_apply_accepts() -> None:
    """So each saved-plan row tests only its own edit."""
    saved = plan_from_json(_plan_json(), "plan.json")
    checked = parse_spec(BASE)
    check_plan_matches_spec(saved, spec_digest(checked), checked.organization.management_account_id, "plan.json")
    assert json.loads(_plan_json())["changes"] == []
