"""The wizard's answers and how they become a commented `landing-zone.yaml`.

`init --answers FILE` reads the same model, so a scripted run and an interactive one write the same
spec. The YAML is rendered from a jinja2 template (comments explain every field) and then validated by
loading it back, so `init` can never write a spec that `validate` would reject.
"""

from __future__ import annotations

import difflib
from importlib import resources
from typing import Annotated, Literal

import jinja2
from pydantic import Field, field_validator, model_validator

from bootstrap.guardrails.library import load_library
from bootstrap.spec.baseline import ContactEmail, Phone
from bootstrap.spec.identity_answers import DEFAULT_SETS, identity_section
from bootstrap.spec.model import MANAGEMENT, ROOT, AccountId, Model, OuPath, PrincipalPattern, Region, Slug
from bootstrap.spec.types import Email, EmailPattern, rule_error, value_error

DEFAULT_OUS = ["Security", "Infrastructure", "Workloads/Prod", "Workloads/NonProd", "Sandbox", "Suspended"]
SUSPENDED = "Suspended"
DENY_ALL = "deny-all"


class AccountAnswer(Model):
    name: Slug
    ou: str


DEFAULT_ACCOUNTS = [
    AccountAnswer(name="log-archive", ou="Security"),
    AccountAnswer(name="audit", ou="Security"),
]

WORKLOADS_OU = "Workloads"
"""The OU whose accounts (and those of its child OUs) get the wizard's custom VPC."""

RECOMMENDED_TRAIL_ACCOUNT = "audit"
"""Where the wizard suggests the organization trail lives in a real organization: the audit account, as
CloudTrail's delegated administrator (inside the organization's SCPs, unlike the management account)."""


def default_guardrails() -> list[str]:
    """Every guardrail of the library but the opt-in ones (`opt_in: true` in their metadata)."""
    return sorted(gid for gid, guardrail in load_library().items() if not guardrail.opt_in)


