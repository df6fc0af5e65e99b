"""Pydantic models of `landing-zone.yaml`.

Frozen and `extra="forbid"`: a typo in a key is an error naming the key, never a silently ignored
setting. Cross-field rules that only need the spec itself live here; rules that need the guardrail
library (known ids, packing into the SCP limits) live in `bootstrap.spec.checks`.
The field types and validators every section shares are in `bootstrap.spec.types`, re-exported here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from bootstrap.spec.baseline import BaselineSpec
from bootstrap.spec.billing_model import BillingSpec
from bootstrap.spec.identity_model import IdentitySpec
from bootstrap.spec.logging_model import LoggingSpec
from bootstrap.spec.network_model import NetworkSpec
from bootstrap.spec.types import MANAGEMENT as MANAGEMENT
from bootstrap.spec.types import ROOT as ROOT
from bootstrap.spec.types import AccountId as AccountId
from bootstrap.spec.types import Email as Email
from bootstrap.spec.types import EmailPattern as EmailPattern
from bootstrap.spec.types import Model as Model
from bootstrap.spec.types import OuPath as OuPath
from bootstrap.spec.types import PrincipalPattern as PrincipalPattern
from bootstrap.spec.types import Region as Region
from bootstrap.spec.types import RoleName as RoleName
from bootstrap.spec.types import Slug as Slug
from bootstrap.spec.types import principal_account
from bootstrap.spec.types import rule_error as rule_error
from bootstrap.spec.values import email_problem


def _second(values: list[str]) -> int | None:
    """Index of the first value that repeats an earlier one (the entry to point the user at)."""
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            return index
        seen.add(value)
    return None


ROOT_ROLES_GUARDRAIL = "protect-landing-zone-roles"
"""The guardrail that protects the exempt roles' names; it belongs at the root (see `root_guardrails`)."""


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

    @model_validator(mode="after")
    def _a_slot_left(self) -> PolicyLimits:
        if self.reserved_attachments >= self.scps_per_target:
            raise rule_error(
                ("reserved_attachments",),
                f"reserved_attachments is {self.reserved_attachments}, which leaves none of the "
                f"{self.scps_per_target} SCP slots per target (scps_per_target) for the landing zone's guardrails",
                "Set organization.policy_limits.reserved_attachments to the number of policies you attach "
                "yourself to every OU (1 for FullAWSAccess), below scps_per_target.",
            )
        return self


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
    operators: list[PrincipalPattern] = Field(
        default_factory=list,
        description="IAM principals of the management account (ARN patterns, '*' allowed) that may run the "
        "toolkit: the bootstrap role of every account trusts them and nobody else. The management account's "
        "own bootstrap role is always included. `init` fills in the principal that runs it.",
    )
    break_glass_principal: PrincipalPattern | None = Field(
        None,
        description="The management account principal (with MFA) that may assume the break-glass role in every "
        "account; default arn:aws:iam::<management id>:user/break-glass (see runbooks/break-glass.md).",
    )
    policy_limits: PolicyLimits = PolicyLimits()
    root_guardrails: list[str] = Field(
        default_factory=lambda: [ROOT_ROLES_GUARDRAIL],
        description="Guardrail ids attached at the organization root, so they also cover accounts outside "
        f"every OU. Keep {ROOT_ROLES_GUARDRAIL}: without it the roles every guardrail exempts by name could be "
        "created or re-trusted by anyone, and the exemptions escaped.",
    )
    ai_services_opt_out: bool = Field(
        True,
        description="Attach an AI services opt-out policy at the root: AWS AI services may not store or use "
        "the organization's content to improve their models.",
    )

    @model_validator(mode="after")
    def _principals_in_management_account(self) -> OrganizationSpec:
        fields: list[tuple[tuple[str | int, ...], str]] = [(("operators", i), p) for i, p in enumerate(self.operators)]
        if self.break_glass_principal:
            fields.append((("break_glass_principal",), self.break_glass_principal))
        for loc, pattern in fields:
            if principal_account(pattern) != self.management_account_id:
                raise rule_error(
                    loc,
                    f"'{pattern}' is not a principal of the management account {self.management_account_id}",
                    "The landing zone's roles trust only the management account: name an IAM role or user of "
                    f"account {self.management_account_id} (arn:aws:iam::{self.management_account_id}:role/NAME).",
                )
        return self

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


MAX_OUS = 1000
"""Organizations' quota of OUs in one organization."""


def _parent(path: str) -> str | None:
    return path.rsplit("/", 1)[0] if "/" in path else None


class OrganizationalUnitSpec(Model):
    """One OU, by its path below the root (`Workloads/Prod`), and the guardrails attached to it."""

    path: OuPath
    guardrails: list[str] = Field(default_factory=list, description="Guardrail ids from the library.")
    renamed_from: OuPath | None = Field(
        None,
        description="The OU's previous path, to rename it in place (same id, accounts, child OUs and SCPs) "
        "instead of deleting it and creating a new one. Only the last part of the path may change. "
        "Once the rename is applied the field can stay or go: either way the next plan is empty.",
    )

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def parent_path(self) -> str | None:
        return _parent(self.path)

    @model_validator(mode="after")
    def _rename_in_place(self) -> OrganizationalUnitSpec:
        """AWS renames an OU but cannot move one: a rename that changes the parent would need a delete."""
        old = self.renamed_from
        if old is None:
            return self
        if old == self.path:
            raise rule_error(
                ("renamed_from",),
                f"renamed_from is the OU's own path '{old}'",
                "Remove renamed_from, or set it to the OU's previous path.",
            )
        if _parent(old) != self.parent_path:
            where_old = f"under '{_parent(old)}'" if _parent(old) else "under the root"
            where_new = f"under '{self.parent_path}'" if self.parent_path else "under the root"
            raise rule_error(
                ("renamed_from",),
                f"renamed_from '{old}' is {where_old} but '{self.path}' is {where_new}; AWS can rename an OU "
                "but not move it to another parent",
                "Only the last part of the path may change (for example Sandbox -> Experiments, or "
                "Workloads/Dev -> Workloads/Development). To move an OU, remove renamed_from: the plan then "
                "creates the new OU and deletes the old one once its accounts have moved.",
            )
        return self


