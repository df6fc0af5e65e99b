"""What the CLI boundary says about an AWS error: a refusal needs a change, a server error only a re-run."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from bootstrap.cli.errors import explain_aws_error


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
