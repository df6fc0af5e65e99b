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
from bootstrap.plan.saved import check_plan_matches_spec, plan_from_json
from bootstrap.spec.load import parse_spec
from bootstrap.spec.yamlread import read_yaml
from bootstrap.workflow import spec_digest
from tests.unit.bad_input_table import BASE, CASES, RAW_LIBRARY_WORDS, Case, edit, plan_json


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
    case: Case, tmp_path: Path, aws_calls: Calls, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, case.files)
    for name, value in case.env:
        monkeypatch.setenv(name, value.replace("{dir}", str(tmp_path)))
    started = time.monotonic()
    code, output = run_cli(case.argv, tmp_path, capsys)
    took = time.monotonic() - started
    assert aws_calls.total == 0, f"{aws_calls.total} AWS call(s): {aws_calls.sent}\n{output}"
    assert code == case.code, output
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
    "an anchor and its alias": lambda t: edit(
        "  - path: Sandbox\n",
        "  - path: Sandbox\n    guardrails: *security\n",
        edit("  - path: Security\n    guardrails:\n", "  - path: Security\n    guardrails: &security\n", t),
    ),
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
    saved = plan_from_json(plan_json(), "plan.json")
    checked = parse_spec(BASE)
    check_plan_matches_spec(saved, spec_digest(checked), checked.organization.management_account_id, "plan.json")
    assert json.loads(plan_json())["changes"] == []


def test_the_yaml_reader_keeps_what_yaml_means() -> None:
    """Merge keys, anchors and aliases as PyYAML reads them; keys as written; lines of every field."""
    doc = read_yaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\non: [*b]\n", "f.yaml")
    assert doc.data == {"base": {"x": 1, "y": 2}, "other": {"x": 1, "y": 3}, "on": [{"x": 1, "y": 2}]}
    assert (doc.line(("other", "y")), doc.line(("on",)), doc.line(("other", "x"))) == (4, 5, 2)
