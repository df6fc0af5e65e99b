"""Pydantic models of `landing-zone.yaml`.

Frozen and `extra="forbid"`: a typo in a key is an error naming the key, never a silently ignored
setting. Cross-field rules that only need the spec itself live here; rules that need the guardrail
library (known ids, packing into the SCP limits) live in `bootstrap.spec.checks`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

ROOT = "Root"
"""The spec's name for the organization root, usable as an account's `ou`."""

MANAGEMENT = "management"
"""The location name of the management account."""

_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
_OU_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,48}[a-z0-9]$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_ROLE = re.compile(r"^[\w+=,.@-]{1,64}$")


def _region(value: str) -> str:
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
AccountId = Annotated[str, Field(pattern=r"^\d{12}$", description="A 12-digit AWS account id, quoted.")]


def _second(values: list[str]) -> int | None:
    """Index of the first value that repeats an earlier one (the entry to point the user at)."""
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            return index
        seen.add(value)
    return None


class Model(BaseModel):
    """Base of every spec model: immutable, strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class PolicyLimits(Model):
    """Organizations quotas the guardrail packer must respect.

    AWS documents 5,120 characters per SCP and 5 SCPs per target, and has announced 10,240 and 10;
    raise these once your organization has the new quotas.
    """

    scp_max_chars: int = Field(5120, ge=2048, le=10240, description="Maximum characters of one SCP document.")
    scps_per_target: int = Field(5, ge=2, le=10, description="Maximum SCPs attached to one root, OU or account.")
    reserved_attachments: int = Field(
        1,
        ge=0,
        le=9,
        description="Attachment slots per OU already taken by policies the toolkit does not own "
        "(FullAWSAccess takes one). The live count is checked again at plan time.",
    )


class OrganizationSpec(Model):
    """The organization and its management account."""

    name: Slug = Field(description="Short name of the landing zone; prefixes the names of managed objects.")
    management_account_id: AccountId = Field(
        description="The management account. The toolkit refuses to act from any other account."
    )
    home_region: Region = Field(description="Where regional control-plane resources live.")
    allowed_regions: list[Region] = Field(min_length=1, description="Regions workloads may use.")
    bootstrap_role: RoleName = Field(
        "LandingZoneBootstrap", description="Role the toolkit runs as; exempt from every guardrail."
    )
    break_glass_role: RoleName = Field(
        "LandingZoneBreakGlass", description="Emergency role; exempt from every guardrail."
    )
    policy_limits: PolicyLimits = PolicyLimits()

    @model_validator(mode="after")
    def _home_region_allowed(self) -> OrganizationSpec:
        if self.home_region not in self.allowed_regions:
            raise rule_error(
                ("home_region",),
                f"home_region '{self.home_region}' must be one of allowed_regions {self.allowed_regions}",
                f"Add {self.home_region} to organization.allowed_regions, or pick a home_region from them.",
            )
        for index, region in enumerate(self.allowed_regions):
            if region in self.allowed_regions[:index]:
                raise rule_error(
                    ("allowed_regions", index),
                    f"allowed_regions lists {region} twice",
                    "Remove the second entry.",
                )
        return self


class OrganizationalUnitSpec(Model):
    """One OU, by its path below the root (`Workloads/Prod`), and the guardrails attached to it."""

    path: OuPath
    guardrails: list[str] = Field(default_factory=list, description="Guardrail ids from the library.")

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def parent_path(self) -> str | None:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else None


class AccountSpec(Model):
    """A member account: created if missing, adopted if `id` is given or its e-mail matches."""

    name: Slug
    ou: str = Field(description="OU path the account belongs in, or 'Root'.")
    email: Email | None = Field(None, description="Root e-mail; defaults to account_email_pattern.")
    id: AccountId | None = Field(None, description="Adopt this existing account instead of creating one.")


from bootstrap.spec.log_archive import LoggingSpec  # noqa: E402  (it builds on Model and the field types above)


class LandingZoneSpec(Model):
    """The whole landing zone."""

    version: Literal[1] = 1
    organization: OrganizationSpec
    account_email_pattern: str = Field(
        description="Root e-mail of new accounts; '{name}' is replaced by the account name.",
        pattern=r"^[^@\s]*\{name\}[^@\s]*@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$",
    )
    organizational_units: list[OrganizationalUnitSpec] = Field(default_factory=list)
    accounts: list[AccountSpec] = Field(default_factory=list)
    logging: LoggingSpec = LoggingSpec()

    @model_validator(mode="after")
    def _consistent(self) -> LandingZoneSpec:
        paths = [ou.path for ou in self.organizational_units]
        index = _second(paths)
        if index is not None:
            raise rule_error(
                ("organizational_units", index, "path"),
                f"organizational_units lists {paths[index]} more than once",
                "Keep one entry per OU path and merge the guardrails of the two entries into it.",
            )
        names = [a.name for a in self.accounts]
        index = _second(names)
        if index is not None:
            raise rule_error(
                ("accounts", index, "name"),
                f"accounts lists {names[index]} more than once",
                "Give each account a unique name, or remove the duplicate entry.",
            )
        emails = [self.account_email(a).lower() for a in self.accounts]
        index = _second(emails)
        if index is not None:
            first = emails.index(emails[index])
            raise rule_error(
                ("accounts", index, "email"),
                f"accounts {self.accounts[first].name} and {self.accounts[index].name} share the e-mail "
                f"{emails[index]}; AWS needs one per account",
                f"Set a distinct `email:` on account {self.accounts[index].name} (or on "
                f"{self.accounts[first].name}); each AWS account needs its own root e-mail address.",
            )
        return self

    def account_email(self, account: AccountSpec) -> str:
        return account.email or self.account_email_pattern.replace("{name}", account.name)

    def all_ou_paths(self) -> list[str]:
        """Every OU path, including parents implied by nested paths, parents first."""
        paths: set[str] = set()
        for ou in self.organizational_units:
            parts = ou.path.split("/")
            for depth in range(1, len(parts) + 1):
                paths.add("/".join(parts[:depth]))
        return sorted(paths, key=lambda p: (p.count("/"), p))

    def guardrails_for(self, path: str) -> list[str]:
        for ou in self.organizational_units:
            if ou.path == path:
                return list(ou.guardrails)
        return []