class Answers(Model):
    """Everything the wizard asks. Defaults are the recommended landing zone."""

    organization_name: Slug = "acme"
    management_account_id: AccountId
    home_region: Region = "us-east-1"
    allowed_regions: Annotated[list[Region], Field(min_length=1)] = ["us-east-1", "us-west-2"]
    account_email_pattern: EmailPattern = "aws+{name}@example.com"
    alarm_emails: list[Email] | None = Field(
        None,
        description="Who receives the security (CIS) alarms. The wizard asks; unattended runs that leave it out "
        "get the account e-mail pattern with {name} = security-alarms.",
    )
    organizational_units: list[OuPath] = Field(default_factory=lambda: list(DEFAULT_OUS))
    accounts: list[AccountAnswer] = Field(default_factory=lambda: list(DEFAULT_ACCOUNTS))
    guardrails: list[str] = Field(default_factory=default_guardrails)
    operators: list[PrincipalPattern] = Field(
        default_factory=list,
        description="Management account principals that may run the toolkit (init adds the one running it).",
    )
    ai_services_opt_out: bool = True
    trail_account: Slug = Field(
        MANAGEMENT,
        description="Where the organization trail, its log group, alarms and monitoring key live: 'management', "
        "or an account of `accounts` to register as CloudTrail's delegated administrator (recommended for a "
        "real organization: audit). The default stays management because unattended runs (`--defaults`, "
        "`bootstrap demo`) mostly target the sandbox, which cannot register a CloudTrail delegated administrator.",
    )

    security_contact_email: ContactEmail | None = Field(
        None, description="The security alternate contact of every account (default: the first alarm e-mail)."
    )
    billing_contact_email: ContactEmail | None = Field(
        None, description="The billing alternate contact of every account (default: the security contact)."
    )
    operations_contact_email: ContactEmail | None = Field(
        None, description="The operations alternate contact of every account (default: the security contact)."
    )
    contact_phone: Phone | None = Field(
        None,
        description="The alternate contacts' phone number, which AWS requires: without it the spec sets no "
        "alternate contacts (unattended runs that leave it out).",
    )

    remove_default_vpcs: bool = Field(True, description="Remove the default VPC of every account and region.")
    ebs_encryption: bool = Field(True, description="EBS encryption by default in every account and allowed region.")
    workload_vpc: bool = Field(
        True,
        description=f"A custom VPC in the home region of every account in the {WORKLOADS_OU} OU and below it "
        f"(none when the answers have no {WORKLOADS_OU} OU; the wizard does not ask then).",
    )
    vpc_ip_pool: str = Field("10.0.0.0/8", description="The pool custom VPCs are allocated from.")
    vpc_size: int = Field(20, ge=16, le=24, description="Prefix length of each workload VPC (/16 to /24).")
    vpc_availability_zones: int = Field(2, ge=2, le=3, description="Availability zones of each workload VPC.")
    vpc_nat_gateways: Literal["none", "one", "per_az"] = Field(
        "none", description="NAT gateways of each workload VPC: none, one, or one per availability zone."
    )

    billing: bool = Field(True, description="Billing alarms, a budget and Cost Anomaly Detection.")
    billing_monthly_spend: float = Field(
        100,
        gt=0,
        le=10_000_000,
        description="The expected monthly bill in USD (the wizard proposes the last three complete months' average).",
    )
    billing_margin_percent: int = Field(15, ge=10, le=20, description="The second billing alarm's margin (10-20 %).")
    billing_emails: list[Email] | None = Field(
        None,
        description="Who receives billing alarms; unattended runs that leave it out get the account e-mail pattern "
        "with {name} = billing-alarms.",
    )
    identity: bool = Field(True, description="Build the identity layer (IAM Identity Center permission sets).")
    identity_source: Literal["identity_center", "external"] = Field(
        "identity_center", description="Where people and groups come from: the Identity Center directory or an IdP."
    )
    identity_sets: list[str] = Field(
        default_factory=lambda: list(DEFAULT_SETS), description="Permission sets of the library to build."
    )
    identity_groups: dict[str, str] = Field(
        default_factory=dict, description="Group name per permission set, where not the default (platform-admins...)."
    )

    @field_validator("vpc_ip_pool")
    @classmethod
    def _pool(cls, value: str) -> str:
        from bootstrap.spec.network_checks import RANGES_TEXT, parse_block

        problem = parse_block(value)[1]
        if problem is not None:
            raise value_error(problem, f"Answer a block of {RANGES_TEXT}, for example 10.0.0.0/8.")
        return value

    @field_validator("guardrails")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        library = sorted(load_library())
        unknown = [gid for gid in value if gid not in library]
        if unknown:
            close = difflib.get_close_matches(unknown[0], library, n=1)
            hint = f"Did you mean '{close[0]}'? " if close else ""
            raise value_error(
                f"unknown guardrail(s) {', '.join(unknown)}", f"{hint}Known guardrails: {', '.join(library)}."
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Answers:
        if self.home_region not in self.allowed_regions:
            raise rule_error(
                ("home_region",),
                f"home_region {self.home_region} is not one of allowed_regions {self.allowed_regions}",
                f"Add {self.home_region} to allowed_regions, or pick a home_region from them.",
            )
        names = [a.name for a in self.accounts]
        if self.trail_account != MANAGEMENT and self.trail_account not in names:
            close = difflib.get_close_matches(self.trail_account, names, n=1)
            hint = f"Did you mean '{close[0]}'? " if close else ""
            raise rule_error(
                ("trail_account",),
                f"trail_account {self.trail_account} is neither 'management' nor one of accounts",
                f"{hint}Use 'management' or one of: {', '.join(names)}.",
            )
        return self


def workload_ous(answers: Answers) -> list[str]:
    """The OU the workload VPC targets (every account in it and below it), when the answers have it."""
    present = any(p == WORKLOADS_OU or p.startswith(WORKLOADS_OU + "/") for p in answers.organizational_units)
    return [WORKLOADS_OU] if present else []


def workload_subnets(answers: Answers) -> list[tuple[str, int]]:
    """(tier, size) of the workload VPC: private subnets a quarter of the VPC each, and with NAT gateways public
    subnets a sixteenth each; three zones of both still fit."""
    private = ("private", min(answers.vpc_size + 2, 28))
    if answers.vpc_nat_gateways == "none":
        return [private]
    return [("public", min(answers.vpc_size + 4, 28)), private]


def guardrails_by_ou(answers: Answers) -> dict[str, list[str]]:
    """Attach the chosen guardrails to top-level OUs (children inherit SCPs from their parents).

    The Suspended OU gets deny-all only; other OUs get each chosen guardrail recommended for them.
    Guardrails recommended for the Root go to `organization.root_guardrails` (`root_guardrails`).
    """
    library = load_library()
    chosen = set(answers.guardrails)
    result: dict[str, list[str]] = {}
    for path in answers.organizational_units:
        top = path.split("/", 1)[0]
        if top in result:
            continue
        if top == SUSPENDED:
            result[top] = [DENY_ALL] if DENY_ALL in chosen else []
            continue
        result[top] = sorted(
            g
            for g in chosen
            if g != DENY_ALL and ("all" in library[g].recommended_for or top in library[g].recommended_for)
        )
    return result


def root_guardrails(answers: Answers) -> list[str]:
    """The chosen guardrails recommended for the organization root (`recommended_for: [Root]`)."""
    library = load_library()
    return sorted(g for g in answers.guardrails if ROOT in library[g].recommended_for)


def alarm_emails(answers: Answers) -> list[str]:
    """Where the security alarms go: the answer, or (unattended runs only) an address from the pattern."""
    if answers.alarm_emails is not None:
        return list(answers.alarm_emails)
    return [answers.account_email_pattern.replace("{name}", "security-alarms")]


def billing_emails(answers: Answers) -> list[str]:
    """Where the billing alarms go: the answer, or (unattended runs only) an address from the pattern."""
    if answers.billing_emails is not None:
        return list(answers.billing_emails)
    return [answers.account_email_pattern.replace("{name}", "billing-alarms")]


CONTACT_TITLES = {"security": "Security", "billing": "Billing", "operations": "Operations"}


def alternate_contacts(answers: Answers) -> list[tuple[str, dict[str, str]]]:
    """(type, contact) of the alternate contacts the spec sets: none without a phone number (AWS requires one);
    the security contact defaults to the first alarm address, the others to the security contact."""
    if answers.contact_phone is None:
        return []
    security = answers.security_contact_email or alarm_emails(answers)[0]
    emails = {
        "security": security,
        "billing": answers.billing_contact_email or security,
        "operations": answers.operations_contact_email or security,
    }
    return [
        (
            kind,
            {
                "name": f"{answers.organization_name} {kind} team",
                "title": f"{title} contact",
                "email": emails[kind],
                "phone": answers.contact_phone,
            },
        )
        for kind, title in CONTACT_TITLES.items()
    ]


def render_spec_yaml(answers: Answers) -> str:
    template_text = resources.files("bootstrap.spec").joinpath("landing-zone.yaml.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    by_ou = guardrails_by_ou(answers)
    order = answers.organizational_units

    def first_use(path: str) -> tuple[int, int]:
        index = min(i for i, p in enumerate(order) if p == path or p.startswith(path + "/"))
        return index, path.count("/")

    paths = sorted(set(order) | set(by_ou), key=first_use)
    library = load_library()
    return env.from_string(template_text).render(
        a=answers,
        ous=[(p, by_ou.get(p, [])) for p in paths],
        root=root_guardrails(answers),
        titles={gid: g.title for gid, g in library.items()},
        alarm_emails=alarm_emails(answers),
        billing_emails=billing_emails(answers),
        contacts=alternate_contacts(answers),
        workload_ous=workload_ous(answers) if answers.workload_vpc else [],
        workload_subnets=workload_subnets(answers),
        flow_logs="s3" if any(a.name == "log-archive" for a in answers.accounts) else "cloudwatch",
        identity=identity_section(answers),
    )
