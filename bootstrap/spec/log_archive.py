"""The `logging` section of the spec: the log archive (bucket and keys), the organization trail, its alarms.

The names of what this layer creates (buckets, trail, log group, aliases) are derived here from the spec
alone, so the blueprints, the guardrail library (the log bucket's ARN), the runbooks and `bootstrap
status` all agree on them without any AWS call.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, Field, field_validator

from bootstrap.spec.types import MANAGEMENT, Email, Model, PrincipalPattern, RoleName, Slug, principal_account

if TYPE_CHECKING:
    from bootstrap.spec.model import LandingZoneSpec

LOG_GROUP_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
"""The only values CloudWatch Logs accepts for a log group's retention."""

DEFAULT_ACCOUNT = "log-archive"

_BUCKET = re.compile(r"^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")

Problem = tuple[tuple[str | int, ...], str, str]
"""(field path, message, fix), turned into `checks.Problem` by `check_spec`."""


def _bucket(value: str) -> str:
    if not _BUCKET.match(value) or ".." in value:
        raise ValueError(f"'{value}' is not a valid S3 bucket name (3-63 lowercase letters, digits, '-' or '.')")
    return value


BucketName = Annotated[str, AfterValidator(_bucket)]


class ObjectLockSpec(Model):
    """Object Lock of the log bucket. It can only be turned on when the bucket is created, never off."""

    enabled: bool = Field(True, description="Object Lock on the log bucket (only settable at creation).")
    mode: Literal["GOVERNANCE", "COMPLIANCE"] = Field(
        "GOVERNANCE",
        description="GOVERNANCE: only the break-glass role may shorten retention or delete early. COMPLIANCE: "
        "nobody can, not even the root user, until each object's retention ends; it cannot be undone.",
    )
    days: int = Field(365, ge=1, le=36500, description="Default retention of every new log object, in days.")


class DataEventsSpec(Model):
    """Data events the trail records on top of all management events (they are billed per event)."""

    s3_objects: bool = Field(False, description="Object-level S3 API calls in every bucket.")
    lambda_functions: bool = Field(False, description="Lambda function invocations.")


