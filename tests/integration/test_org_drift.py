"""Drift in the organization layer: tamper as an outsider would, plan shows exactly that, apply repairs it.

Also the destructive path: an OU removed from the spec is deleted only with consent, and never when
something is still in it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bootstrap.aws.session import Sessions
from bootstrap.changes import Action, Change, Plan, PropertyDiff
from bootstrap.errors import AwsError, SafetyError
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live

SECURITY_SCP = "acme-security-1"
WORKLOADS_SCP = "acme-workloads-1"
ROOT_SCP = "acme-root-1"
ROOT_RCP = "acme-root-rcp-1"
AI_OPT_OUT = "acme-ai-services-opt-out"
AI_TYPE = "AISERVICES_OPT_OUT_POLICY"


def snapshot(outsider: Any) -> dict[str, Any]:
    """Everything of the organization layer a reviewer would look at, read with plain boto3."""
    return {
        "ous": outsider.ou_tree(),
        "policy_types": sorted((p["Type"], p["Status"]) for p in outsider.root()["PolicyTypes"]),
        "policies": {
            name: (outsider.policy_content(name), outsider.policy_targets(name), p["Description"])
            for name, p in outsider.policies().items()
        },
        "accounts": sorted((a["Name"], a["Email"], outsider.parent_of(a["Id"])) for a in outsider.accounts()),
    }


@pytest.fixture
def applied(spec: LandingZoneSpec, sessions: Sessions, apply: Any, outsider: Any) -> dict[str, Any]:
    """The default landing zone, applied; returns the snapshot of it."""
    apply(spec, sessions)
    return snapshot(outsider)


def only_change(plan: Plan) -> Change:
    assert len(plan.changes) == 1, [(c.address, c.action.value) for c in plan.changes]
    return plan.changes[0]


def _detach_scp(o: Any) -> tuple[str, Action, tuple[PropertyDiff, ...]]:
    security = o.ou_id("Security")
    o.org.detach_policy(PolicyId=o.policy_id(SECURITY_SCP), TargetId=security)
    return f"organizations/scp/{SECURITY_SCP}", Action.UPDATE, (PropertyDiff("TargetIds", [], [security]),)


def _move_account(o: Any) -> tuple[str, Action, tuple[PropertyDiff, ...]]:
    sandbox, security = o.ou_id("Sandbox"), o.ou_id("Security")
    o.move_account(o.account_id("audit"), sandbox)
    return "organizations/account/audit", Action.UPDATE, (PropertyDiff("ParentIds", [sandbox], [security]),)


def _edit_scp_content(o: Any) -> tuple[str, Action, tuple[PropertyDiff, ...]]:
    wanted = o.policy_document(WORKLOADS_SCP)
    edited = {**wanted, "Statement": wanted["Statement"][1:]}
    o.org.update_policy(PolicyId=o.policy_id(WORKLOADS_SCP), Content=json.dumps(edited))
    return f"organizations/scp/{WORKLOADS_SCP}", Action.UPDATE, (PropertyDiff("Content", edited, wanted),)


def _rename_ou(o: Any) -> tuple[str, Action, tuple[PropertyDiff, ...]]:
    o.org.update_organizational_unit(OrganizationalUnitId=o.ou_id("Workloads"), Name="Applications")
    return "organizations/ou/Workloads", Action.UPDATE, (PropertyDiff("Name", "Applications", "Workloads"),)


def _attach_scp_elsewhere(o: Any) -> tuple[str, Action, tuple[PropertyDiff, ...]]:
    security, sandbox = o.ou_id("Security"), o.ou_id("Sandbox")
    o.org.attach_policy(PolicyId=o.policy_id(SECURITY_SCP), TargetId=sandbox)
    diff = PropertyDiff("TargetIds", sorted([security, sandbox]), [security])
    return f"organizations/scp/{SECURITY_SCP}", Action.UPDATE, (diff,)


def _disable_rcp(o: Any) -> tuple[str, Action, tuple[PropertyDiff, ...]]:
    o.org.disable_policy_type(RootId=o.root_id(), PolicyType="RESOURCE_CONTROL_POLICY")
    diff = PropertyDiff(
        "PolicyTypes",
        [AI_TYPE, "SERVICE_CONTROL_POLICY"],
        ["RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY", AI_TYPE],
    )
    return "organizations/root/policy-types", Action.UPDATE, (diff,)


def _detach_root_scp(o: Any) -> tuple[str, Action, tuple[PropertyDiff, ...]]:
    """The guardrail that protects the exempt roles, detached from the Root: accounts outside the OUs lose it."""
    root = o.root_id()
    o.org.detach_policy(PolicyId=o.policy_id(ROOT_SCP), TargetId=root)
    return f"organizations/scp/{ROOT_SCP}", Action.UPDATE, (PropertyDiff("TargetIds", [], [root]),)


def _edit_ai_opt_out(o: Any) -> tuple[str, Action, tuple[PropertyDiff, ...]]:
    wanted = o.policy_document(AI_OPT_OUT)
    opted_in = {"services": {"default": {"opt_out_policy": {"@@assign": "optIn"}}}}
    o.org.update_policy(PolicyId=o.policy_id(AI_OPT_OUT), Content=json.dumps(opted_in))
    return f"organizations/ai-opt-out/{AI_OPT_OUT}", Action.UPDATE, (PropertyDiff("Content", opted_in, wanted),)


def _edit_rcp_content(o: Any) -> tuple[str, Action, tuple[PropertyDiff, ...]]:
    """The TLS-only statement removed from the Root's RCP. The plan compares with the live organization id
    filled in, so the only difference is the removed statement."""
    wanted = o.policy_document(ROOT_RCP)
    assert o.org.describe_organization()["Organization"]["Id"] in json.dumps(wanted)
    edited = {**wanted, "Statement": [s for s in wanted["Statement"] if s["Sid"] != "EnforceSecureTransport"]}
    o.org.update_policy(PolicyId=o.policy_id(ROOT_RCP), Content=json.dumps(edited))
    return f"organizations/rcp/{ROOT_RCP}", Action.UPDATE, (PropertyDiff("Content", edited, wanted),)


TAMPERS: dict[str, Callable[[Any], tuple[str, Action, tuple[PropertyDiff, ...]]]] = {
    "detach-scp": _detach_scp,
    "move-account": _move_account,
    "edit-scp-content": _edit_scp_content,
    "rename-ou": _rename_ou,
    "attach-scp-to-extra-ou": _attach_scp_elsewhere,
    "disable-rcp-type": _disable_rcp,
    "detach-root-scp": _detach_root_scp,
    "edit-ai-opt-out": _edit_ai_opt_out,
    "edit-rcp-content": _edit_rcp_content,
}


@pytest.mark.parametrize("tamper", list(TAMPERS), ids=list(TAMPERS))
def test_drift_is_planned_exactly_and_repaired(
    tamper: str,
    spec: LandingZoneSpec,
    sessions: Sessions,
    run_plan: Any,
    outsider: Any,
    applied: dict[str, Any],
) -> None:
    address, action, diffs = TAMPERS[tamper](outsider)
    assert snapshot(outsider) != applied

    live, ctx = plan_live(spec, sessions)
    change = only_change(live.plan)
    assert (change.address, change.action, change.diffs) == (address, action, diffs)
    assert not live.plan.blocked

    run_plan(live.plan, ctx)

    assert snapshot(outsider) == applied
    sessions.stats.reset()
    assert plan_live(spec, sessions)[0].plan.empty
    assert sessions.stats.writes == 0


def test_disabled_scp_type_is_repaired_without_recreating_policies(
    spec: LandingZoneSpec, sessions: Sessions, run_plan: Any, outsider: Any, applied: dict[str, Any]
) -> None:
    """Disabling SCPs on the root detaches every SCP (AWS does it; moto does not, so the outsider does).
    The policies still exist, so the repair re-enables the type and re-attaches them: no new policies."""
    root = outsider.root_id()
    scp_names = [name for name, p in outsider.policies().items() if p["Type"] == "SERVICE_CONTROL_POLICY"]
    for name in scp_names:
        for target in outsider.policy_targets(name):
            outsider.org.detach_policy(PolicyId=outsider.policy_id(name), TargetId=target)
    outsider.org.disable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")

    live, ctx = plan_live(spec, sessions)
    actions = {c.address: c.action for c in live.plan.changes}
    scps = {f"organizations/scp/{name}" for name in scp_names}
    assert ROOT_SCP in scp_names
    assert actions == {"organizations/root/policy-types": Action.UPDATE} | dict.fromkeys(scps, Action.UPDATE)
    run_plan(live.plan, ctx)

    assert snapshot(outsider) == applied
    assert plan_live(spec, sessions)[0].plan.empty


@pytest.fixture
def without_sandbox(variant: Any) -> LandingZoneSpec:
    spec: LandingZoneSpec = variant(
        lambda d: d.update(organizational_units=[ou for ou in d["organizational_units"] if ou["path"] != "Sandbox"])
    )
    return spec


def test_ou_removed_from_spec_is_deleted_only_with_consent(
    without_sandbox: LandingZoneSpec, sessions: Sessions, run_plan: Any, outsider: Any, applied: dict[str, Any]
) -> None:
    live, ctx = plan_live(without_sandbox, sessions)
    deletes = {c.address: c for c in live.plan.changes}
    assert set(deletes) == {
        "organizations/ou/Sandbox",
        "organizations/scp/acme-sandbox-1",
        "organizations/scp/acme-sandbox-2",
    }
    assert all(c.action is Action.DELETE and c.destructive for c in deletes.values())
    assert deletes["organizations/ou/Sandbox"].physical_id == applied["ous"]["Sandbox"]
    assert {"organizations/scp/acme-sandbox-1", "organizations/scp/acme-sandbox-2"} <= set(
        deletes["organizations/ou/Sandbox"].depends_on
    )

    sessions.stats.reset()
    with pytest.raises(SafetyError, match="destructive"):
        run_plan(live.plan, ctx, allow_destroy=False)
    assert sessions.stats.writes == 0
    assert snapshot(outsider) == applied

    run_plan(live.plan, ctx, allow_destroy=True)

    assert "Sandbox" not in outsider.ou_tree()
    assert {"acme-sandbox-1", "acme-sandbox-2"}.isdisjoint(outsider.policies())
    assert plan_live(without_sandbox, sessions)[0].plan.empty


def test_ou_that_is_not_empty_is_never_deleted(
    without_sandbox: LandingZoneSpec, sessions: Sessions, run_plan: Any, outsider: Any, applied: dict[str, Any]
) -> None:
    stray = outsider.org.create_account(Email="stray@example.org", AccountName="stray")["CreateAccountStatus"]
    sandbox = applied["ous"]["Sandbox"]
    outsider.move_account(stray["AccountId"], sandbox)

    live, ctx = plan_live(without_sandbox, sessions)
    # Refused at plan time, naming the account: not left for AWS to refuse halfway through an apply.
    assert ("organizations/ou/Sandbox", Action.DELETE) not in {(c.address, c.action) for c in live.plan.changes}
    (refusal,) = [n for n in live.plan.blocked if n.address == "organizations/ou/Sandbox"]
    assert f"stray ({stray['AccountId']})" in refusal.message
    with pytest.raises(SafetyError):
        run_plan(live.plan, ctx, allow_destroy=True)

    assert outsider.ou_tree()["Sandbox"] == sandbox
    assert outsider.parent_of(stray["AccountId"]) == sandbox


def test_ou_delete_refused_by_aws_as_not_empty_is_a_clear_error(
    without_sandbox: LandingZoneSpec,
    sessions: Sessions,
    run_plan: Any,
    outsider: Any,
    intercept: Any,
    applied: dict[str, Any],
) -> None:
    """Something moved into the OU between plan and apply: AWS's own refusal gets the same clear error."""
    live, ctx = plan_live(without_sandbox, sessions)
    intercept(
        sessions.client("organizations"), "DeleteOrganizationalUnit", lambda _: "OrganizationalUnitNotEmptyException"
    )

    with pytest.raises(AwsError) as err:
        run_plan(live.plan, ctx, allow_destroy=True)

    assert "organizations/ou/Sandbox" in err.value.message and "not empty" in err.value.message
    assert "Move its accounts and child OUs out" in err.value.remediation
    assert outsider.ou_tree()["Sandbox"] == applied["ous"]["Sandbox"]
