"""An endpoint that answers, but not as AWS does: what to tell the user instead of a parser's traceback.

botocore raises `botocore.parsers.ResponseParserError` (a plain `Exception`, not a `BotoCoreError`; there is no
`botocore.exceptions.ResponseParserError`) when an XML body does not parse, its query parser raises `KeyError`
on well-formed XML of another shape (an HTML page), and its JSON parser takes any body that is not JSON for an
empty answer, so the toolkit then failed on a missing key. `check_answer`, a `before-parse` hook on every
client of `Sessions`, refuses a successful answer whose body cannot be the protocol's (a JSON protocol's must be
a JSON object; an XML protocol's must be XML, and a query protocol's must name the operation) with
`NotAwsResponse`, before any parser sees it.

Each means the other end is neither AWS nor the sandbox: `--endpoint-url` / `AWS_ENDPOINT_URL` (or a
per-service `AWS_ENDPOINT_URL_<SERVICE>`) points at another server, or a proxy or captive portal answers in
AWS's place. `not_aws_error` names the endpoint the calls went to and what to check.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from botocore.parsers import ResponseParserError

from bootstrap.errors import AwsError

__all__ = ["NotAwsResponse", "ResponseParserError", "check_answer", "not_aws_error"]

DETAIL_CHARS = 160
"""How much of the parser's message (which quotes the body) the user sees."""
EXCERPT_CHARS = 40
_PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")
_FIRST_BYTE = {"json": b"{", "rest-json": b"{", "query": b"<", "ec2": b"<", "rest-xml": b"<"}
"""What a successful answer's body starts with, by protocol (after white space); others are not checked."""
_NAMES_OPERATION = frozenset({"query", "ec2"})
"""Protocols whose answer's root element is `<OperationResponse>`."""
_HEAD = 1024


class NotAwsResponse(ResponseParserError):
    """A successful HTTP answer whose body cannot be the protocol's: the endpoint is not AWS."""

    def __init__(self, call: str, service_env: str, detail: str) -> None:
        super().__init__(detail)
        self.call = call
        self.service_env = service_env
        """The environment variable that overrides this service's endpoint alone (AWS_ENDPOINT_URL_<SERVICE>)."""


def check_answer(operation_model: Any = None, response_dict: Any = None, **_: Any) -> None:
    """botocore `before-parse` hook: raise `NotAwsResponse` for a 2xx body that is not the protocol's."""
    if operation_model is None or not isinstance(response_dict, dict):
        return
    status = response_dict.get("status_code", 0)
    body = response_dict.get("body")
    protocol = operation_model.metadata.get("protocol")
    expected = _FIRST_BYTE.get(protocol)
    if expected is None or not 200 <= status < 300 or not isinstance(body, bytes):
        return
    output = operation_model.output_shape
    if output is None or output.serialization.get("payload"):
        return  # nothing to read (moto answers such calls with `null`), or a payload that may be anything
    head = body[:_HEAD].lstrip()
    if not head:
        return
    if head[:1] == expected and (
        protocol not in _NAMES_OPERATION or f"{operation_model.name}Response".encode() in head
    ):
        return
    service = operation_model.service_model
    content_type = response_dict.get("headers", {}).get("content-type") or "no content type"
    excerpt = head[:EXCERPT_CHARS].decode("utf-8", errors="replace")
    raise NotAwsResponse(
        f"{service.service_name}:{operation_model.name}",
        "AWS_ENDPOINT_URL_" + service.service_id.replace(" ", "_").upper(),
        f"HTTP {status} ({content_type}) starting {excerpt!r}",
    )


def not_aws_error(
    detail: BaseException | str, *, endpoint_url: str | None, call: str = "an AWS call", flag: str | None = None
) -> AwsError:
    """The error for an unreadable answer to `call`. `endpoint_url` is the override in effect (None: AWS's
    public endpoints); `flag` says where it came from (`--endpoint-url` or `AWS_ENDPOINT_URL`), if known."""
    if isinstance(detail, NotAwsResponse):
        call = detail.call
        service_url = os.environ.get(detail.service_env)
        if service_url and flag != "--endpoint-url":  # the flag wins over botocore's per-service variable
            endpoint_url, flag = service_url, detail.service_env
    text = " ".join(str(detail).replace("Further retries may succeed:", "It began:").split())
    if len(text) > DETAIL_CHARS:
        text = text[: DETAIL_CHARS - 1] + "…"
    if isinstance(detail, KeyError):
        text = f"XML without the {text} element AWS sends"
    if endpoint_url:
        where = flag or "--endpoint-url / AWS_ENDPOINT_URL"
        message = f"the endpoint {endpoint_url} answered {call} with something that is not an AWS response: {text}"
        fix = (
            f"Check {where}: it must be an AWS endpoint or a running `bootstrap sandbox` (its URL and port, "
            "http or https), not another web server."
        )
    else:
        message = f"AWS's endpoint answered {call} with something that is not an AWS response: {text}"
        fix = (
            "Something between you and AWS answered in its place: check the proxy settings"
            f"{_proxy_note()} and any captive portal or TLS-inspecting proxy on this network, then run again."
        )
    return AwsError(message, fix)


def _proxy_note() -> str:
    for name in _PROXY_VARIABLES:
        value = os.environ.get(name)
        if value:
            return f" ({name}={_without_password(value)})"
    return " (HTTPS_PROXY, HTTP_PROXY)"


def _without_password(url: str) -> str:
    """A proxy URL as it may be printed: any user name and password removed."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(set)"
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))
