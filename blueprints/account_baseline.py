"""The account baseline blueprint: settings every account of the organization gets, whatever its layer.

In the management account and in every member account the spec declares: S3 Block Public Access at the
account level (all four flags), the IAM password policy, the alternate contacts (security, billing,
operations) and, in every allowed region, the instance metadata defaults (IMDSv2 required for new instances).
For the organization: centralized root access (IAM's trusted access, then root credentials management and root
sessions), so that member accounts can be left without root credentials. Trusted access for Account Management
(the contacts of member accounts are set from the management account) comes first, as a change of its own;
IAM's is part of the root access change, which the plan shows as one.

CloudFormation has no resource for any of these, so the blueprint's template stays empty (nothing to render)
and its resources are of the toolkit's own types (`Bootstrap::S3::AccountPublicAccessBlock`,
`Bootstrap::IAM::AccountPasswordPolicy`, `Bootstrap::Account::AlternateContacts`,
`Bootstrap::EC2::InstanceMetadataDefaults`, `Bootstrap::IAM::CentralizedRootAccess`). A resource in a member
account waits for that account to be created.
"""

from __future__ import annotations

from typing import Any

from troposphere import Template

from blueprints.binding import account_id_value, engine_dependencies
from blueprints.common import Blueprint
from bootstrap.names import (
    ACCOUNT_PRINCIPAL,
    IAM_PRINCIPAL,
    ROOT_ACCESS_ADDRESS,
    alternate_contacts_address,
    instance_metadata_address,
    logical_id,
    password_policy_address,
    public_access_block_address,
    service_access_address,
)
from bootstrap.resources import GLOBAL, Location, Resource
from bootstrap.spec.baseline import BaselineSpec, PasswordPolicySpec
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec

NAME = "account-baseline"
ACCOUNT_PUBLIC_ACCESS_BLOCK = "Bootstrap::S3::AccountPublicAccessBlock"
PASSWORD_POLICY = "Bootstrap::IAM::AccountPasswordPolicy"
ALTERNATE_CONTACTS = "Bootstrap::Account::AlternateContacts"
INSTANCE_METADATA_DEFAULTS = "Bootstrap::EC2::InstanceMetadataDefaults"
CENTRALIZED_ROOT_ACCESS = "Bootstrap::IAM::CentralizedRootAccess"
SERVICE_ACCESS = "Bootstrap::Organizations::ServiceAccess"
PUBLIC_ACCESS_BLOCK_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
"""The four settings of S3 Block Public Access, named as the S3 Control API and CloudFormation name them."""
CONTACT_PROPERTIES = {"security": "Security", "billing": "Billing", "operations": "Operations"}
"""The spec's contact types -> the resource's properties (AWS's `AlternateContactType` is the name in capitals)."""
ROOT_FEATURES = ("RootCredentialsManagement", "RootSessions")
"""The features of centralized root access, as `iam:ListOrganizationsFeatures` names them."""
ACCOUNT_ACCESS_ID = "AccountManagementTrustedAccess"


def accounts(spec: LandingZoneSpec) -> list[str]:
    """Every account the baseline applies to: the management account, then the spec's accounts in order."""
    return [MANAGEMENT, *(a.name for a in spec.accounts)]


def password_policy_properties(policy: PasswordPolicySpec) -> dict[str, Any]:
    """The policy as `UpdateAccountPasswordPolicy` takes it (and `GetAccountPasswordPolicy` answers it)."""
    properties: dict[str, Any] = {
        "MinimumPasswordLength": policy.minimum_length,
        "RequireSymbols": policy.require_symbols,
        "RequireNumbers": policy.require_numbers,
        "RequireUppercaseCharacters": policy.require_uppercase,
        "RequireLowercaseCharacters": policy.require_lowercase,
        "AllowUsersToChangePassword": policy.allow_users_to_change,
        "PasswordReusePrevention": policy.reuse_prevention,
    }
    if policy.max_age_days is not None:
        properties["MaxPasswordAge"] = policy.max_age_days
    return properties


