"""MFA Delete status, read with `get_bucket_versioning`: done only when S3 says `MFADelete: Enabled`.

moto accepts MFA Delete but never stores it, so the done path is tested with botocore's Stubber answering
as S3 does; on moto itself the step stays pending (the sandbox shows it as unavailable, never done).
Also: the demo's outsider (`tamper_trail`) and CloudTrail's delegated administrator, which moto does
not implement either.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.stub import Stubber

from bootstrap.aws.session import Sessions
from bootstrap.changes import Action, Change
from bootstrap.resources import Location, Resource
from bootstrap.sandbox.tamper import tamper_trail
from bootstrap.spec.log_archive import log_bucket_name
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.status.mfa_delete import check_mfa_delete
from bootstrap.types.cloudtrail import DelegatedAdminHandler
from bootstrap.workflow import plan_live

ARCHIVE = "210987654321"


def stubbed_s3(sessions: Sessions, spec: LandingZoneSpec) -> Stubber:
    """The very client `check_mfa_delete` will use (sessions cache clients), with S3's answers stubbed."""
    client = sessions.client("s3", account_id=ARCHIVE, region=spec.organization.home_region)
    return Stubber(client)


def test_mfa_delete_is_done_only_when_s3_reports_it_enabled(spec: LandingZoneSpec, sessions: Sessions) -> None:
    bucket = log_bucket_name(spec)
    with stubbed_s3(sessions, spec) as stub:
        stub.add_response("get_bucket_versioning", {"Status": "Enabled", "MFADelete": "Enabled"}, {"Bucket": bucket})
        state, detail = check_mfa_delete(sessions, spec, ARCHIVE)
        stub.assert_no_pending_responses()
    assert state == "done"
    assert bucket in detail and "MFA Delete enabled" in detail


@pytest.mark.parametrize(
    "response",
    [{"Status": "Enabled", "MFADelete": "Disabled"}, {"Status": "Enabled"}, {"Status": "Suspended"}, {}],
    ids=["disabled", "never-set", "versioning-suspended", "never-versioned"],
)
def test_anything_else_is_pending(spec: LandingZoneSpec, sessions: Sessions, response: dict[str, str]) -> None:
    with stubbed_s3(sessions, spec) as stub:
        stub.add_response("get_bucket_versioning", response, {"Bucket": log_bucket_name(spec)})
        state, detail = check_mfa_delete(sessions, spec, ARCHIVE)
    assert state == "pending"
    assert "mfa-delete.md" in detail


def test_unreadable_is_unknown_and_missing_bucket_is_pending(spec: LandingZoneSpec, sessions: Sessions) -> None:
    with stubbed_s3(sessions, spec) as stub:
        stub.add_client_error("get_bucket_versioning", "AccessDenied", "Access Denied", 403)
        assert check_mfa_delete(sessions, spec, ARCHIVE)[0] == "unknown"
        stub.add_client_error("get_bucket_versioning", "NoSuchBucket", "The specified bucket does not exist", 404)
        state, detail = check_mfa_delete(sessions, spec, ARCHIVE)
    assert state == "pending" and "does not exist yet" in detail
    assert check_mfa_delete(sessions, spec, None)[0] == "pending", "no account yet: nothing to check"


def test_on_moto_mfa_delete_never_shows_as_done(
    applied: LandingZoneSpec, sessions: Sessions, log_outsider: Any
) -> None:
    """moto takes the root user's command without error but does not store MFADelete: pending, not done."""
    log_outsider.s3().put_bucket_versioning(
        Bucket=log_outsider.bucket,
        VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"},
        MFA="arn:aws:iam::210987654321:mfa/root-account-mfa-device 123456",
    )
    state, _ = check_mfa_delete(sessions, applied, log_outsider.account_id("log-archive"))
    assert state == "pending"


def test_demo_tamper_stops_the_trail_and_apply_restarts_it(
    applied: LandingZoneSpec, sessions: Sessions, apply: Any, log_outsider: Any
) -> None:
    done = tamper_trail(applied)
    assert [(d.address, d.property) for d in done] == [("logging/trail", "IsLogging")]
    assert log_outsider.trail in done[0].description
    assert log_outsider.cloudtrail().get_trail_status(Name=log_outsider.trail)["IsLogging"] is False
    live, _ = plan_live(applied, sessions)
    assert [(c.address, [d.name for d in c.diffs]) for c in live.plan.changes] == [("logging/trail", ["IsLogging"])]
    apply(applied, sessions)
    assert log_outsider.cloudtrail().get_trail_status(Name=log_outsider.trail)["IsLogging"] is True


def test_delegated_administrator_is_registered_through_cloudtrail(sessions: Sessions) -> None:
    """CloudTrail's own API registers the delegated administrator (moto does not implement it); an
    account already registered counts as done."""
    location = Location("management", "us-east-1")
    resource = Resource(
        address="organizations/delegated-admin/cloudtrail.amazonaws.com",
        logical_id="CloudTrailDelegatedAdmin",
        type="Bootstrap::CloudTrail::DelegatedAdministrator",
        location=location,
        properties={"AccountId": ARCHIVE, "ServicePrincipal": "cloudtrail.amazonaws.com"},
    )
    change = Change(resource.address, resource.type, location, Action.CREATE)

    class Ctx:
        journal = None

        @staticmethod
        def client(service: str, where: Location) -> Any:
            return sessions.client(service, region=where.region)

        @staticmethod
        def sleep(_: float) -> None:
            return None

    with Stubber(sessions.client("cloudtrail", region="us-east-1")) as stub:
        stub.add_response("register_organization_delegated_admin", {}, {"MemberAccountId": ARCHIVE})
        stub.add_client_error("register_organization_delegated_admin", "AccountRegisteredException", "registered")
        handler = DelegatedAdminHandler()
        assert handler.create(Ctx(), resource, dict(resource.properties), change).ref == ARCHIVE  # type: ignore[arg-type]
        assert handler.create(Ctx(), resource, dict(resource.properties), change).ref == ARCHIVE  # type: ignore[arg-type]
        stub.assert_no_pending_responses()
