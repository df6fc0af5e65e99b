"""Checks of the values given on the command line (and in AWS_ENDPOINT_URL) before any AWS call.

A malformed `--region` or `--endpoint-url` is bad input like a bad spec field: exit 2 with the fix, not
a botocore error after the first call. The rules themselves are in `bootstrap.spec.values`.
"""

from __future__ import annotations

import os
from pathlib import Path

from bootstrap.errors import InputError
from bootstrap.spec import values


def check_global_flags(region: str | None, endpoint_url: str | None, *, environment: bool = False) -> None:
    """Raise `InputError` for a region botocore does not know or an endpoint that is not an http(s) URL;
    with `environment`, AWS_ENDPOINT_URL too when no --endpoint-url overrides it."""
    if region is not None:
        problem = values.region_problem(region)
        if problem is not None:
            raise InputError(f"--region: {problem}", "Pass --region with a region code such as us-east-1.")
    if endpoint_url is not None:
        problem = values.endpoint_problem(endpoint_url)
        if problem is not None:
            raise InputError(
                f"--endpoint-url: {problem}",
                "Pass a full URL such as http://127.0.0.1:5000 or https://organizations.us-east-1.amazonaws.com.",
            )
        return
    env = os.environ.get("AWS_ENDPOINT_URL") if environment else None
    if env:
        problem = values.endpoint_problem(env)
        if problem is not None:
            raise InputError(
                f"AWS_ENDPOINT_URL: {problem}",
                "Set AWS_ENDPOINT_URL to a full URL such as http://127.0.0.1:5000, or unset it.",
            )


def check_output_file(path: Path, flag: str) -> None:
    """Refuse a file path whose folder is missing or read-only before anything is read or asked."""
    problem = values.output_file_problem(path)
    if problem is not None:
        raise InputError(f"{flag} {path}: {problem}", f"Create the folder first, or pass {flag} with another path.")


def check_output_folder(path: Path, flag: str) -> None:
    problem = values.output_folder_problem(path)
    if problem is not None:
        raise InputError(f"{flag} {path}: {problem}", f"Pass {flag} with a folder you can write to.")
