"""What the identity layer waits for and cannot make: Identity Center not enabled yet, and groups an external
identity provider has not provisioned yet. Both are `waiting` notes: nothing is planned for them or for what
refers to them, the rest of the plan stands, and nothing is blocked."""

from __future__ import annotations

from typing import Any

import pytest
from moto.ssoadmin.models import SSOAdminBackend
from variants import identity_spec

from bootstrap.aws.session import Sessions
from bootstrap.changes import WAITING
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live


def test_without_an_instance_the_plan_points_to_the_runbook_and_plans_the_rest(
    identity: LandingZoneSpec, sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SSOAdminBackend, "list_instances", lambda self: [])
    plan = plan_live(identity, sessions)[0].plan
    assert not plan.blocked and plan.changes
    assert not [c for c in plan.changes if c.address.startswith("identity/")]
    (note,) = [n for n in plan.notes if n.address == "identity/instance"]
    assert note.severity == WAITING and "runbooks/identity-center.md" in note.message


def test_groups_of_an_external_idp_are_awaited_never_created(
    spec: LandingZoneSpec, sessions: Sessions, apply: Any, idp: Any
) -> None:
    external = identity_spec(spec, source="external")
    idp.store.create_group(IdentityStoreId=idp.store_id, DisplayName="developers")  # the IdP synced one of three
    plan = plan_live(external, sessions)[0].plan
    waiting = sorted(n.address for n in plan.notes if n.severity == WAITING)
    assert waiting == ["identity/group/auditors", "identity/group/platform-admins"]
    assert "waiting for group auditors from your identity provider" in str(plan.notes)
    identity_changes = sorted(c.address for c in plan.changes if c.address.startswith("identity/"))
    assert identity_changes == [
        "identity/assignment/app-prod/read-only/developers",
        "identity/permission-set/administrator",
        "identity/permission-set/read-only",
        "identity/permission-set/security-audit",
    ]
    assert not plan.blocked
    assert not apply(external, sessions).failed
    groups = idp.store.list_groups(IdentityStoreId=idp.store_id)["Groups"]
    assert [g["DisplayName"] for g in groups] == ["developers"]
    assert [a["PrincipalId"] for a in idp.assignments("app-prod", "read-only")] == [idp.group_id("developers")]
