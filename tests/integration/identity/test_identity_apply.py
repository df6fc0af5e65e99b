"""The identity layer end to end on moto: the first plan creates the permission sets, groups and assignments
the spec asks for, apply makes them as AWS would, and the next plan is empty, but for one note saying what the
sandbox cannot read (permission sets' tags and boundaries)."""

from __future__ import annotations

from typing import Any

from bootstrap.aws.session import Sessions
from bootstrap.changes import UNAVAILABLE, Action
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live


def _identity_changes(spec: LandingZoneSpec, sessions: Sessions) -> list[Any]:
    live, _ = plan_live(spec, sessions)
    return [c for c in live.plan.changes if c.address.startswith("identity/")]


def test_apply_builds_the_identity_layer_and_the_next_plan_is_empty(
    identity: LandingZoneSpec, sessions: Sessions, apply: Any, idp: Any
) -> None:
    first = _identity_changes(identity, sessions)
    assert {c.action for c in first} == {Action.CREATE}
    assert sorted(c.address for c in first if c.type == "AWS::SSO::Assignment") == [
        "identity/assignment/app-dev/administrator/platform-admins",
        "identity/assignment/app-prod/administrator/platform-admins",
        "identity/assignment/app-prod/read-only/developers",
        "identity/assignment/audit/security-audit/auditors",
        "identity/assignment/log-archive/security-audit/auditors",
    ]
    result = apply(identity, sessions)
    assert not result.failed, result.failed
    live, _ = plan_live(identity, sessions)
    assert live.plan.empty, [(c.address, c.diffs) for c in live.plan.changes]
    (note,) = [n for n in live.plan.notes if n.address.startswith("identity/") and n.severity == UNAVAILABLE]
    assert note.address == "identity/permission-sets" and "tags or permissions boundary" in note.message
    assert "1 setting(s) this endpoint cannot read or set" in live.plan.summary()
    assert [a["PrincipalId"] for a in idp.assignments("app-prod", "read-only")] == [idp.group_id("developers")]
    audit = idp.sso.get_inline_policy_for_permission_set(**idp.at("security-audit"))["InlinePolicy"]
    assert identity.logging.key_readers_role in audit
    managed = idp.sso.list_managed_policies_in_permission_set(**idp.at("security-audit"))["AttachedManagedPolicies"]
    assert sorted(p["Arn"] for p in managed) == [
        "arn:aws:iam::aws:policy/SecurityAudit",
        "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
    ]
