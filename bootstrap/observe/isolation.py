"""What the account-region observer shares between the scopes of one account, and what it does when one
account-region cannot be read.

Shared: a read made once per account, whichever of its scopes asks first (which regions the account has
enabled: one `DescribeRegions`, not one per region).

Isolated: an account-region whose reads fail (access denied there, an endpoint that times out, a region that
errors, a member account that cannot be entered) becomes a `ReadFailure` saying where, what and what to do;
the other account-regions are read, planned and applied as usual, and the command exits 1 at the end. Only
AWS's answers are caught this way: a bug in the toolkit still stops the run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bootstrap.aws.retry import error_code
from bootstrap.errors import AwsError
from bootstrap.observed import ReadFailure
from bootstrap.resources import Location, Resource

ISOLATED_ERRORS = (ClientError, BotoCoreError, AwsError)
"""What one account-region's failure may raise without stopping the others."""

_DENIED = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess", "Forbidden"}
)
_REGION_OFF = frozenset({"AuthFailure", "OptInRequired", "UnrecognizedClientException", "InvalidClientTokenId"})


class OnceCache:
    """`once(key, read)`: `read()` runs once per key, whichever thread asks first; the others wait for it. A read
    that raises is not remembered (the next asker tries again)."""

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def once(self, key: str, read: Callable[[], Any]) -> Any:
        with self._lock:
            key_lock = self._locks.setdefault(key, threading.Lock())
        with key_lock:
            if key not in self._values:
                self._values[key] = read()
            return self._values[key]


def read_failure(location: Location, resources: list[Resource], err: Exception) -> ReadFailure:
    """What to tell the user about an account-region that could not be read."""
    addresses = tuple(sorted(r.address for r in resources))
    if isinstance(err, AwsError):
        message, remediation = err.message, err.remediation
    elif isinstance(err, ClientError):
        code = error_code(err)
        detail = err.response.get("Error", {}).get("Message", "") or str(err)
        message = f"AWS refused a read ({code}): {detail}"
        if code in _DENIED:
            remediation = (
                "The role the toolkit runs as may not read there: check that an SCP does not deny it in this region "
                "and that the role has the policy `bootstrap permissions` prints, then run the command again."
            )
        elif code in _REGION_OFF:
            remediation = (
                "The region may not be enabled in this account, or the credentials are not valid there: enable it "
                "(Account settings, AWS Regions) or leave it out of the spec, then run the command again."
            )
        else:
            remediation = "Run the command again; if it keeps failing, check AWS's health page for that region."
    else:
        message = f"AWS did not answer: {err}"
        remediation = (
            "Run the command again (reads change nothing); if it keeps failing, check the network and AWS's "
            "health page for that region."
        )
    return ReadFailure(location.account, location.region, message, remediation, addresses)
