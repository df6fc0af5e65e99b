"""Creates that AWS does not make idempotent are sent once, never repeated blindly.

`CreateKey`, `CreatePolicy`, `CreateOrganizationalUnit` and `CreateAccount` take no client token: sent twice,
they make two objects (or a refusal that blames the user for the first). botocore repeats a request whose
connection broke or that got a 5xx answer, though the first may have taken effect, and a second key tagged
with the same address is never reported. So on these operations the retry is refused: an ambiguous failure
(the request left and no clear answer came back) surfaces as `AmbiguousCreate`, and `create_once` looks
the object up (by tag, alias or name, through the handler's `find`) before it creates again.

Failures that cannot have taken effect are still retried by botocore: throttling and other 4xx answers
(AWS refused the request) and connections that never opened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ConnectTimeoutError, EndpointConnectionError

from bootstrap.errors import AwsError

T = TypeVar("T")

_NEVER_SENT = (EndpointConnectionError, ConnectTimeoutError)
"""Connection failures before the request left: resending is safe."""


class AmbiguousCreate(BotoCoreError):  # type: ignore[misc,unused-ignore]  # typed only with botocore-stubs
    """A create whose outcome is unknown: it may or may not have made the object. A `BotoCoreError`, so one
    that escapes a handler fails its change like any other AWS error."""

    fmt = "{operation}: no clear answer ({cause}); it may have taken effect"


def _refuse_blind_retry(
    response: Any = None, caught_exception: Exception | None = None, operation: Any = None, **_: Any
) -> None:
    """A `needs-retry` handler, run before botocore's own: raising stops the retry loop."""
    name = getattr(operation, "name", "create")
    if caught_exception is not None:
        if isinstance(caught_exception, _NEVER_SENT):
            return
        raise AmbiguousCreate(operation=name, cause=caught_exception)
    if response is not None:
        status = getattr(response[0], "status_code", 200)
        if status >= 500:
            raise AmbiguousCreate(operation=name, cause=f"HTTP {status}")


def no_blind_retry(client: Any, operation: str) -> None:
    """Make `client` raise `AmbiguousCreate` instead of repeating `operation` (idempotent to call)."""
    service = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register_first(
        f"needs-retry.{service}.{operation}", _refuse_blind_retry, unique_id=f"bootstrap-once-{service}-{operation}"
    )


def create_once(create: Callable[[], T], find: Callable[[], T | None], *, what: str, attempts: int = 3) -> T:
    """`create()`; after an ambiguous failure, `find()` what it may have made, and create again only if
    nothing is found."""
    cause: AmbiguousCreate | None = None
    for _ in range(attempts):
        try:
            return create()
        except AmbiguousCreate as err:
            cause = err
            found = find()
            if found is not None:
                return found
    raise AwsError(
        f"creating {what} got no clear answer from AWS {attempts} times ({cause}), and no such object is found",
        "Run `bootstrap apply` again: it looks the object up before creating it, so it is never made twice.",
    )
