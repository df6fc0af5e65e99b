"""`bootstrap status`'s step `member-root-credentials`: each member account's root user read in an audit root
session (`sts:AssumeRoot`), against AWS-shaped stubbed answers (moto implements no AssumeRoot)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber
from variants import spec_variants

from bootstrap.aws.session import SIMULATED_ENV, AwsTarget, Sessions
from bootstrap.status.baseline import AUDIT_TASK_POLICY, ROOT_SESSION_SECONDS, check_member_root_credentials

MEMBERS = {"audit": "111111111111", "log-archive": "222222222222"}
FEATURES = {"OrganizationId": "o-abcdefghij", "EnabledFeatures": ["RootCredentialsManagement", "RootSessions"]}


@pytest.fixture
def sessions(monkeypatch: pytest.MonkeyPatch) -> Sessions:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "AKIAOPERATOR",
        "AWS_SECRET_ACCESS_KEY": "s",
        "AWS_SESSION_TOKEN": "t",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return Sessions(AwsTarget(max_attempts=1, parallelism=1), default_region="us-east-1")  # stubbed calls in order


def root_session(account_id: str) -> dict[str, Any]:
    """AssumeRoot's answer: credentials whose key id names the account (the stubbed IAM clients are found by it)."""
    expires = datetime.datetime(2026, 12, 6, 4, 15, tzinfo=datetime.UTC)
    return {
        "Credentials": {
            "AccessKeyId": f"ASIA{account_id}",
            "SecretAccessKey": "secret",
            "SessionToken": "token",
            "Expiration": expires,
        }
    }


def assume_root_params(account_id: str) -> dict[str, Any]:
    return {
        "TargetPrincipal": account_id,
        "TaskPolicyArn": {"arn": AUDIT_TASK_POLICY},
        "DurationSeconds": ROOT_SESSION_SECONDS,
    }


class Root:
    """A member account's root user as IAM answers in an audit session: login profile, access keys, MFA."""

    def __init__(self, account_id: str, *, password: bool = False, keys: int = 0, mfa: int = 0) -> None:
        self.account_id, self.password, self.keys, self.mfa = account_id, password, keys, mfa

    def stub(self, client: Any) -> Stubber:
        stub = Stubber(client)
        created = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
        if self.password:
            profile = {"UserName": "root", "CreateDate": created, "PasswordResetRequired": False}
            stub.add_response("get_login_profile", {"LoginProfile": profile}, {})
        else:
            stub.add_client_error("get_login_profile", "NoSuchEntity", "Login Profile for root cannot be found.", 404)
        keys = [
            {"AccessKeyId": f"AKIAROOT{n}{self.account_id}", "Status": "Active", "CreateDate": created}
            for n in range(self.keys)
        ]
        stub.add_response("list_access_keys", {"AccessKeyMetadata": keys, "IsTruncated": False}, {})
        devices = [
            {"UserName": "root", "SerialNumber": f"arn:aws:iam::{self.account_id}:mfa/root-{n}", "EnableDate": created}
            for n in range(self.mfa)
        ]
        stub.add_response("list_mfa_devices", {"MFADevices": devices, "IsTruncated": False}, {})
        stub.activate()
        return stub


@pytest.fixture
def aws(sessions: Sessions, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Stubber, dict[str, Root]]]:
    """The management account's calls stubbed (features, AssumeRoot); `roots[account_id]` sets each member's root
    user; every stubbed answer must be used."""
    roots: dict[str, Root] = {}
    used: list[Stubber] = []
    real = sessions.client_with

    def client_with(service: str, credentials: Any) -> Any:
        assert service == "iam"
        client = real(service, credentials)
        used.append(roots[credentials["AccessKeyId"].removeprefix("ASIA")].stub(client))
        return client

    monkeypatch.setattr(sessions, "client_with", client_with)
    with Stubber(sessions.client("iam")) as iam, Stubber(sessions.regional_sts()) as sts:
        iam.add_response("list_organizations_features", FEATURES, {})
        yield sts, roots
        iam.assert_no_pending_responses()
        sts.assert_no_pending_responses()
    for stub in used:
        stub.assert_no_pending_responses()


