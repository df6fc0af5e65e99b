"""The `logging` section of the spec: the log archive (bucket and keys), the organization trail, its alarms.

The names of what this layer creates (buckets, trail, log group, aliases) are derived here from the spec
alone, so the blueprints, the guardrail library (the log bucket's ARN), the runbooks and `bootstrap
status` all agree on them without any AWS call.
"""

from __future__ import annotations

from bootstrap.spec import values
from bootstrap.spec.logging_model import DEFAULT_ACCOUNT as DEFAULT_ACCOUNT
from bootstrap.spec.logging_model import LOG_GROUP_RETENTION_DAYS as LOG_GROUP_RETENTION_DAYS
from bootstrap.spec.logging_model import DataEventsSpec as DataEventsSpec
from bootstrap.spec.logging_model import LoggingSpec as LoggingSpec
from bootstrap.spec.logging_model import ObjectLockSpec as ObjectLockSpec
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.spec.types import MANAGEMENT, principal_account

Problem = tuple[tuple[str | int, ...], str, str]
"""(field path, message, fix), turned into `checks.Problem` by `check_spec`."""


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
        problem = values.bucket_problem(name)
        if problem is not None and getattr(spec.logging, field) is None:
            problems.append(
                (
                    ("logging", field),
                    f"the bucket name derived from organization.name, the management account id and the home "
                    f"region is not valid: {problem}",
                    f"Set logging.{field} to a name of your own. {values.BUCKET_FIX}",
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
