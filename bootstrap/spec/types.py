"""Field types and validators shared by the spec's models (`model.py`, `log_archive.py`).

They live apart from the models so that every section of the spec can build on them without importing
`model.py`, which imports those sections: no import cycle, no import in the middle of a module.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from bootstrap.spec import values

ROOT = "Root"
"""The spec's name for the organization root, usable as an account's `ou`."""

MANAGEMENT = "management"
"""The location name of the management account."""

_OU_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,48}[a-z0-9]$")
_PRINCIPAL = re.compile(r"^arn:aws:iam::([0-9]{12}):(?:role|user)/[A-Za-z0-9+=,.@_/*?-]{1,512}$")

MAX_OU_DEPTH = 5
"""Organizations nests OUs at most five levels below the root."""


def value_error(message: str, fix: str) -> PydanticCustomError:
    """A value that breaks a rule, with the fix for that rule (`load.py` shows it as the remediation)."""
    return PydanticCustomError("spec_value", message, {"spec_fix": fix})


def _region(value: str) -> str:
    problem = values.region_problem(value)
    if problem is not None:
        raise value_error(problem, values.REGION_FIX)
    return value


def _account_id(value: str) -> str:
    try:
        return values.account_id(value)
    except ValueError as err:
        raise value_error(
            str(err), 'Write the account id as 12 ASCII digits in quotes, for example "123456789012".'
        ) from None


def _ou_path(value: str) -> str:
    parts = value.split("/")
    if len(parts) > 5:
        raise value_error(
            f"'{value}' nests {len(parts)} OUs deep; AWS allows at most {MAX_OU_DEPTH} levels below the root",
            "Write OU paths as names separated by '/', at most 5 levels deep, for example Workloads/Prod.",
        )
    for part in parts:
        if not _OU_NAME.match(part):
            raise value_error(
                f"'{part}' in '{value}' is not a valid OU name",
                "Start each OU name with an ASCII letter or digit and use only letters, digits, space, '.', '_' "
                "and '-' (at most 128 characters per name).",
            )
    if parts[0] == ROOT:
        raise value_error(
            f"'{ROOT}' is the organization root, not an OU",
            f"Name OUs without the '{ROOT}/' prefix (Workloads/Prod, not {ROOT}/Workloads/Prod).",
        )
    return value


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise value_error(
            f"'{value}' is not a short name of 2-50 lowercase ASCII letters, digits or '-'",
            "Use lowercase letters, digits and '-', starting and ending with a letter or digit (for example "
            "log-archive).",
        )
    return value


def _email(value: str) -> str:
    problem = values.email_problem(value)
    if problem is not None:
        raise value_error(problem, EMAIL_FIX)
    return value


EMAIL_FIX = (
    "Write an address of 6-64 ASCII characters with one '@', none of space \" ' ( ) < > [ ] : ; , \\ | % & "
    "before the '@', and a domain of letters, digits, '-' and '.' (for example aws+log-archive@example.com)."
)


def _email_pattern(value: str) -> str:
    if "{name}" not in value:
        raise value_error(
            f"'{value}' does not contain {{name}}",
            "Put {name} where the account name goes, for example aws+{name}@example.com.",
        )
    problem = values.email_problem(value.replace("{name}", "ab"))
    if problem is not None and "characters;" not in problem:
        raise value_error(f"with {{name}} filled in, {problem}", EMAIL_FIX)
    return value


def _role(value: str) -> str:
    problem = values.role_problem(value)
    if problem is not None:
        raise value_error(problem, "Use at most 64 ASCII letters, digits and + = , . @ _ - (for example OrgBootstrap).")
    return value


def _bucket(value: str) -> str:
    problem = values.bucket_problem(value)
    if problem is not None:
        raise value_error(problem, values.BUCKET_FIX)
    return value


def _principal(value: str) -> str:
    if not _PRINCIPAL.match(value):
        raise value_error(
            f"'{value}' is not an IAM role or user ARN pattern",
            "Write arn:aws:iam::<12-digit account id>:role/NAME or :user/NAME, for example "
            "arn:aws:iam::123456789012:role/PlatformAdmin ('*' and '?' are allowed in the name).",
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
EmailPattern = Annotated[str, AfterValidator(_email_pattern)]
BucketName = Annotated[str, AfterValidator(_bucket)]
AccountId = Annotated[
    str, AfterValidator(_account_id), Field(description="A 12-digit AWS account id, quoted (1234-5678-9012 too).")
]


class Model(BaseModel):
    """Base of every spec model: immutable, strict about unknown keys and about types (YAML's `true` is
    not the number 1, `"30"` is not the number 30)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, strict=True, defer_build=True)
