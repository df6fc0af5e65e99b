"""Refuse an AWS profile that does not exist before any AWS call, as bad input (exit 2) with the fix.

botocore only notices an unknown profile when it first resolves credentials or a region, and then raises
`ProfileNotFound`, which reached the user as a network problem (`AWS_PROFILE`) or was taken for "no
credentials" (`init`). The profiles are read from the same files botocore reads (`AWS_CONFIG_FILE`,
`AWS_SHARED_CREDENTIALS_FILE`, or their defaults under ~/.aws), by botocore itself.
"""

from __future__ import annotations

import difflib
import os

import botocore.session

from bootstrap.errors import InputError

PROFILE_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")
"""The environment variables botocore takes the profile from, first one set wins."""
SHOWN = 8
"""At most this many known profiles are listed in the message."""


def profile_from_environment() -> tuple[str, str] | None:
    """(variable, profile) of the profile the environment selects, or None."""
    for variable in PROFILE_VARIABLES:
        value = os.environ.get(variable)
        if value:
            return variable, value
    return None


def check_profile(profile: str, source: str) -> None:
    """Raise `InputError` unless `profile` is in the AWS config or credentials file. `source` names where it
    came from: `--profile` or an environment variable."""
    session = botocore.session.Session()
    known = sorted(session.available_profiles)
    if profile in known:
        return
    files = " or ".join(
        os.path.expanduser(str(session.get_config_variable(name))) for name in ("config_file", "credentials_file")
    )
    if known:
        close = difflib.get_close_matches(profile, known, n=1)
        listed = ", ".join(known[:SHOWN]) + (f" and {len(known) - SHOWN} more" if len(known) > SHOWN else "")
        found = f"did you mean {close[0]}? Profiles there: {listed}" if close else f"profiles there: {listed}"
    else:
        found = "no profile is defined there"
    create = f"create it with `aws configure --profile {profile}` (or `aws configure sso --profile {profile}`)"
    if source.startswith("--"):
        fix = f"Pass {source} with a profile `aws configure list-profiles` shows, or {create}."
    else:
        fix = f"Set {source} to a profile `aws configure list-profiles` shows, unset it, or {create}."
    raise InputError(f"{source}: no profile named '{profile}' in {files} ({found})", fix)
