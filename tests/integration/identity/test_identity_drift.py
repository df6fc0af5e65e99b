"""Drift of the identity layer: an outsider changes access by hand (plain boto3, as in the console); the plan
shows exactly that drift, apply repairs it, and the next plan is empty. What the sandbox cannot change (a group's
description: moto has no UpdateGroup) is said plainly and not planned."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from variants import IDENTITY_GROUPS, identity_spec

from bootstrap.aws.session import Sessions
from bootstrap.changes import UNAVAILABLE, Action
from bootstrap.errors import SafetyError
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "identity/permission-set/read-only"


def attach_administrator_to_read_only(idp: Any) -> tuple[str, Action, str]:
    idp.sso.attach_managed_policy_to_permission_set(**idp.at("read-only"), ManagedPolicyArn=ADMIN)
    return READ_ONLY, Action.UPDATE, "ManagedPolicies"


def edit_the_inline_policy(idp: Any) -> tuple[str, Action, str]:
    wide = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}
    idp.sso.put_inline_policy_to_permission_set(**idp.at("security-audit"), InlinePolicy=json.dumps(wide))
    return "identity/permission-set/security-audit", Action.UPDATE, "InlinePolicy"


def lengthen_the_session(idp: Any) -> tuple[str, Action, str]:
    ps = idp.sso.describe_permission_set(**idp.at("administrator"))["PermissionSet"]
    idp.sso.update_permission_set(**idp.at("administrator"), SessionDuration="PT12H", Description=ps["Description"])
    return "identity/permission-set/administrator", Action.UPDATE, "SessionDuration"


def remove_an_assignment(idp: Any) -> tuple[str, Action, str]:
    idp.sso.delete_account_assignment(**idp.assignment("app-prod", "read-only", idp.group_id("developers")))
    return "identity/assignment/app-prod/read-only/developers", Action.CREATE, "PrincipalId"


@pytest.mark.parametrize(
    "tamper",
    [attach_administrator_to_read_only, edit_the_inline_policy, lengthen_the_session, remove_an_assignment],
)
def test_drift_is_found_exactly_and_repaired(
    tamper: Callable[[Any], tuple[str, Action, str]],
    identity: LandingZoneSpec,
    sessions: Sessions,
    apply: Any,
    idp: Any,
) -> None:
    assert not apply(identity, sessions).failed
    address, action, field = tamper(idp)
    live, _ = plan_live(identity, sessions)
    assert [(c.address, c.action) for c in live.plan.changes] == [(address, action)]
    assert field in {d.name for d in live.plan.changes[0].diffs}
    result = apply(identity, sessions)
    assert not result.failed, result.failed
    after, _ = plan_live(identity, sessions)
    assert after.plan.empty, [(c.address, c.diffs) for c in after.plan.changes]


def test_a_managed_policy_attached_by_hand_shows_before_and_after(
    identity: LandingZoneSpec, sessions: Sessions, apply: Any, idp: Any
) -> None:
    assert not apply(identity, sessions).failed
    attach_administrator_to_read_only(idp)
    (change,) = plan_live(identity, sessions)[0].plan.changes
    (diff,) = change.diffs
    assert sorted(diff.before) == [ADMIN, "arn:aws:iam::aws:policy/ReadOnlyAccess"]
    assert diff.after == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]


def test_an_extra_assignment_is_destructive_and_names_principal_and_account(
    identity: LandingZoneSpec, sessions: Sessions, apply: Any, idp: Any
) -> None:
    assert not apply(identity, sessions).failed
    auditors = idp.group_id("auditors")
    idp.sso.create_account_assignment(**idp.assignment("app-prod", "read-only", auditors))
    live, _ = plan_live(identity, sessions)
    (change,) = live.plan.changes
    assert (change.address, change.action) == ("identity/assignment/app-prod/read-only/group:auditors", Action.DELETE)
    assert change.location.account == "app-prod" and change.needs_consent
    with pytest.raises(SafetyError, match="destructive change"):
        apply(identity, sessions)
    assert not apply(identity, sessions, allow_destroy=True).failed
    assert [a["PrincipalId"] for a in idp.assignments("app-prod", "read-only")] == [idp.group_id("developers")]
    assert plan_live(identity, sessions)[0].plan.empty


def test_a_user_given_access_by_hand_is_named(
    identity: LandingZoneSpec, sessions: Sessions, apply: Any, idp: Any
) -> None:
    assert not apply(identity, sessions).failed
    user = idp.store.create_user(
        IdentityStoreId=idp.store_id,
        UserName="mallory",
        DisplayName="Mallory",
        Name={"GivenName": "M", "FamilyName": "X"},
    )["UserId"]
    idp.sso.create_account_assignment(**idp.assignment("audit", "security-audit", user, kind="USER"))
    (change,) = plan_live(identity, sessions)[0].plan.changes
    assert change.address == "identity/assignment/audit/security-audit/user:mallory"
    assert change.action is Action.DELETE


def test_a_group_description_the_sandbox_cannot_change_is_said_plainly_and_not_planned(
    spec: LandingZoneSpec, identity: LandingZoneSpec, sessions: Sessions, apply: Any
) -> None:
    assert not apply(identity, sessions).failed
    groups = [{**g, "description": "Security reviews; reads the log archive"} if g["name"] == "auditors" else g
              for g in IDENTITY_GROUPS]  # fmt: skip
    plan = plan_live(identity_spec(spec, groups=groups), sessions)[0].plan
    assert plan.empty, [(c.address, c.diffs) for c in plan.changes]
    (note,) = [n for n in plan.unavailable if n.address == "identity/group/auditors"]
    assert "'Security reviews [managed" in note.message and "'Security reviews; reads the log archive" in note.message
    assert "no identitystore UpdateGroup" in note.message and note.severity == UNAVAILABLE