class LoggingSpec(Model):
    """The log archive account's bucket and keys, the organization trail, and the CIS alarms on it.

    The log bucket never carries lifecycle rules: S3 refuses them on a bucket with MFA Delete, which the
    runbook mfa-delete.md has the log archive account's root user turn on. Logs are kept until removed by hand.
    """

    enabled: bool = Field(True, description="Build this layer at all.")
    account: Slug = Field(
        DEFAULT_ACCOUNT,
        description="Account (from `accounts`) holding the log bucket and the logs key. With the default "
        "name, a spec that declares no such account simply has no logging layer.",
    )
    trail_account: Slug = Field(
        MANAGEMENT,
        description="Account owning the organization trail, its log group and alarms: 'management', or the "
        "name of an account to register as CloudTrail's delegated administrator.",
    )
    bucket_name: BucketName | None = Field(
        None, description="Name of the log bucket; default <org>-logs-<management id>-<home region>."
    )
    access_log_bucket_name: BucketName | None = Field(
        None, description="Name of the bucket receiving the log bucket's server access logs."
    )
    object_lock: ObjectLockSpec = ObjectLockSpec()
    log_group_retention_days: int = Field(
        365, description="Retention of the trail's CloudWatch Logs group (a value CloudWatch accepts)."
    )
    data_events: DataEventsSpec = DataEventsSpec()
    key_administrators_role: RoleName = Field(
        "LandingZoneKeyAdmin", description="Role that may manage the keys but never use them."
    )
    key_readers_role: RoleName = Field(
        "LandingZoneSecurityAudit", description="Security role that may decrypt the logs (and nothing else)."
    )
    key_administrators: list[PrincipalPattern] = Field(
        default_factory=list,
        description="Management account principals that may assume the key administrators role; "
        "default: organization.operators.",
    )
    key_readers: list[PrincipalPattern] = Field(
        default_factory=list,
        description="Management account principals that may assume the key readers role (read and decrypt "
        "the logs); default: organization.operators.",
    )
    alarm_emails: list[Email] = Field(
        default_factory=list, description="Subscribers of the security alarm topic (each must confirm)."
    )
    cis_alarms: bool = Field(True, description="CIS AWS Foundations section 4 metric filters and alarms.")
    delivery_notifications: bool = Field(
        False,
        description="An SNS notification for every log file the trail delivers (a topic in the trail account, "
        "encrypted with the monitoring key, that only this trail may publish to). Off by default: an "
        "organization trail delivers many files an hour; subscribe a queue or function, not people.",
    )

    @field_validator("log_group_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in LOG_GROUP_RETENTION_DAYS:
            allowed = ", ".join(map(str, LOG_GROUP_RETENTION_DAYS))
            raise ValueError(f"{value} is not a retention CloudWatch Logs accepts; use one of {allowed}")
        return value


def logging_enabled(spec: LandingZoneSpec) -> bool:
    """Whether the spec builds this layer: asked for, and its account is declared.

    A spec that declares no account of the default name `log-archive` and names no other one (an
    organization-only landing zone) simply has no logging layer; `warnings` says so. A spec that names
    another account which is not declared is refused (`logging_problems`).
    """
    return spec.logging.enabled and any(a.name == spec.logging.account for a in spec.accounts)


def log_bucket_name(spec: LandingZoneSpec) -> str:
    org = spec.organization
    return spec.logging.bucket_name or f"{org.name}-logs-{org.management_account_id}-{org.home_region}"


def access_log_bucket_name(spec: LandingZoneSpec) -> str:
    org = spec.organization
    return spec.logging.access_log_bucket_name or (
        f"{org.name}-access-logs-{org.management_account_id}-{org.home_region}"
    )


def log_bucket_arns(spec: LandingZoneSpec) -> list[str]:
    """The ARNs the log-bucket guardrail protects: the names the spec derives, even while the layer is off
    (protecting a bucket that does not exist yet is harmless, and a guardrail never renders empty)."""
    return [f"arn:aws:s3:::{log_bucket_name(spec)}", f"arn:aws:s3:::{access_log_bucket_name(spec)}"]


def trail_name(spec: LandingZoneSpec) -> str:
    return f"{spec.organization.name}-organization-trail"


def log_group_name(spec: LandingZoneSpec) -> str:
    return f"/{spec.organization.name}/organization-trail"


def key_alias(spec: LandingZoneSpec, purpose: str) -> str:
    return f"alias/{spec.organization.name}/{purpose}"


def logging_problems(spec: LandingZoneSpec) -> list[Problem]:
    """Rules that need the rest of the spec: the accounts named must exist, bucket names must fit."""
    if not spec.logging.enabled:
        return []
    names = [a.name for a in spec.accounts]
    problems: list[Problem] = []
    renamed = spec.logging.account != DEFAULT_ACCOUNT  # the default name only builds the layer if declared
    if spec.logging.account not in names and renamed:
        problems.append(
            (
                ("logging", "account"),
                f"account '{spec.logging.account}' is not in accounts",
                "Name an account listed under `accounts` (for example log-archive), or add it there.",
            )
        )
    if spec.logging.trail_account != MANAGEMENT and spec.logging.trail_account not in names:
        problems.append(
            (
                ("logging", "trail_account"),
                f"trail_account '{spec.logging.trail_account}' is neither 'management' nor in accounts",
                "Use 'management', or the name of an account listed under `accounts`.",
            )
        )
    management = spec.organization.management_account_id
    for field in ("key_administrators", "key_readers"):
        for index, pattern in enumerate(getattr(spec.logging, field)):
            if principal_account(pattern) != management:
                problems.append(
                    (
                        ("logging", field, index),
                        f"'{pattern}' is not a principal of the management account {management}",
                        f"The key roles trust only the management account: name a role or user of {management}.",
                    )
                )
    if not logging_enabled(spec):
        return problems
    for field, name in (
        ("bucket_name", log_bucket_name(spec)),
        ("access_log_bucket_name", access_log_bucket_name(spec)),
    ):
        if not _BUCKET.match(name):
            problems.append(
                (
                    ("logging", field),
                    f"the derived bucket name '{name}' is not a valid S3 bucket name (at most 63 characters)",
                    f"Set logging.{field} to a name of 3-63 lowercase letters, digits and '-'.",
                )
            )
    if log_bucket_name(spec) == access_log_bucket_name(spec):
        problems.append(
            (
                ("logging", "access_log_bucket_name"),
                "the access-log bucket must differ from the log bucket",
                "Give logging.access_log_bucket_name another name.",
            )
        )
    return problems


def warnings(spec: LandingZoneSpec) -> list[str]:
    """Valid but worth a second look; `bootstrap validate` prints these."""
    found: list[str] = []
    lock = spec.logging.object_lock
    if spec.logging.enabled and not logging_enabled(spec):
        found.append(
            f"logging: no account named '{spec.logging.account}' in accounts, so no log archive, organization "
            "trail or CIS alarms will be built; add the account or a `logging:` section naming another one."
        )
        return found
    if not spec.logging.enabled:
        found.append("logging.enabled is false: no organization trail, no log archive, no CIS alarms.")
        return found
    if lock.enabled and lock.mode == "COMPLIANCE":
        found.append(
            f"logging.object_lock.mode is COMPLIANCE: every log object in {log_bucket_name(spec)} is locked for "
            f"{lock.days} days and nobody, not even the root user or AWS Support, can delete it or shorten "
            "that; the bucket cannot be deleted before the last object expires. This cannot be undone."
        )
    if not lock.enabled:
        found.append(
            "logging.object_lock.enabled is false: log files can be deleted by anyone the bucket policy "
            "allows. Object Lock can only be turned on when the bucket is created."
        )
    guardrails = runbook_facts(spec)["guarding_ous"]
    if not guardrails:
        found.append(
            f"no OU above account {spec.logging.account} carries the protect-log-archive guardrail: inside "
            "that account only the bucket policy stops an administrator from weakening the log bucket."
        )
    if not spec.logging.alarm_emails and spec.logging.cis_alarms:
        found.append("logging.alarm_emails is empty: the CIS alarms fire into a topic nobody is subscribed to.")
    if spec.logging.trail_account == MANAGEMENT:
        found.append(management_trail_warning(spec))
    return found


def management_trail_warning(spec: LandingZoneSpec) -> str:
    """What `trail_account: management` gives up: SCPs never apply to the management account, so there the
    protect-security-services guardrail cannot stop anyone from stopping or reconfiguring the trail, and
    nothing but IAM guards its log group, alarms, alarm topic and monitoring key."""
    audit = next((a.name for a in spec.accounts if a.name == "audit"), None)
    suggestion = f"trail_account: {audit}" if audit else "trail_account: <a security account in accounts>"
    return (
        "logging.trail_account is management: the organization trail, its CloudWatch Logs group, the CIS "
        "alarms, the alarm topic and the monitoring key live in the management account, where no SCP applies. "
        "There the protect-security-services and protect-log-monitoring guardrails do not stop anyone with "
        "administrator rights from stopping, reconfiguring or deleting the trail, or deleting the alarms; only "
        "IAM in the management account protects them. For a real organization, prefer a security account "
        f"registered as CloudTrail's delegated administrator ({suggestion}); the sandbox stays on management "
        "(it cannot register one)."
    )


def runbook_facts(spec: LandingZoneSpec) -> dict[str, object]:
    """What the MFA Delete runbook needs to name: the bucket, the account, the guardrails in the way."""
    account = next((a for a in spec.accounts if a.name == spec.logging.account), None)
    ou_chain: list[str] = []
    if account is not None and account.ou != "Root":
        parts = account.ou.split("/")
        ou_chain = ["/".join(parts[:depth]) for depth in range(1, len(parts) + 1)]
    blocking = ("deny-iam-users-and-access-keys", "deny-root-user", "protect-log-archive")
    guarding = [path for path in ou_chain if "protect-log-archive" in spec.guardrails_for(path)]
    return {
        "enabled": logging_enabled(spec),
        "account": spec.logging.account,
        "account_ou": account.ou if account else None,
        "account_email": spec.account_email(account) if account else None,
        "bucket": log_bucket_name(spec),
        "access_log_bucket": access_log_bucket_name(spec),
        "region": spec.organization.home_region,
        "object_lock": spec.logging.object_lock,
        "trail": trail_name(spec),
        "log_group": log_group_name(spec),
        "alarm_emails": list(spec.logging.alarm_emails),
        "cis_alarms": spec.logging.cis_alarms,
        "guarding_ous": guarding,
        "blocking_guardrails": sorted({g for path in ou_chain for g in spec.guardrails_for(path) if g in blocking}),
        "mfa_delete_command": (
            f"aws s3api put-bucket-versioning --bucket {log_bucket_name(spec)} "
            '--versioning-configuration Status=Enabled,MFADelete=Enabled --mfa "SERIAL CODE"'
        ),
    }
