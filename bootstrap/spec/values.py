"""The rules AWS enforces on single values, checked before any call: e-mails, bucket and role names,
account ids, regions, endpoint URLs, and the files a command will write.

Each check returns None when the value is fine, or the message saying what is wrong with it, so the
spec's field validators, the wizard and the command-line flags share one wording. Region names come
from botocore's own region data, read as a file: the pure core never imports botocore.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import ipaddress
import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

ACCOUNT_ID = re.compile(r"[0-9]{12}")
"""ASCII digits only: `\\d` and `str.isdigit` also accept Arabic-Indic, full-width and other digits."""
_GROUPED_ACCOUNT_ID = re.compile(r"[0-9]{4}-[0-9]{4}-[0-9]{4}")
"""How the console shows an account id (`1234-5678-9012`); accepted and normalised to 12 digits."""

EMAIL_MIN, EMAIL_MAX = 6, 64
_EMAIL_FORBIDDEN_LOCAL = set(" \t\"'()<>[]:;,\\|%&")
_EMAIL_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")

ROLE_NAME = re.compile(r"[A-Za-z0-9+=,.@_-]{1,64}")

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")

COMMERCIAL = "aws"
_REGION_SHAPE = re.compile(r"[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}")


def non_ascii_digits(value: str) -> bool:
    """Whether `value` holds digits that are not 0-9 (full-width, Arabic-Indic, ...)."""
    return any(ch.isdigit() and not ("0" <= ch <= "9") for ch in value)


def account_id(value: str) -> str:
    """The 12-digit account id `value` stands for; ValueError saying what is wrong otherwise."""
    if _GROUPED_ACCOUNT_ID.fullmatch(value):
        return value.replace("-", "")
    if ACCOUNT_ID.fullmatch(value):
        return value
    if non_ascii_digits(value):
        raise ValueError(f"'{value}' holds digits that are not ASCII 0-9 (for example full-width digits)")
    digits = sum(ch.isdigit() for ch in value)
    raise ValueError(f"'{value}' is not a 12-digit account id ({digits} digits)")


def email_problem(value: str) -> str | None:
    """What Organizations' CreateAccount would refuse in this e-mail address, or None."""
    if not value.isascii():
        return f"'{value}' holds characters outside 7-bit ASCII, which AWS refuses in an account e-mail"
    if not EMAIL_MIN <= len(value) <= EMAIL_MAX:
        return f"'{value}' is {len(value)} characters; AWS accepts account e-mails of {EMAIL_MIN}-{EMAIL_MAX}"
    if value.count("@") != 1:
        return f"'{value}' must hold exactly one '@'"
    local, domain = value.split("@")
    bad = sorted(set(local) & _EMAIL_FORBIDDEN_LOCAL)
    if bad:
        shown = " ".join("space" if ch == " " else repr(ch) for ch in bad)
        return f"'{value}': AWS forbids {shown} before the '@'"
    if not local or local.startswith("."):
        return f"'{value}': the part before the '@' must not be empty or begin with '.'"
    if _EMAIL_DOMAIN.fullmatch(domain.rstrip(".")) and "." not in domain.rstrip("."):
        return f"'{value}' has no top-level domain: '{domain}' needs one after a '.', e.g. {domain.rstrip('.')}.com"
    if not _EMAIL_DOMAIN.fullmatch(domain) or ".." in domain:
        return f"'{value}': the domain must be letters, digits, '-' and '.', and not begin or end with '-' or '.'"
    return None


def role_problem(value: str) -> str | None:
    if ROLE_NAME.fullmatch(value):
        return None
    if len(value) > 64:
        return f"'{value}' is {len(value)} characters; IAM role names are at most 64"
    return f"'{value}' is not an IAM role name: use ASCII letters, digits and + = , . @ _ - only"