class AccountSpec(Model):
    """A member account: created if missing, adopted if `id` is given or its e-mail matches."""

    name: Slug
    ou: str = Field(description="OU path the account belongs in, or 'Root'.")
    email: Email | None = Field(None, description="Root e-mail; defaults to account_email_pattern.")
    id: AccountId | None = Field(None, description="Adopt this existing account instead of creating one.")


class LandingZoneSpec(Model):
    """The whole landing zone."""

    version: Literal[1] = 1
    organization: OrganizationSpec
    account_email_pattern: EmailPattern = Field(
        description="Root e-mail of new accounts; '{name}' is replaced by the account name."
    )
    organizational_units: list[OrganizationalUnitSpec] = Field(default_factory=list)
    accounts: list[AccountSpec] = Field(default_factory=list)
    logging: LoggingSpec = LoggingSpec()
    baseline: BaselineSpec = BaselineSpec()
    network: NetworkSpec = NetworkSpec()
    billing: BillingSpec = BillingSpec()
    identity: IdentitySpec = IdentitySpec()

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
        self._check_renames()
        names = [a.name for a in self.accounts]
        index = _second(names)
        if index is not None:
            raise rule_error(
                ("accounts", index, "name"),
                f"accounts lists {names[index]} more than once",
                "Give each account a unique name, or remove the duplicate entry.",
            )
        self._check_accounts()
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

    def _check_accounts(self) -> None:
        """Account ids appear once; the e-mail the pattern gives an account is one AWS accepts."""
        ids = [a.id or f"(none {i})" for i, a in enumerate(self.accounts)]
        index = _second(ids)
        if index is not None:
            first = ids.index(ids[index])
            raise rule_error(
                ("accounts", index, "id"),
                f"accounts {self.accounts[first].name} and {self.accounts[index].name} both have the id {ids[index]}",
                "Each entry is a different AWS account: correct the id of one of them, or remove the duplicate.",
            )
        if len(self.all_ou_paths()) > MAX_OUS:
            raise rule_error(
                ("organizational_units",),
                f"the spec has {len(self.all_ou_paths())} OUs (parents included); an organization holds at most "
                f"{MAX_OUS}",
                "Use fewer OUs: group accounts by purpose, not one OU per team.",
            )
        for index, account in enumerate(self.accounts):
            if account.email is not None:
                continue
            problem = email_problem(self.account_email(account))
            if problem is not None:
                raise rule_error(
                    ("accounts", index, "name"),
                    f"account_email_pattern gives account {account.name} the e-mail {problem}",
                    f"Shorten account_email_pattern or the account name, or give account {account.name} an "
                    "`email:` of its own.",
                )

    def _check_renames(self) -> None:
        """A renamed OU's old path must be gone from the spec, and claimed by one OU only."""
        paths = set(self.all_ou_paths())
        claimed: dict[str, str] = {}
        for index, ou in enumerate(self.organizational_units):
            old = ou.renamed_from
            if old is None:
                continue
            if old in paths:
                raise rule_error(
                    ("organizational_units", index, "renamed_from"),
                    f"OU '{ou.path}' is renamed from '{old}', but '{old}' is still an OU of the spec",
                    f"Remove '{old}' (and paths below it) from organizational_units, or remove renamed_from.",
                )
            other = claimed.setdefault(old, ou.path)
            if other != ou.path:
                raise rule_error(
                    ("organizational_units", index, "renamed_from"),
                    f"OUs '{other}' and '{ou.path}' are both renamed from '{old}'",
                    "One OU can only become one OU: remove renamed_from from one of them.",
                )

    def former_ou_paths(self, path: str) -> list[str]:
        """The paths the OU at `path` may have live, given the renames the spec declares on it and on its
        ancestors (`renamed_from`), old names first; empty when nothing on its path is renamed.

        Every mix of old and new names is included: an interrupted apply may have renamed a parent and
        not yet its child, so the child's live path can be half old, half new.
        """
        old_names = {ou.path: ou.renamed_from.rsplit("/", 1)[-1] for ou in self.organizational_units if ou.renamed_from}
        parts = path.split("/")
        choices: list[list[str]] = [[]]
        for depth, part in enumerate(parts, start=1):
            names = [n for n in (old_names.get("/".join(parts[:depth])), part) if n is not None]
            choices = [[*prefix, name] for prefix in choices for name in names]
        return [joined for joined in ("/".join(c) for c in choices) if joined != path]

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
        """The guardrails attached to an OU by path, or to the root (`Root`)."""
        if path == ROOT:
            return list(self.organization.root_guardrails)
        for ou in self.organizational_units:
            if ou.path == path:
                return list(ou.guardrails)
        return []
