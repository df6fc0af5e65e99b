"""The toolkit's exception hierarchy: every error a user can see carries a message and a remediation.

The CLI catches `BootstrapError` once (its error boundary) and prints both lines; nothing else in the
toolkit prints tracebacks. Exit codes: 2 for bad input (spec, answers, flags), 1 for everything else.
"""

from __future__ import annotations


class BootstrapError(Exception):
    """An error with a remediation line, shown to the user without a traceback."""

    exit_code = 1

    def __init__(self, message: str, remediation: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.remediation = remediation


class InputError(BootstrapError):
    """Bad input from the user: a spec, an answers file or a flag. No AWS call has been made."""

    exit_code = 2


class SpecError(InputError):
    """The spec file is missing, unreadable or invalid."""


class SafetyError(BootstrapError):
    """The toolkit refuses to act because acting could harm the organization or lock someone out."""


class AwsError(BootstrapError):
    """AWS refused a call, or failed it on its side even after retries: the toolkit cannot recover by itself.
    The remediation says which (a refusal needs a change; a server error needs only a re-run)."""


class StalePlanError(SafetyError):
    """A saved plan no longer matches the live state it was made from."""


class Cancelled(BootstrapError):
    """The user pressed Ctrl-C or declined; nothing more was done."""

    exit_code = 130


class ApplyInterrupted(Cancelled):
    """The user interrupted an apply; the journal records what was done."""
