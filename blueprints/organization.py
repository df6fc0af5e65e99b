"""The organization blueprint: the organization, its policy types, nested OUs, SCPs and member accounts."""

from __future__ import annotations

from troposphere import GetAtt, Ref, Template
from troposphere.organizations import Account, Organization, OrganizationalUnit, Policy

from blueprints.common import Blueprint, logical_id, tags
from bootstrap.guardrails.packing import pack_all
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


def account_address(name: str) -> str:
    return f"organizations/account/{name}"


def ou_logical_id(path: str) -> str:
    return logical_id("Ou", path)


def _parent_ref(path: str | None) -> object:
    return GetAtt(ORG_ID, "RootId") if path is None or path == ROOT else Ref(ou_logical_id(path))


def build(spec: LandingZoneSpec) -> Blueprint:
    template = Template(
        Description=f"Landing zone '{spec.organization.name}': organization, OUs, service control policies "
        "and member accounts. Deploy in the management account.",
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
        )
    for packed in pack_all(spec):
        bp.add(
            Policy(
                logical_id("Scp", packed.name),
                Name=packed.name,
                Type="SERVICE_CONTROL_POLICY",
                Description=f"Landing zone guardrails: {', '.join(packed.guardrail_ids)}"[:512],
                Content=packed.document,
                TargetIds=[Ref(ou_logical_id(packed.ou_path))],
                Tags=tags(policy_address(packed.name)),
            ),
            address=policy_address(packed.name),
            location=ORGANIZATIONS,
            engine_depends_on=(POLICY_TYPES_ID,),
        )
    for account in spec.accounts:
        bp.add(
            Account(
                logical_id("Account", account.name),
                AccountName=account.name,
                Email=spec.account_email(account),
                ParentIds=[_parent_ref(account.ou)],
                Tags=tags(account_address(account.name)),
            ),
            address=account_address(account.name),
            location=ORGANIZATIONS,
            protected=True,
            import_id=account.id,
        )
    return bp
