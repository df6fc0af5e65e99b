"""The planner and the Root's policies: attachment slots per target and per type, the live organization id.

Observed states are hand-built the way `bootstrap.observe.organizations` reports AWS: unmanaged attachments
of the Root under `organizations/root` (SCPs) and `organizations/root#<type>` (other types).
"""

from __future__ import annotations

import pytest

from bootstrap.changes import Action, Plan
from bootstrap.desired import desired_state
from bootstrap.names import attachment_key
from bootstrap.observed import ObservedResource, ObservedState
from bootstrap.plan.diff import make_plan
from bootstrap.plan.refs import UNKNOWN
from bootstrap.spec.model import LandingZoneSpec

ORG = "AWS::Organizations::Organization"
SCP_TYPE = "SERVICE_CONTROL_POLICY"
RCP_TYPE = "RESOURCE_CONTROL_POLICY"
AI_TYPE = "AISERVICES_OPT_OUT_POLICY"
ROOT = "organizations/root"
ROOT_ID = "r-ab12"
ORG_ID = "o-abc1234567"

SPEC = LandingZoneSpec.model_validate(
    {
        "organization": {
            "name": "acme",
            "management_account_id": "123456789012",
            "home_region": "us-east-1",
            "allowed_regions": ["us-east-1"],
            "root_guardrails": [
                "protect-landing-zone-roles",
                "rcp-deny-external-principals",
                "rcp-deny-insecure-transport",
            ],
        },
        "account_email_pattern": "aws+{name}@example.com",
        "organizational_units": [{"path": "Security", "guardrails": ["deny-leave-organization"]}],
    }
)
DESIRED = desired_state(SPEC)


def organization_only() -> ObservedState:
    """An organization exists; nothing of the spec's is there yet."""
    state = ObservedState()
    state.resources["organizations/organization"] = ObservedResource(
        "organizations/organization",
        ORG,
        ORG_ID,
        {"FeatureSet": "ALL"},
        owned=False,
        attributes={"RootId": ROOT_ID, "Id": ORG_ID, "Arn": "arn:aws:organizations::123456789012:o"},
    )
    return state


def plan_of(state: ObservedState, scps_per_target: int = 5) -> Plan:
    return make_plan(DESIRED, state, scps_per_target=scps_per_target)


def test_root_policies_target_the_live_root_and_rcps_carry_the_live_organization_id() -> None:
    plan = plan_of(organization_only())
    creates = {c.address: c for c in plan.changes if c.action is Action.CREATE}
    for address in (
        "organizations/scp/acme-root-1",
        "organizations/rcp/acme-root-rcp-1",
        "organizations/ai-opt-out/acme-ai-services-opt-out",
    ):
        diffs = {d.name: d.after for d in creates[address].diffs}
        assert diffs["TargetIds"] == [ROOT_ID], address
    rcp = {d.name: d.after for d in creates["organizations/rcp/acme-root-rcp-1"].diffs}["Content"]
    perimeter = next(s for s in rcp["Statement"] if s["Sid"] == "EnforceOrgIdentities")
    assert perimeter["Condition"]["StringNotEqualsIfExists"]["aws:PrincipalOrgID"] == ORG_ID
    assert not plan.blocked


def test_without_an_organization_the_id_is_known_after_apply() -> None:
    plan = plan_of(ObservedState())
    rcp = next(c for c in plan.changes if c.address == "organizations/rcp/acme-root-rcp-1")
    content = {d.name: d.after for d in rcp.diffs}["Content"]
    perimeter = next(s for s in content["Statement"] if s["Sid"] == "EnforceOrgIdentities")
    assert perimeter["Condition"]["StringNotEqualsIfExists"]["aws:PrincipalOrgID"] == UNKNOWN


@pytest.mark.parametrize(
    ("unmanaged", "blocked"),
    [
        pytest.param({}, [], id="nothing else attached"),
        pytest.param({(ROOT, SCP_TYPE): ["FullAWSAccess", "a", "b", "c"]}, [], id="root SCP slots exactly full"),
        pytest.param(
            {(ROOT, SCP_TYPE): ["FullAWSAccess", "a", "b", "c", "d"]},
            [(ROOT, "needs 1 guardrail SCP(s) but 5 of its 5 SCP attachment slots", "move guardrails to an OU")],
            id="root SCP slots taken",
        ),
        pytest.param({(ROOT, RCP_TYPE): ["RCPFullAWSAccess", "a", "b", "c"]}, [], id="root RCP slots exactly full"),
        pytest.param(
            {(ROOT, RCP_TYPE): ["RCPFullAWSAccess", "a", "b", "c", "d"]},
            [(ROOT, "needs 1 guardrail RCP(s) but 5 of its 5 RCP attachment slots", "RCPFullAWSAccess, a, b, c, d")],
            id="root RCP slots taken",
        ),
        pytest.param(
            {(ROOT, SCP_TYPE): ["FullAWSAccess", "a", "b", "c"], (ROOT, RCP_TYPE): ["RCPFullAWSAccess", "x"]},
            [],
            id="types are counted apart",
        ),
        pytest.param(
            {(ROOT, AI_TYPE): ["a", "b", "c", "d", "e"]},
            [(ROOT, "needs 1 guardrail AI services opt-out policy(s) but 5 of its 5", "")],
            id="root AI opt-out slots taken",
        ),
        pytest.param(
            {("organizations/ou/Security", SCP_TYPE): ["FullAWSAccess", "a", "b", "c", "d"]},
            [("organizations/ou/Security", "5 of its 5 SCP attachment slots", "move guardrails to the parent OU")],
            id="OU SCP slots taken",
        ),
    ],
)
def test_attachment_slots_per_target_and_type(
    unmanaged: dict[tuple[str, str], list[str]], blocked: list[tuple[str, str, str]]
) -> None:
    state = organization_only()
    for (address, policy_type), names in unmanaged.items():
        state.unmanaged_attachments[attachment_key(address, policy_type)] = names
    notes = plan_of(state).blocked
    assert [n.address for n in notes] == [address for address, _, _ in blocked]
    for note, (_, fragment, other) in zip(notes, blocked, strict=True):
        assert fragment in note.message and other in note.message, note.message


def test_the_spec_scp_quota_applies_to_the_root() -> None:
    state = organization_only()
    state.unmanaged_attachments[attachment_key(ROOT, SCP_TYPE)] = ["FullAWSAccess", "a", "b", "c", "d"]
    assert not plan_of(state, scps_per_target=10).blocked
    assert [n.address for n in plan_of(state, scps_per_target=5).blocked] == [ROOT]
