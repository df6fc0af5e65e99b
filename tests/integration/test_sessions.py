"""Member-account sessions: entered through a role, in parallel, cached per account-region, released on demand."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import botocore.session

from bootstrap.aws.session import Sessions


def _accounts(outsider: Any, n: int) -> list[str]:
    outsider.org.create_organization(FeatureSet="ALL")
    return [
        outsider.org.create_account(Email=f"member{i}@example.org", AccountName=f"member{i}")["CreateAccountStatus"][
            "AccountId"
        ]
        for i in range(n)
    ]


def test_member_clients_act_as_the_role_entered(sessions: Sessions, outsider: Any) -> None:
    (account,) = _accounts(outsider, 1)
    identity = sessions.client("sts", account_id=account).get_caller_identity()
    assert identity["Account"] == account
    assert ":assumed-role/OrganizationAccountAccessRole/" in identity["Arn"]
    assert sessions.entered_role(account) == f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"


def test_accounts_entered_at_once_are_each_entered_once(sessions: Sessions, outsider: Any) -> None:
    accounts = _accounts(outsider, 6)
    sessions.stats.reset()
    with ThreadPoolExecutor(max_workers=12) as pool:
        clients = list(pool.map(lambda a: sessions.client("iam", account_id=a), accounts * 2))
    assert sessions.stats.snapshot() == {"sts:AssumeRole": 6}
    assert [id(c) for c in clients[:6]] == [id(c) for c in clients[6:]]  # cached per account-region


def test_a_released_account_is_entered_again_when_used(sessions: Sessions, outsider: Any) -> None:
    (account,) = _accounts(outsider, 1)
    first = sessions.client("iam", account_id=account)
    sessions.release(account)
    sessions.stats.reset()
    again = sessions.client("iam", account_id=account)
    assert again is not first
    assert again.list_roles()["Roles"] is not None
    assert sessions.stats.snapshot() == {"sts:AssumeRole": 1, "iam:ListRoles": 1}


def test_member_clients_share_one_class_per_service_but_not_their_credentials(
    sessions: Sessions, outsider: Any
) -> None:
    first, second = _accounts(outsider, 2)
    one, two = sessions.client("sts", account_id=first), sessions.client("sts", account_id=second)
    assert type(one) is type(two)  # botocore alone builds a class per client
    assert one.get_caller_identity()["Account"] == first
    assert two.get_caller_identity()["Account"] == second
    assert one.meta.events is not two.meta.events  # each client keeps its own handlers (retry quota, signer)
    assert type(sessions.client("iam", account_id=first)) is type(sessions.client("iam", account_id=second))


def test_a_session_outside_the_toolkit_builds_its_own_classes(sessions: Sessions) -> None:
    ours = sessions.client("iam")
    plain = botocore.session.Session().create_client("iam", region_name="us-east-1")
    assert type(plain) is not type(ours)
    assert type(plain).__name__ == type(ours).__name__ == "IAM"
