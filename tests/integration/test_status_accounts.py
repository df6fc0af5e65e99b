"""`bootstrap status` finds the spec's accounts by e-mail (or the spec's id) in one `ListAccounts` listing."""

from __future__ import annotations

from typing import Any

from botocore.stub import Stubber

from bootstrap.aws.session import Sessions
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.status.accounts import account_ids


def listed(account_id: str, email: str) -> dict[str, Any]:
    return {"Id": account_id, "Email": email, "Name": "n", "Status": "ACTIVE", "Arn": f"arn:aws:o::{account_id}"}


def test_accounts_are_matched_by_email_across_pages(spec: LandingZoneSpec, sessions: Sessions) -> None:
    emails = {a.name: spec.account_email(a) for a in spec.accounts}
    with Stubber(sessions.client("organizations")) as stub:
        stub.add_response(
            "list_accounts", {"Accounts": [listed("111111111111", emails["audit"].upper())], "NextToken": "t"}, {}
        )
        stub.add_response(
            "list_accounts",
            {"Accounts": [listed("222222222222", emails["log-archive"]), listed("333333333333", "other@x.org")]},
            {"NextToken": "t"},
        )
        assert account_ids(spec, sessions) == {"audit": "111111111111", "log-archive": "222222222222"}
        stub.add_client_error("list_accounts", "AWSOrganizationsNotInUseException", "no organization", 400)
        assert account_ids(spec, sessions) == {}
        stub.assert_no_pending_responses()


def test_adopted_accounts_need_no_call(variant: Any, sessions: Sessions) -> None:
    def adopted(data: dict[str, Any]) -> None:
        for n, account in enumerate(data["accounts"]):
            account["id"] = f"44444444444{n}"

    spec = variant(adopted)
    with Stubber(sessions.client("organizations")):  # any call would fail: nothing is stubbed
        assert account_ids(spec, sessions) == {a.name: a.id for a in spec.accounts}