def test_a_member_with_a_root_password_is_pending_and_named(
    sessions: Sessions, aws: tuple[Stubber, dict[str, Root]]
) -> None:
    sts, roots = aws
    roots.update({"111111111111": Root("111111111111", password=True, mfa=1), "222222222222": Root("222222222222")})
    sts.add_response("assume_root", root_session("111111111111"), assume_root_params("111111111111"))
    sts.add_response("assume_root", root_session("222222222222"), assume_root_params("222222222222"))
    state, detail = check_member_root_credentials(spec_variants()["default"], sessions, MEMBERS)
    assert state == "pending"
    assert "audit (a password)" in detail and "log-archive" not in detail
    assert "runbooks/account-baseline.md#member-root-credentials" in detail


def test_access_keys_alone_are_pending(sessions: Sessions, aws: tuple[Stubber, dict[str, Root]]) -> None:
    sts, roots = aws
    roots.update({"111111111111": Root("111111111111"), "222222222222": Root("222222222222", keys=2)})
    sts.add_response("assume_root", root_session("111111111111"), assume_root_params("111111111111"))
    sts.add_response("assume_root", root_session("222222222222"), assume_root_params("222222222222"))
    state, detail = check_member_root_credentials(spec_variants()["default"], sessions, MEMBERS)
    assert (state, "log-archive (2 access keys)" in detail, "audit (" in detail) == ("pending", True, False)


def test_all_clean_is_done_and_notes_mfa_devices(sessions: Sessions, aws: tuple[Stubber, dict[str, Root]]) -> None:
    sts, roots = aws
    roots.update({"111111111111": Root("111111111111", mfa=2), "222222222222": Root("222222222222")})
    sts.add_response("assume_root", root_session("111111111111"), assume_root_params("111111111111"))
    sts.add_response("assume_root", root_session("222222222222"), assume_root_params("222222222222"))
    state, detail = check_member_root_credentials(spec_variants()["default"], sessions, MEMBERS)
    assert state == "done"
    assert (
        "any of the 2 member accounts" in detail and "MFA devices still registered" in detail and "audit (2)" in detail
    )


def test_access_denied_on_assume_root_is_unknown_with_the_reason(
    sessions: Sessions, aws: tuple[Stubber, dict[str, Root]]
) -> None:
    sts, roots = aws
    roots["222222222222"] = Root("222222222222")
    sts.add_client_error(
        "assume_root",
        "AccessDenied",
        "User is not authorized to perform: sts:AssumeRoot",
        403,
        expected_params=assume_root_params("111111111111"),
    )
    sts.add_response("assume_root", root_session("222222222222"), assume_root_params("222222222222"))
    state, detail = check_member_root_credentials(spec_variants()["default"], sessions, MEMBERS)
    assert state == "unknown"
    assert "audit (AccessDenied: User is not authorized to perform: sts:AssumeRoot)" in detail
    assert "log-archive" not in detail


def test_the_sandbox_says_it_cannot_read_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SIMULATED_ENV, "1")
    sandbox = Sessions(AwsTarget(endpoint_url="http://localhost:1"), default_region="us-east-1")
    with Stubber(sandbox.regional_sts()), Stubber(sandbox.client("iam")):  # any call would fail: nothing stubbed
        state, detail = check_member_root_credentials(spec_variants()["default"], sandbox, MEMBERS)
    assert state == "unavailable" and "sandbox" in detail


def test_assume_root_goes_to_a_regional_endpoint_and_the_session_signs_iam(sessions: Sessions) -> None:
    """The global STS endpoint refuses AssumeRoot; the audit's IAM client carries the root session's keys."""
    assert sessions.regional_sts().meta.endpoint_url == "https://sts.us-east-1.amazonaws.com"
    client = sessions.client_with("iam", root_session("111111111111")["Credentials"])
    assert client._request_signer._credentials.access_key == "ASIA111111111111"
    client.close()
