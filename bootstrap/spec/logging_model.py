"""The models of the spec's `logging` section: the log archive, the organization trail and its alarms.

What the section means for the rest of the toolkit (derived names, cross-field rules, warnings) is in
`bootstrap.spec.log_archive`, which needs the whole spec; this module needs only the field types, so
`model.py` can import it without a cycle.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from bootstrap.spec.types import MANAGEMENT, BucketName, Email, Model, PrincipalPattern, RoleName, Slug, value_error

LOG_GROUP_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
"""The only values CloudWatch Logs accepts for a log group's retention."""

DEFAULT_ACCOUNT = "log-archive"


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
            raise value_error(
                f"{value} days is not a retention CloudWatch Logs accepts",
                f"Set logging.log_group_retention_days to one of {allowed}.",
            )
        return value
