"""What the CLI boundary says about an AWS error: a refusal needs a change, a server error only a re-run; an
endpoint that answers, but not as AWS does, is named with what to check (one row per way it happens)."""

from __future__ import annotations

import http.server
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from bootstrap.aws.not_aws import not_aws_error
from bootstrap.cli import app
from bootstrap.cli.errors import explain_aws_error
from bootstrap.spec.answers import Answers, render_spec_yaml


def _error(code: str, status: int, operation: str = "ListRoots") -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "it happened"}, "ResponseMetadata": {"HTTPStatusCode": status}},
        operation,
    )


@pytest.mark.parametrize(
    ("code", "status"),
    [("ServiceUnavailable", 503), ("InternalFailure", 500), ("Whatever", 502), ("ServiceUnavailableException", 400)],
)
def test_a_server_error_is_not_a_refusal_and_says_to_run_again(code: str, status: int) -> None:
    message, remedy = explain_aws_error(_error(code, status))
    assert "refused" not in message
    assert message.startswith("AWS failed ListRoots on its side")
    assert "run the command again" in remedy


def test_a_refusal_is_named_as_one() -> None:
    message, remedy = explain_aws_error(_error("AccessDeniedException", 400))
    assert message.startswith("AWS refused ListRoots: AccessDeniedException")
    assert "permission" in remedy


STS_ANSWER = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
    b"<Arn>arn:aws:iam::123456789012:user/me</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>"
    b"</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>"
    b"</GetCallerIdentityResponse>"
)


@dataclass(frozen=True)
class Garbage:
    """A command line (`{url}`: the endpoint, `{dir}`: the test's folder), what the endpoint answers every
    request with (HTTP 200), whether it answers the first call (sts:GetCallerIdentity) as AWS would, and what
    the user must read: the call, the place the endpoint came from, and the fix."""

    argv: str
    body: bytes
    says: tuple[str, ...]
    fix: tuple[str, ...]
    answers_sts: bool = False
    env: tuple[tuple[str, str], ...] = ()


GARBAGE = {
    "plain text to the first call, from --endpoint-url": Garbage(
        "plan --spec {dir}/lz.yaml --endpoint-url {url}",
        b"hello, this is not AWS",
        ("answered sts:GetCallerIdentity with something that is not an AWS response", "'hello, this is not AWS'"),
        ("Check --endpoint-url", "bootstrap sandbox"),
    ),
    "an HTML page (well-formed XML) to the first call, from AWS_ENDPOINT_URL": Garbage(
        "status --spec {dir}/lz.yaml",
        b"<html><body>Sign in to this Wi-Fi</body></html>",
        ("answered sts:GetCallerIdentity", "not an AWS response", "text/html"),
        ("Check AWS_ENDPOINT_URL",),
        env=(("AWS_ENDPOINT_URL", "{url}"),),
    ),
    "init asking for the caller": Garbage(
        "init --defaults --spec {dir}/out.yaml --endpoint-url {url}",
        b"<a>",
        ("answered sts:GetCallerIdentity with something that is not an AWS response",),
        ("Check --endpoint-url",),
    ),
    "plain text to a JSON-protocol call after the first one": Garbage(
        "plan --spec {dir}/lz.yaml --endpoint-url {url}",
        b"Bad Gateway",
        ("answered organizations:DescribeOrganization with something that is not an AWS response",),
        ("Check --endpoint-url",),
        answers_sts=True,
    ),
    "a per-service endpoint variable": Garbage(
        "plan --spec {dir}/lz.yaml",
        b"<html>proxy error</html>",
        ("answered organizations:DescribeOrganization",),
        ("Check AWS_ENDPOINT_URL_ORGANIZATIONS",),
        answers_sts=True,
        env=(("AWS_ENDPOINT_URL", "{url}"), ("AWS_ENDPOINT_URL_ORGANIZATIONS", "{url}")),
    ),
}


def _garbage_server(body: bytes, content_type: str, answers_sts: bool) -> http.server.ThreadingHTTPServer:
    class Answer(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            request = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            out = STS_ANSWER if answers_sts and b"Action=GetCallerIdentity" in request else body
            self.send_response(200)
            self.send_header("Content-Type", "text/xml" if out is STS_ANSWER else content_type)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer

        def log_message(self, format: str, *args: object) -> None:
            del format, args

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize("case", list(GARBAGE.values()), ids=list(GARBAGE))
def test_an_endpoint_answering_garbage_is_named_with_what_to_check(
    case: Garbage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    content_type = "text/html" if case.body.startswith(b"<html") else "text/plain"
    server = _garbage_server(case.body, content_type, case.answers_sts)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    (tmp_path / "lz.yaml").write_text(render_spec_yaml(Answers(management_account_id="123456789012")), "utf-8")
    for name, value in case.env:
        monkeypatch.setenv(name, value.replace("{url}", url))
    try:
        code = app.run([arg.replace("{url}", url).replace("{dir}", str(tmp_path)) for arg in case.argv.split()])
    finally:
        server.shutdown()
        server.server_close()
    output = capsys.readouterr().err
    assert code == 1, output
    message, _, fix = output.partition("Fix:")
    assert f"the endpoint {url} answered" in message, output
    for words in case.says:
        assert words in message, output
    for words in case.fix:
        assert words in fix, output
    assert "Unexpected error" not in output and "Traceback" not in output


def test_a_parser_error_from_botocore_itself_is_explained_without_its_jargon() -> None:
    """A `ResponseParserError` raised by botocore's own parser (no hook saw it), as the CLI boundary gets it."""
    raw = ResponseParserError(
        "Unable to parse response (syntax error: line 1, column 0), invalid XML received. "
        "Further retries may succeed:\nb'hello'"
    )
    error = not_aws_error(raw, endpoint_url=None)
    assert error.message.startswith("AWS's endpoint answered an AWS call with something that is not an AWS response")
    assert "It began: b'hello'" in error.message and "retries" not in error.message
    assert "HTTPS_PROXY" in error.remediation and "captive portal" in error.remediation


def test_a_proxy_is_named_without_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://alice:s3cret@proxy.example.com:3128")
    error = not_aws_error("invalid XML", endpoint_url=None)
    assert "HTTPS_PROXY=http://proxy.example.com:3128" in error.remediation
    assert "s3cret" not in error.remediation and "alice" not in error.remediation
