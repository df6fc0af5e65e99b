"""Live states that must not fool the observer: namesake accounts, other teams' policy types."""

from __future__ import annotations

from typing import Any

import pytest

from bootstrap.aws.session import Sessions
from bootstrap.errors import SafetyError
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live


def test_an_account_with_the_same_name_but_another_email_is_never_adopted(
    spec: LandingZoneSpec, sessions: Sessions, apply: Any, outsider: Any
) -> None:
    outsider.org.create_organization(FeatureSet="ALL")
    other = outsider.org.create_account(Email="someone-else@example.org", AccountName="audit")["CreateAccountStatus"][
        "AccountId"
    ]

    live, _ = plan_live(spec, sessions)
    errors = [n for n in live.plan.blocked if n.address == "organizations/account/audit"]
    assert len(errors) == 1 and other in errors[0].message and "id:" in errors[0].message
    with pytest.raises(SafetyError):
        apply(spec, sessions)
    assert outsider.parent_of(other) == outsider.root_id()  # not moved into Security


def test_policy_types_enabled_by_others_are_not_drift(
    spec: LandingZoneSpec, sessions: Sessions, apply: Any, outsider: Any
) -> None:
    apply(spec, sessions)
    outsider.org.enable_policy_type(RootId=outsider.root_id(), PolicyType="TAG_POLICY")
    live, _ = plan_live(spec, sessions)
    assert live.plan.empty, [c.address for c in live.plan.changes]
