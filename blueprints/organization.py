"""The organization blueprint: the organization, its policy types, nested OUs, SCPs and RCPs, and the AI
services opt-out policy.

Member accounts are in blueprints of their own (`blueprints/accounts.py`), so that this template stays
within CloudFormation's 500 resources whatever the number of accounts. An OU renamed in the spec
(`renamed_from`) keeps its resources' former addresses, and so do its descendants and their policies: the
observer finds them there and the plan renames them in place. Policies of the Root (`root_guardrails`,
the AI services opt-out policy) target `GetAtt(Organization, RootId)`.
"""

from __future__ import annotations

from troposphere import GetAtt, Ref, Template
from troposphere.organizations import Organization, OrganizationalUnit, Policy

from blueprints.common import Blueprint, tags
from bootstrap.guardrails.library import RCP, SCP
from bootstrap.guardrails.packing import AI_OPT_OUT, PackedPolicy, pack_all, policy_name
from bootstrap.names import (
    ORGANIZATION_ADDRESS,
    POLICY_TYPES_ADDRESS,
    logical_id,
    ou_address,
    ou_logical_id,
    policy_address,
)
from bootstrap.resources import GLOBAL, Location, Resource
from bootstrap.spec.model import MANAGEMENT, ROOT, LandingZoneSpec

ORG_ID = "Organization"
POLICY_TYPES_ID = "RootPolicyTypes"
POLICY_TYPES = ("RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY")
"""The policy types every landing zone enables; `policy_types(spec)` adds the AI opt-out type when asked for."""
MANAGED_POLICY_TYPES = (SCP, RCP, AI_OPT_OUT)
"""Every policy type the toolkit may own policies of: the observer reads them all, so that a policy of a
type the spec no longer asks for is still found (and deleted as an orphan)."""
ORGANIZATIONS = Location(MANAGEMENT, GLOBAL)

ROOT_ID_VALUE = {"Fn::GetAtt": [ORG_ID, "RootId"]}
AI_OPT_OUT_CONTENT = {"services": {"default": {"opt_out_policy": {"@@assign": "optOut"}}}}
"""Opt every account out of every AWS AI service, present and future (`default`), as AWS documents it."""
_LOGICAL_PREFIXES = {SCP: "Scp", RCP: "Rcp", AI_OPT_OUT: "AiOptOut"}


def ai_opt_out_name(spec: LandingZoneSpec) -> str:
    return f"{spec.organization.name}-ai-services-opt-out"


def policy_types(spec: LandingZoneSpec) -> list[str]:
    """The policy types the spec needs enabled on the root."""
    return [*POLICY_TYPES, *([AI_OPT_OUT] if spec.organization.ai_services_opt_out else [])]


def _parent_ref(path: str | None) -> object:
    return GetAtt(ORG_ID, "RootId") if path is None or path == ROOT else Ref(ou_logical_id(path))


def parent_id_value(path: str) -> dict[str, object]:
    """The engine's reference to the id of an OU of this blueprint, by path, or of the root (`Root`)."""
    return {"Fn::GetAtt": [ORG_ID, "RootId"]} if path == ROOT else {"Ref": ou_logical_id(path)}


def build(spec: LandingZoneSpec) -> Blueprint:
    template = Template(
        Description=f"Landing zone '{spec.organization.name}': organization, OUs and service control "
        "policies. Deploy in the management account, before the accounts templates.",
    )
    bp = Blueprint("organization", template)
    bp.add(
        Organization(ORG_ID, FeatureSet="ALL"),
        address=ORGANIZATION_ADDRESS,
        location=ORGANIZATIONS,
        protected=True,
    )
    bp.add_native(
        Resource(
            address=POLICY_TYPES_ADDRESS,
            logical_id=POLICY_TYPES_ID,
            type="Bootstrap::Organizations::RootPolicyTypes",
            location=ORGANIZATIONS,
            properties={"RootId": dict(ROOT_ID_VALUE), "PolicyTypes": policy_types(spec)},
        )
    )
    for path in spec.all_ou_paths():
        name = path.rsplit("/", 1)[-1]
        parent = path.rsplit("/", 1)[0] if "/" in path else None
        bp.add(
            OrganizationalUnit(
                ou_logical_id(path), Name=name, ParentId=_parent_ref(parent), Tags=tags(ou_address(path))
            ),
            address=ou_address(path),
            location=ORGANIZATIONS,
            former_addresses=tuple(ou_address(old) for old in spec.former_ou_paths(path)),
        )
    index: dict[tuple[str, str], int] = {}
    for packed in pack_all(spec):
        key = (packed.ou_path, packed.policy_type)
        index[key] = index.get(key, 0) + 1
        former = tuple(
            policy_address(policy_name(spec.organization.name, old, index[key], packed.policy_type), packed.policy_type)
            for old in ([] if packed.at_root else spec.former_ou_paths(packed.ou_path))
        )
        _add_policy(bp, packed, former)
    if spec.organization.ai_services_opt_out:
        name = ai_opt_out_name(spec)
        _add_policy(
            bp,
            PackedPolicy(name, ROOT, (), AI_OPT_OUT_CONTENT, policy_type=AI_OPT_OUT, max_chars=2500),
            (),
            description="Landing zone: opt every account out of AWS AI services using its content",
        )
    return bp


def _add_policy(
    bp: Blueprint, packed: PackedPolicy, former: tuple[str, ...], *, description: str | None = None
) -> None:
    address = policy_address(packed.name, packed.policy_type)
    target = GetAtt(ORG_ID, "RootId") if packed.at_root else Ref(ou_logical_id(packed.ou_path))
    bp.add(
        Policy(
            logical_id(_LOGICAL_PREFIXES[packed.policy_type], packed.name),
            Name=packed.name,
            Type=packed.policy_type,
            Description=(description or f"Landing zone guardrails: {', '.join(packed.guardrail_ids)}")[:512],
            Content=packed.document,
            TargetIds=[target],
            Tags=tags(address),
        ),
        address=address,
        location=ORGANIZATIONS,
        engine_depends_on=(POLICY_TYPES_ID,),
        former_addresses=former,
    )
