"""Field types and validators shared by the spec's models (`model.py`, `log_archive.py`).

They live apart from the models so that every section of the spec can build on them without importing
`model.py`, which imports those sections: no import cycle, no import in the middle of a module.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

ROOT = "Root"
"""The spec's name for the organization root, usable as an account's `ou`."""

MANAGEMENT = "management"
"""The location name of the management account."""

_REGION = re.compile(r"^[a-z]{2}-[a-z]+-\d$")
"""A region of the commercial partition (`aws`): the ARNs the toolkit writes all begin `arn:aws:`."""
_OTHER_PARTITION = re.compile(r"^(?:[a-z]{2}-(?:gov|iso[a-z]?)-[a-z]+-\d|cn-[a-z]+-\d)$")
_OU_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,48}[a-z0-9]$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_ROLE = re.compile(r"^[\w+=,.@-]{1,64}$")
_PRINCIPAL = re.compile(r"^arn:aws:iam::(\d{12}):(?:role|user)/[A-Za-z0-9+=,.@_/*?-]{1,512}$")


def _region(value: str) -> str:
    if _OTHER_PARTITION.match(value):
        raise ValueError(
            f"'{value}' is outside the commercial AWS partition: GovCloud and ISO partitions are not supported "
            "yet (nor China regions); use a commercial region such as us-east-1 or eu-west-1"
        )
    if not _REGION.match(value):
        raise ValueError(f"'{value}' is not an AWS region name (for example us-east-1, eu-west-1)")
    return value


def _ou_path(value: str) -> str:
    parts = value.split("/")
    if len(parts) > 5:
        raise ValueError(f"'{value}' nests {len(parts)} OUs deep; AWS allows at most 5 levels below the root")
    for part in parts:
        if not _OU_NAME.match(part):
            raise ValueError(
                f"'{part}' in '{value}' is not a valid OU name: use letters, digits, space, '.', '_' or '-'"
            )
    if parts[0] == ROOT:
        raise ValueError(f"'{ROOT}' is the organization root, not an OU; name its OUs without the prefix")
    return value


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(f"'{value}' must be 2-50 lowercase letters, digits or '-' (for example log-archive)")
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"'{value}' is not an e-mail address")
    return value


def _role(value: str) -> str:
    if not _ROLE.match(value):
        raise ValueError(f"'{value}' is not a valid IAM role name")
    return value


def _principal(value: str) -> str:
    if not _PRINCIPAL.match(value):
        raise ValueError(
            f"'{value}' is not an IAM role or user ARN pattern (for example "
            "arn:aws:iam::123456789012:role/PlatformAdmin; '*' and '?' are allowed in the name)"
        )
    return value


def principal_account(pattern: str) -> str:
    """The account id of an IAM principal ARN pattern that `PrincipalPattern` accepted."""
    return pattern.split(":")[4]


def rule_error(loc: tuple[str | int, ...], message: str, fix: str) -> PydanticCustomError:
    """A broken cross-field rule, located at the field (relative to the model) the user has to change.

    Model validators can only fail at the model's own location; `load.py` reads `spec_loc` so the error
    names the offending field and its line, and `spec_fix` becomes the remediation.
    """
    return PydanticCustomError("spec_rule", message, {"spec_loc": loc, "spec_fix": fix})


Region = Annotated[str, AfterValidator(_region)]
OuPath = Annotated[str, AfterValidator(_ou_path)]
Slug = Annotated[str, AfterValidator(_slug)]
Email = Annotated[str, AfterValidator(_email)]
RoleName = Annotated[str, AfterValidator(_role)]
PrincipalPattern = Annotated[str, AfterValidator(_principal)]
AccountId = Annotated[str, Field(pattern=r"^\d{12}$", description="A 12-digit AWS account id, quoted.")]


class Model(BaseModel):
    """Base of every spec model: immutable, strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