def bucket_problem(value: str) -> str | None:
    """S3's naming rules for general purpose buckets, all of them."""
    if not 3 <= len(value) <= 63:
        return f"'{value}' is {len(value)} characters; S3 bucket names are 3-63"
    if not _BUCKET.fullmatch(value):
        return (
            f"'{value}' is not an S3 bucket name: lowercase letters, digits, '-' and '.', starting and ending "
            "with a letter or digit"
        )
    if ".." in value:
        return f"'{value}' has two adjacent periods, which S3 refuses"
    if _is_ip_address(value):
        return f"'{value}' is formatted as an IP address, which S3 refuses as a bucket name"
    for prefix in _BUCKET_PREFIXES:
        if value.startswith(prefix):
            return f"'{value}' begins with '{prefix}', a prefix S3 reserves"
    for suffix in _BUCKET_SUFFIXES:
        if value.endswith(suffix):
            return f"'{value}' ends with '{suffix}', a suffix S3 reserves"
    return None


def _is_ip_address(value: str) -> bool:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


BUCKET_FIX = (
    "Use 3-63 lowercase letters, digits and '-' (start and end with a letter or digit; no IP-address form; "
    "not beginning with xn--, sthree- or amzn-s3-demo-, nor ending with -s3alias, --ol-s3, --x-s3, .mrap "
    "or --table-s3)."
)


_REGION_FILES = (("partitions.json", "id"), ("endpoints.json", "partition"))
"""botocore's region data: `partitions.json` (6 KB) names every region; `endpoints.json` (1 MB, 40 ms to parse) is
read only when a name is not in the first, in case a region is listed there alone."""


@functools.cache
def _regions_in(files: int) -> dict[str, frozenset[str]]:
    """Every region botocore's first `files` region files name, by partition."""
    spec = importlib.util.find_spec("botocore")
    found: dict[str, set[str]] = {}
    if spec is None or spec.origin is None:
        return {}
    data = Path(spec.origin).parent / "data"
    for name, key in _REGION_FILES[:files]:
        try:
            document = json.loads((data / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for partition in document.get("partitions", []):
            regions = {r for r in partition.get("regions", {}) if _REGION_SHAPE.fullmatch(r)}
            found.setdefault(str(partition.get(key)), set()).update(regions)
    return {partition: frozenset(regions) for partition, regions in found.items()}


def regions_by_partition() -> dict[str, frozenset[str]]:
    """Every region botocore knows, by partition, from its `partitions.json` and `endpoints.json`."""
    return _regions_in(len(_REGION_FILES))


def region_problem(value: str, *, commercial_only: bool = True) -> str | None:
    """None for a region botocore knows (of the commercial partition, unless `commercial_only` is off)."""
    for files in range(1, len(_REGION_FILES) + 1):  # the small file first: it names every region in use
        known = _regions_in(files)
        commercial = known.get(COMMERCIAL, frozenset())
        if value in commercial or (not commercial_only and any(value in r for r in known.values())):
            return None
    other = next((p for p, regions in known.items() if value in regions), None)
    if other is not None:
        return (
            f"'{value}' is a region of the {other} partition: GovCloud and ISO partitions are not supported "
            "yet, nor China regions; use a commercial region such as us-east-1 or eu-west-1"
        )
    if not known:  # no region data at hand: fall back to the shape
        return None if _REGION_SHAPE.fullmatch(value) else f"'{value}' is not an AWS region name"
    close = difflib.get_close_matches(value, sorted(commercial), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"'{value}' is not an AWS region{hint}"


REGION_FIX = "Use an AWS region code such as us-east-1 or eu-west-1 (`aws ec2 describe-regions`)."


def endpoint_problem(value: str) -> str | None:
    """None for an http(s) URL with a host (and a valid port, if any)."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as err:
        return f"'{value}' is not a URL ({err})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"'{value}' is not an http:// or https:// URL with a host name"
    if port == 0:
        return f"'{value}' has port 0"
    return None


def output_file_problem(path: Path) -> str | None:
    """Why a file could not be written at `path` (its folder missing or read-only), or None."""
    folder = path.parent
    if path.is_dir():
        return f"{path} is a folder; name a file inside it"
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable"
    return None


def output_folder_problem(path: Path) -> str | None:
    """Why artifacts could not be written into the folder `path`, or None."""
    if path.exists() and not path.is_dir():
        return f"{path} is a file, not a folder"
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.is_file():
        return f"{existing} is a file, so the folder {path} cannot be made"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"the folder {existing} is not writable"
    return None