def contact_properties(baseline: BaselineSpec) -> dict[str, dict[str, str]]:
    """The configured contacts as `PutAlternateContact` takes each (without its type and account)."""
    return {
        CONTACT_PROPERTIES[kind]: {
            "Name": contact.name,
            "Title": contact.title,
            "EmailAddress": contact.email,
            "PhoneNumber": contact.phone,
        }
        for kind, contact in baseline.alternate_contacts.configured().items()
    }


def _account_access(bp: Blueprint) -> None:
    """Trusted access for Account Management: the management account may then set member accounts' contacts."""
    bp.add_native(
        Resource(
            address=service_access_address(ACCOUNT_PRINCIPAL),
            logical_id=ACCOUNT_ACCESS_ID,
            type=SERVICE_ACCESS,
            location=Location(MANAGEMENT, GLOBAL),
            properties={"ServicePrincipal": ACCOUNT_PRINCIPAL},
            depends_on=("Organization",),
        )
    )


def build(spec: LandingZoneSpec) -> Blueprint:
    template = Template(
        Description=f"Landing zone '{spec.organization.name}': the account baseline (S3 Block Public Access, "
        "password policy, alternate contacts, instance metadata defaults in every account; centralized root "
        "access). Not expressible in CloudFormation: applied by the toolkit itself.",
    )
    bp = Blueprint(NAME, template)
    baseline = spec.baseline
    contacts = contact_properties(baseline)
    if contacts:
        _account_access(bp)
    if baseline.centralized_root_access:
        bp.add_native(
            Resource(
                address=ROOT_ACCESS_ADDRESS,
                logical_id="CentralizedRootAccess",
                type=CENTRALIZED_ROOT_ACCESS,
                location=Location(MANAGEMENT, GLOBAL),
                properties={"TrustedAccess": IAM_PRINCIPAL, **dict.fromkeys(ROOT_FEATURES, True)},
                depends_on=("Organization",),
            )
        )
    for account in accounts(spec):
        _account(spec, bp, account, contacts)
    return bp


def _account(spec: LandingZoneSpec, bp: Blueprint, account: str, contacts: dict[str, dict[str, str]]) -> None:
    baseline = spec.baseline
    home = Location(account, spec.organization.home_region)
    everywhere = Location(account, GLOBAL)
    if baseline.s3_block_public_access:
        bp.add_native(
            Resource(
                address=public_access_block_address(account),
                logical_id=logical_id("S3AccountPublicAccessBlock", account),
                type=ACCOUNT_PUBLIC_ACCESS_BLOCK,
                location=home,
                properties={
                    "AccountId": account_id_value(spec, account),
                    **dict.fromkeys(PUBLIC_ACCESS_BLOCK_FLAGS, True),
                },
                depends_on=engine_dependencies(home),
            )
        )
    if baseline.password_policy.enabled:
        bp.add_native(
            Resource(
                address=password_policy_address(account),
                logical_id=logical_id("PasswordPolicy", account),
                type=PASSWORD_POLICY,
                location=everywhere,
                properties=password_policy_properties(baseline.password_policy),
                depends_on=engine_dependencies(everywhere),
            )
        )
    if contacts:
        # set from the management account; a member account named by its id (the management account by none)
        member = {} if account == MANAGEMENT else {"AccountId": account_id_value(spec, account)}
        bp.add_native(
            Resource(
                address=alternate_contacts_address(account),
                logical_id=logical_id("AlternateContacts", account),
                type=ALTERNATE_CONTACTS,
                location=everywhere,
                properties={**member, **contacts},
                depends_on=(*engine_dependencies(everywhere), ACCOUNT_ACCESS_ID),
            )
        )
    if baseline.instance_metadata.enabled:
        for region in spec.organization.allowed_regions:
            where = Location(account, region)
            bp.add_native(
                Resource(
                    address=instance_metadata_address(account, region),
                    logical_id=logical_id("InstanceMetadataDefaults", account, region),
                    type=INSTANCE_METADATA_DEFAULTS,
                    location=where,
                    properties={
                        "HttpTokens": "required",
                        "HttpPutResponseHopLimit": baseline.instance_metadata.hop_limit,
                    },
                    depends_on=engine_dependencies(where),
                )
            )
