"""Is MFA Delete on for the log archive bucket? Read with `get_bucket_versioning` in the log archive account.

Only S3's own answer counts: the step is `done` when it reports `MFADelete: Enabled`, `pending` while it
does not (or the bucket or account does not exist yet), `unknown` when it cannot be read. The sandbox
(moto) accepts MFA Delete but never stores it, so there this stays pending; `bootstrap status` shows
that as unavailable, never as done.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from bootstrap.aws.retry import error_code
from bootstrap.aws.session import Sessions
from bootstrap.spec.log_archive import log_bucket_name, logging_enabled
from bootstrap.spec.model import LandingZoneSpec


def check_mfa_delete(sessions: Sessions, spec: LandingZoneSpec, account_id: str | None) -> tuple[str, str]:
    """(state, detail) of the MFA Delete step; `account_id` is the log archive account's, None if it has
    not been created yet."""
    if not logging_enabled(spec):
        return "unknown", "this spec builds no log archive"
    bucket = log_bucket_name(spec)
    if account_id is None:
        return "pending", f"account {spec.logging.account} does not exist yet; run `bootstrap apply` first"
    s3 = sessions.client("s3", account_id=account_id, region=spec.organization.home_region)
    try:
        versioning = s3.get_bucket_versioning(Bucket=bucket)
    except ClientError as err:
        if error_code(err) == "NoSuchBucket":
            return "pending", f"bucket {bucket} does not exist yet; run `bootstrap apply` first"
        if error_code(err) in ("AccessDenied", "AccessDeniedException"):
            return "unknown", f"not allowed to read the versioning of {bucket}: {err.response['Error'].get('Message')}"
        raise
    if versioning.get("MFADelete") == "Enabled":
        return "done", f"{bucket}: versioning {versioning.get('Status', 'off')}, MFA Delete enabled"
    return "pending", (
        f"{bucket}: versioning {versioning.get('Status', 'off')}, MFA Delete not enabled; see runbooks/mfa-delete.md"
    )
