"""The account baseline: S3 Block Public Access at the account level in every account, management
included. A member account's setting weakened or removed is named, repaired, and gone afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from blueprints.account_baseline import PUBLIC_ACCESS_BLOCK_FLAGS, accounts
from bootstrap.aws.session import Sessions
from bootstrap.changes import Action
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live

Drift = tuple[str, str, Any, Any]
MANAGEMENT_ID = "123456789012"
ALL_ON = dict.fromkeys(PUBLIC_ACCESS_BLOCK_FLAGS, True)


def _account_id(o: Any, name: str) -> str:
    return MANAGEMENT_ID if name == "management" else str(o.account_id(name))


def _block(o: Any, name: str) -> dict[str, Any]:
    s3control = o.client("s3control", None if name == "management" else name)
    answer = s3control.get_public_access_block(AccountId=_account_id(o, name))
    return dict(answer["PublicAccessBlockConfiguration"])


def test_every_account_blocks_public_access(applied: LandingZoneSpec, log_outsider: Any) -> None:
    names = accounts(applied)
    assert names == ["management", "log-archive", "audit"]
    for name in names:
        assert _block(log_outsider, name) == ALL_ON, name


def public_policies_allowed(o: Any) -> Drift:
    audit = o.client("s3control", "audit")
    audit.put_public_access_block(
        AccountId=o.account_id("audit"), PublicAccessBlockConfiguration={**ALL_ON, "BlockPublicPolicy": False}
    )
    return "baseline/s3-public-access-block/audit", "BlockPublicPolicy", False, True


def public_acls_honoured(o: Any) -> Drift:
    o.client("s3control").put_public_access_block(
        AccountId=MANAGEMENT_ID, PublicAccessBlockConfiguration={**ALL_ON, "IgnorePublicAcls": False}
    )
    return "baseline/s3-public-access-block/management", "IgnorePublicAcls", False, True


DRIFTS = {"member-public-policies-allowed": public_policies_allowed, "management-public-acls": public_acls_honoured}


@pytest.mark.parametrize("tamper", DRIFTS.values(), ids=DRIFTS.keys())
def test_drift_is_named_repaired_and_gone(
    tamper: Callable[[Any], Drift], log_outsider: Any, assert_repaired: Callable[[Drift], None]
) -> None:
    assert_repaired(tamper(log_outsider))


def test_a_member_accounts_block_removed_is_put_back(
    applied: LandingZoneSpec, sessions: Sessions, apply: Any, log_outsider: Any
) -> None:
    o = log_outsider
    o.client("s3control", "log-archive").delete_public_access_block(AccountId=o.account_id("log-archive"))

    live, _ = plan_live(applied, sessions)
    assert [(c.address, c.action) for c in live.plan.changes] == [
        ("baseline/s3-public-access-block/log-archive", Action.CREATE)
    ]
    assert {d.name: (d.before, d.after) for d in live.plan.changes[0].diffs} == dict.fromkeys(ALL_ON, (None, True))
    apply(applied, sessions)
    assert _block(o, "log-archive") == ALL_ON
    sessions.stats.reset()
    assert plan_live(applied, sessions)[0].plan.empty
    assert sessions.stats.writes == 0
