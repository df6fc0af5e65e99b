"""The `baseline` section of the spec: settings every account of the organization gets.

S3 Block Public Access at the account level (all four flags), an IAM password policy, alternate contacts
(security, billing, operations) and instance metadata defaults (IMDSv2 required) in the management account and
every member account, and for the organization centralized root access (member accounts without root
credentials). On by default; `enabled: false` leaves every account's settings as they are (the toolkit never
turns them off), for tests of other layers and for organizations that manage them elsewhere.

The limits checked here are AWS's own (IAM `UpdateAccountPasswordPolicy`, Account Management
`PutAlternateContact`, EC2 `ModifyInstanceMetadataDefaults`), so a value AWS would refuse is refused by
`validate` before any call.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

from bootstrap.spec.types import Model, value_error

_CONTACT_EMAIL = re.compile(r"^[\w+=.#|!&-]+@[\w.-]+\.[\w]+$", re.ASCII)
_PHONE = re.compile(r"^[ 0-9()+-]+$")


def check_contact_email(value: str) -> str:
    if not 1 <= len(value) <= 254 or not _CONTACT_EMAIL.match(value):
        raise value_error(
            f"'{value}' is not an e-mail address AWS accepts for an alternate contact",
            "Write one address of at most 254 ASCII characters: letters, digits and + = . # | ! & - before the "
            "'@', a domain with a '.' after it (for example security@example.com).",
        )
    return value


def check_phone(value: str) -> str:
    if not 1 <= len(value) <= 25 or not _PHONE.match(value) or not any(ch.isdigit() for ch in value):
        raise value_error(
            f"'{value}' is not a phone number AWS accepts for an alternate contact",
            "Write at most 25 characters of digits, spaces, '+', '-', '(' and ')' (for example +1 206 555 0100), "
            "in quotes.",
        )
    return value


def _text(limit: int) -> AfterValidator:
    def check(value: str) -> str:
        if not value.strip() or len(value) > limit:
            raise value_error(
                f"'{value}' must be 1 to {limit} characters (AWS's limit for this field of an alternate contact)",
                f"Write a non-empty value of at most {limit} characters.",
            )
        return value

    return AfterValidator(check)


ContactEmail = Annotated[str, AfterValidator(check_contact_email)]
Phone = Annotated[str, AfterValidator(check_phone)]


class ContactSpec(Model):
    """One alternate contact: AWS writes to it about security, billing or operations of the account."""

    name: Annotated[str, _text(64)] = Field(description="A person or a team (1-64 characters).")
    title: Annotated[str, _text(50)] = Field(description="Their role (1-50 characters).")
    email: ContactEmail = Field(description="A monitored mailbox, ideally a team's list.")
    phone: Phone = Field(description="Digits, spaces, '+', '-', '(' and ')', at most 25 characters.")


CONTACT_TYPES = ("security", "billing", "operations")
"""The spec's names of the alternate contact types; AWS's are the same in capitals."""


class AlternateContactsSpec(Model):
    """The alternate contacts every account gets; a type left out is left as it is in every account."""

    security: ContactSpec | None = Field(None, description="Receives AWS's security notifications.")
    billing: ContactSpec | None = Field(None, description="Receives AWS's billing notifications.")
    operations: ContactSpec | None = Field(None, description="Receives AWS's operational notifications.")

    def configured(self) -> dict[str, ContactSpec]:
        """The contact types the spec sets, by the spec's name, in a fixed order."""
        found = {name: getattr(self, name) for name in CONTACT_TYPES}
        return {name: contact for name, contact in found.items() if contact is not None}


class PasswordPolicySpec(Model):
    """The IAM password policy of every account (for IAM users; the landing zone itself creates none)."""

    enabled: bool = Field(True, description="Set the password policy in every account.")
    minimum_length: int = Field(14, ge=6, le=128, description="Minimum password length (AWS: 6 to 128).")
    reuse_prevention: int = Field(24, ge=1, le=24, description="Previous passwords that cannot be reused (1 to 24).")
    max_age_days: int | None = Field(
        None, ge=1, le=1095, description="Days before a password expires (1 to 1095), or null: never."
    )
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True
    allow_users_to_change: bool = Field(True, description="Users may change their own password.")


class InstanceMetadataSpec(Model):
    """The account-level defaults of the instance metadata service for new EC2 instances, per allowed region."""

    enabled: bool = Field(True, description="Require IMDSv2 (session tokens) by default in every account and region.")
    hop_limit: int = Field(
        2, ge=1, le=64, description="HttpPutResponseHopLimit (1 to 64); 2 lets containers on an instance reach IMDS."
    )


class BaselineSpec(Model):
    """What every account gets, management included."""

    enabled: bool = Field(True, description="Apply the account baseline at all.")
    s3_block_public_access: bool = Field(
        True,
        description="S3 Block Public Access at the account level, all four settings, in every account: no "
        "bucket or access point of the account can be made public by an ACL or a policy.",
    )
    password_policy: PasswordPolicySpec = PasswordPolicySpec()
    alternate_contacts: AlternateContactsSpec = AlternateContactsSpec()
    instance_metadata: InstanceMetadataSpec = InstanceMetadataSpec()
    centralized_root_access: bool = Field(
        True,
        description="Centralized root access for member accounts (IAM root credentials management and root "
        "sessions): their root passwords, keys and MFA can be removed from the management account, and new "
        "accounts are created without root credentials.",
    )


def baseline_applies(baseline: BaselineSpec) -> bool:
    """The baseline blueprint has anything to build."""
    return baseline.enabled and any(
        (
            baseline.s3_block_public_access,
            baseline.password_policy.enabled,
            bool(baseline.alternate_contacts.configured()),
            baseline.instance_metadata.enabled,
            baseline.centralized_root_access,
        )
    )
