"""Applying the organization layer to moto: from nothing, over existing objects, and the refusals.

Live state is checked with plain boto3 (the `outsider`), the way a reviewer would check it by hand,
not through the toolkit's own observer.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from bootstrap.aws.session import Sessions
from bootstrap.changes import Action
from bootstrap.errors import SafetyError
from bootstrap.guardrails.packing import minify, pack_all
from bootstrap.guardrails.parameters import ORGANIZATION_ID_REF
from bootstrap.resources import ADDRESS_TAG, MANAGED_TAG
from bootstrap.spec.model import ROOT, LandingZoneSpec
from bootstrap.workflow import plan_live

MANAGED = "true"
AI_OPT_OUT = "acme-ai-services-opt-out"


def test_apply_from_empty_builds_the_whole_organization(
    spec: LandingZoneSpec, sessions: Sessions, apply: Any, outsider: Any
) -> None:
    result = apply(spec, sessions)

    assert not result.failed
    org = outsider.org.describe_organization()["Organization"]
    assert org["FeatureSet"] == "ALL"
    policy_types = {p["Type"]: p["Status"] for p in outsider.root()["PolicyTypes"]}
    assert policy_types == {
        "SERVICE_CONTROL_POLICY": "ENABLED",
        "RESOURCE_CONTROL_POLICY": "ENABLED",
        "AISERVICES_OPT_OUT_POLICY": "ENABLED",
    }

    tree = outsider.ou_tree()
    assert set(tree) == set(spec.all_ou_paths())
    assert {"Workloads/Prod", "Workloads/NonProd"} <= set(tree)  # nested under Workloads, not the root
    assert {ou["Name"] for ou in outsider.child_ous(outsider.root_id())} == {
        "Security",
        "Infrastructure",
        "Workloads",
        "Sandbox",
        "Suspended",
    }
    for path, ou_id in tree.items():
        assert outsider.tags(ou_id) == {MANAGED_TAG: MANAGED, ADDRESS_TAG: f"organizations/ou/{path}"}

    packed = pack_all(spec)
    live_policies = outsider.policies()
    assert set(live_policies) == {p.name for p in packed} | {AI_OPT_OUT}
    root_id, org_id = outsider.root_id(), org["Id"]
    targets = {**tree, ROOT: root_id}
    for policy in packed:
        # The organization id placeholder is the live id in what AWS stores.
        uploaded = minify(policy.document).replace(minify(ORGANIZATION_ID_REF), f'"{org_id}"')
        assert outsider.policy_content(policy.name) == uploaded
        assert live_policies[policy.name]["Type"] == policy.policy_type
        assert outsider.policy_targets(policy.name) == [targets[policy.ou_path]]
        kind = "rcp" if policy.policy_type == "RESOURCE_CONTROL_POLICY" else "scp"
        assert outsider.tags(outsider.policy_id(policy.name)) == {
            MANAGED_TAG: MANAGED,
            ADDRESS_TAG: f"organizations/{kind}/{policy.name}",
        }
    rcp = outsider.policy_document("acme-root-rcp-1")
    perimeter = next(s for s in rcp["Statement"] if s["Sid"] == "EnforceOrgIdentities")
    assert perimeter["Condition"]["StringNotEqualsIfExists"]["aws:PrincipalOrgID"] == org_id
    assert outsider.attached(root_id, "SERVICE_CONTROL_POLICY") == ["FullAWSAccess", "acme-root-1"]
    assert outsider.attached(root_id, "RESOURCE_CONTROL_POLICY") == ["RCPFullAWSAccess", "acme-root-rcp-1"]
    assert outsider.attached(root_id, "AISERVICES_OPT_OUT_POLICY") == [AI_OPT_OUT]
    assert live_policies[AI_OPT_OUT]["Type"] == "AISERVICES_OPT_OUT_POLICY"
    assert outsider.policy_document(AI_OPT_OUT) == {"services": {"default": {"opt_out_policy": {"@@assign": "optOut"}}}}
    assert outsider.tags(outsider.policy_id(AI_OPT_OUT))[ADDRESS_TAG] == f"organizations/ai-opt-out/{AI_OPT_OUT}"

    members = {a["Name"]: a for a in outsider.accounts() if a["Id"] != org["MasterAccountId"]}
    assert set(members) == {a.name for a in spec.accounts}
    for account in spec.accounts:
        live = members[account.name]
        assert live["Email"] == spec.account_email(account)
        assert outsider.parent_of(live["Id"]) == tree[account.ou]


def test_second_plan_is_empty_and_makes_no_writes(spec: LandingZoneSpec, sessions: Sessions, apply: Any) -> None:
    apply(spec, sessions)
    sessions.stats.reset()

    live, _ = plan_live(spec, sessions)

    assert live.plan.empty, [c.address for c in live.plan.changes]
    assert not live.plan.blocked
    assert sessions.stats.writes == 0, sessions.stats.snapshot()
    assert sessions.stats.total > 0  # it did read live state


def test_existing_account_named_by_id_is_adopted_and_moved(
    variant: Any, sessions: Sessions, apply: Any, outsider: Any
) -> None:
    outsider.org.create_organization(FeatureSet="ALL")
    legacy = outsider.org.create_account(Email="legacy-audit@example.org", AccountName="legacy-audit")[
        "CreateAccountStatus"
    ]["AccountId"]
    spec = variant(lambda d: d["accounts"][1].update(id=legacy))  # accounts[1] is audit, in Security

    live, _ = plan_live(spec, sessions)
    change = next(c for c in live.plan.changes if c.address == "organizations/account/audit")
    assert change.action is Action.UPDATE
    assert change.physical_id == legacy
    assert [d.name for d in change.diffs] == ["ParentIds"]
    apply(spec, sessions)

    accounts = outsider.accounts()
    assert len(accounts) == 3  # management, log-archive, and the adopted account: no new "audit"
    assert "audit" not in {a["Name"] for a in accounts}
    assert outsider.parent_of(legacy) == outsider.ou_id("Security")
    assert plan_live(spec, sessions)[0].plan.empty


def test_existing_untagged_ou_at_the_desired_path_is_used_not_duplicated(
    spec: LandingZoneSpec, sessions: Sessions, apply: Any, outsider: Any
) -> None:
    outsider.org.create_organization(FeatureSet="ALL")
    existing = outsider.org.create_organizational_unit(ParentId=outsider.root_id(), Name="Security")[
        "OrganizationalUnit"
    ]["Id"]

    live, _ = plan_live(spec, sessions)
    assert "organizations/ou/Security" not in {c.address for c in live.plan.changes}
    apply(spec, sessions)

    assert [ou["Id"] for ou in outsider.child_ous(outsider.root_id()) if ou["Name"] == "Security"] == [existing]
    assert outsider.policy_targets("acme-security-1") == [existing]
    assert outsider.parent_of(outsider.account_id("log-archive")) == existing
    assert outsider.tags(existing) == {}  # not the toolkit's: never tagged, so never deleted by it
    assert plan_live(spec, sessions)[0].plan.empty


def test_untagged_scp_with_our_name_blocks_the_plan_and_apply(
    spec: LandingZoneSpec, sessions: Sessions, run_plan: Any, outsider: Any
) -> None:
    outsider.org.create_organization(FeatureSet="ALL")
    outsider.org.enable_policy_type(RootId=outsider.root_id(), PolicyType="SERVICE_CONTROL_POLICY")
    theirs = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
    outsider.org.create_policy(
        Name="acme-security-1", Description="someone else's", Content=theirs, Type="SERVICE_CONTROL_POLICY"
    )

    live, ctx = plan_live(spec, sessions)
    errors = [n for n in live.plan.blocked if n.address == "organizations/scp/acme-security-1"]
    assert len(errors) == 1
    assert "does not own" in errors[0].message

    sessions.stats.reset()
    with pytest.raises(SafetyError, match="acme-security-1"):
        run_plan(live.plan, ctx)
    assert sessions.stats.writes == 0
    assert outsider.policy_content("acme-security-1") == theirs
    assert outsider.ou_tree() == {}


def test_account_pin_refuses_another_management_account_before_any_write(
    variant: Any, sessions: Sessions, outsider: Any
) -> None:
    spec = variant(lambda d: d["organization"].update(management_account_id="111111111111"))

    with pytest.raises(SafetyError) as err:
        plan_live(spec, sessions)

    assert "123456789012" in err.value.message and "111111111111" in err.value.message
    assert sessions.stats.writes == 0
    assert set(sessions.stats.snapshot()) == {"sts:GetCallerIdentity"}
    with pytest.raises(ClientError) as missing:
        outsider.org.describe_organization()
    assert missing.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"


def test_other_rcps_filling_the_root_block_the_plan(spec: LandingZoneSpec, sessions: Sessions, outsider: Any) -> None:
    """RCPFullAWSAccess (attached by AWS, never detachable) and four other teams' RCPs fill the Root's five
    RCP slots: the plan is refused before it tries to attach the landing zone's RCP."""
    outsider.org.create_organization(FeatureSet="ALL")
    root = outsider.root_id()
    outsider.org.enable_policy_type(RootId=root, PolicyType="RESOURCE_CONTROL_POLICY")
    theirs = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:x","Resource":"*"}]}'
    for n in range(4):
        policy = outsider.org.create_policy(
            Name=f"team-{n}", Description="", Content=theirs, Type="RESOURCE_CONTROL_POLICY"
        )["Policy"]["PolicySummary"]
        outsider.org.attach_policy(PolicyId=policy["Id"], TargetId=root)
    assert outsider.attached(root, "RESOURCE_CONTROL_POLICY")[0] == "RCPFullAWSAccess"

    live, _ = plan_live(spec, sessions)

    (note,) = live.plan.blocked
    assert note.address == "organizations/root"
    assert "needs 1 guardrail RCP(s) but 5 of its 5 RCP attachment slots" in note.message
    assert "RCPFullAWSAccess, team-0, team-1, team-2, team-3" in note.message
