"""The organization blueprint: the organization, its policy types, nested OUs and SCPs.

Member accounts are in blueprints of their own (`blueprints/accounts.py`), so that this template stays
within CloudFormation's 500 resources whatever the number of accounts. An OU renamed in the spec
(`renamed_from`) keeps its resources' former addresses, and so do its descendants and their SCPs: the
observer finds them there and the plan renames them in place.
"""

from __future__ import annotations

from troposphere import GetAtt, Ref, Template
from troposphere.organizations import Organization, OrganizationalUnit, Policy

from blueprints.common import Blueprint, logical_id, tags
from bootstrap.guardrails.packing import pack_all, policy_name
from bootstrap.resources import GLOBAL, Location, Resource
from bootstrap.spec.model import MANAGEMENT, ROOT, LandingZoneSpec

ORG_ID = "Organization"
POLICY_TYPES_ID = "RootPolicyTypes"
POLICY_TYPES = ("RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY")
ORGANIZATIONS = Location(MANAGEMENT, GLOBAL)

ORGANIZATION_ADDRESS = "organizations/organization"
POLICY_TYPES_ADDRESS = "organizations/root/policy-types"


def ou_address(path: str) -> str:
    return f"organizations/ou/{path}"


def policy_address(name: str) -> str:
    return f"organizations/scp/{name}"


def ou_logical_id(path: str) -> str:
    return logical_id("Ou", path)


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
            properties={"RootId": {"Fn::GetAtt": [ORG_ID, "RootId"]}, "PolicyTypes": list(POLICY_TYPES)},
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
    index: dict[str, int] = {}
    for packed in pack_all(spec):
        index[packed.ou_path] = index.get(packed.ou_path, 0) + 1
        former = tuple(
            policy_address(policy_name(spec.organization.name, old, index[packed.ou_path]))
            for old in spec.former_ou_paths(packed.ou_path)
        )
        bp.add(
            Policy(
                logical_id("Scp", packed.name),
                Name=packed.name,
                Type="SERVICE_CONTROL_POLICY",
                Description=f"Landing zone guardrails: {', '.join(packed.guardrail_ids)}"[:512],
                Content=packed.document,
                TargetIds=[_parent_ref(packed.ou_path)],
                Tags=tags(policy_address(packed.name)),
            ),
            address=policy_address(packed.name),
            location=ORGANIZATIONS,
            engine_depends_on=(POLICY_TYPES_ID,),
            former_addresses=former,
        )
    return bp
