"""Named variants of the default landing zone, for tests that must hold for every shape of spec the blueprints can
be given (the type registry's meta test, golden renders, rendered templates' lint): not only the defaults.

This is the single list of variants: a blueprint branch no variant reaches has no golden file and no lint; add a
variant here (and regenerate the golden files: `UPDATE_GOLDEN=1 pytest tests/unit/test_render.py`).
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

import yaml

from bootstrap.render.artifacts import artifact_files
from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import LandingZoneSpec

MANAGEMENT_ID = "123456789012"


def default_spec(**answers: Any) -> LandingZoneSpec:
    return parse_spec(render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID, **answers)))


def without_network(network: Any) -> dict[str, Any]:
    """A spec's `network:` section (plain data) with the network layer off (no default VPC removed, EBS left
    alone, no custom VPC), for tests of other layers: in moto, the first touch of each account-region's EC2 costs
    time, and those tests assert their own layer's plans."""
    section = dict(network) if isinstance(network, dict) else {}
    section["remove_default_vpcs"] = {**section.get("remove_default_vpcs", {}), "enabled": False}
    section["ebs_encryption"] = {**section.get("ebs_encryption", {}), "enabled": False}
    section["vpcs"] = []
    return section


def without_billing(billing: Any) -> dict[str, Any]:
    """A spec's `billing:` section (plain data) with the billing layer off, for tests of other layers: in-process
    moto lacks Cost Anomaly Detection and parts of Budgets (the billing tests treat it as the sandbox it is)."""
    section = dict(billing) if isinstance(billing, dict) else {}
    section["enabled"] = False
    return section


def without_identity(identity: Any) -> dict[str, Any]:
    """A spec's `identity:` section (plain data) with the identity layer off, for tests of other layers."""
    section = dict(identity) if isinstance(identity, dict) else {}
    section["enabled"] = False
    return section


def in_process_baseline(baseline: Any) -> dict[str, Any]:
    """A spec's `baseline:` section (plain data) without the two settings in-process moto lacks the APIs of
    (instance metadata defaults, centralized root access), for moto tests of other layers: those settings are
    tested with Stubber, and against the sandbox (which says it cannot read them) end to end."""
    section = dict(baseline) if isinstance(baseline, dict) else {}
    section["instance_metadata"] = {**section.get("instance_metadata", {}), "enabled": False}
    section["centralized_root_access"] = False
    return section


IDENTITY_GROUPS = [
    {"name": "platform-admins"},
    {"name": "auditors", "description": "Security reviews"},
    {"name": "developers"},
]
IDENTITY_ASSIGNMENTS = [
    {"group": "platform-admins", "permission_set": "administrator", "ous": ["Workloads"]},
    {"group": "auditors", "permission_set": "security-audit", "ous": ["Security"]},
    {"group": "developers", "permission_set": "read-only", "accounts": ["app-prod"]},
]
OWN_PERMISSION_SET = {
    "name": "data-analyst",
    "description": "Queries the data lake",
    "managed_policies": ["arn:aws:iam::aws:policy/AmazonAthenaFullAccess"],
    "customer_managed_policies": [{"name": "DataLakeRead", "path": "/"}],
    "inline_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets",
                                                              "Resource": "*"}]},
    "permissions_boundary": {"managed_policy_arn": "arn:aws:iam::aws:policy/PowerUserAccess"},
    "session_duration": "PT2H",
    "relay_state": "https://console.aws.amazon.com/athena/home",
    "tags": {"team": "data"},
}  # fmt: skip


def identity_spec(base: LandingZoneSpec, **identity: Any) -> LandingZoneSpec:
    """`base` with two workload accounts and an identity section: three library permission sets, three groups,
    assignments by OU and by account (`identity` replaces fields of the section)."""
    data = base.model_dump(mode="json", exclude_none=True)
    names = {a["name"] for a in data["accounts"]}
    data["accounts"] = [*data["accounts"], *(a for a in WORKLOAD_ACCOUNTS if a["name"] not in names)]
    data["identity"] = {
        "enabled": True,
        "permission_sets": ["administrator", "read-only", "security-audit"],
        "groups": IDENTITY_GROUPS,
        "assignments": IDENTITY_ASSIGNMENTS,
        **identity,
    }
    return LandingZoneSpec.model_validate(data)


def _network(spec: LandingZoneSpec, **sections: dict[str, Any]) -> LandingZoneSpec:
    """The spec with parts of its `network:` section changed, validated as a user's spec would be."""
    data = spec.model_dump(mode="json")
    for name, values in sections.items():
        data["network"][name] = {**data["network"][name], **values}
    return LandingZoneSpec.model_validate(data)


def _logging(spec: LandingZoneSpec, **changes: Any) -> LandingZoneSpec:
    return spec.model_copy(update={"logging": spec.logging.model_copy(update=changes)})


WORKLOAD_ACCOUNTS = [
    {"name": "app-prod", "ou": "Workloads/Prod", "email": "app-prod@example.com"},
    {"name": "app-dev", "ou": "Workloads/NonProd", "email": "app-dev@example.com"},
]

NETWORK_VPCS = [
    {
        "name": "main",
        "ous": ["Workloads"],
        "size": 20,
        "subnets": [{"tier": "public", "size": 24}, {"tier": "private", "size": 22}, {"tier": "isolated", "size": 24}],
        "nat_gateways": "per_az",
        "gateway_endpoints": ["s3", "dynamodb"],
        "flow_logs": {"destination": "s3"},
    },
    {
        "name": "data",
        "accounts": ["app-prod"],
        "regions": ["us-west-2"],
        "size": 22,
        "availability_zones": 3,
        "subnets": [{"tier": "private", "size": 26}, {"tier": "isolated", "size": 26}],
        "gateway_endpoints": ["s3"],
        "flow_logs": {"destination": "cloudwatch", "retention_days": 90},
    },
]


def network_spec(base: LandingZoneSpec, vpcs: list[dict[str, Any]] | None = None) -> LandingZoneSpec:
    """`base` with two workload accounts and custom VPCs (every tier, NAT per zone, both endpoints, flow logs to
    S3 and to CloudWatch Logs); default VPC removal off, so only the custom VPCs' types are reached."""
    data = base.model_dump(mode="json", exclude_none=True)
    data["accounts"] = [*data["accounts"], *WORKLOAD_ACCOUNTS]
    network = data.setdefault("network", {})
    network["remove_default_vpcs"] = {"enabled": False}
    network["vpcs"] = NETWORK_VPCS if vpcs is None else vpcs
    return LandingZoneSpec.model_validate(data)


def spec_variants() -> dict[str, LandingZoneSpec]:
    base = default_spec()
    data_events = base.logging.data_events.model_copy(update={"s3_objects": True, "lambda_functions": True})
    no_vpcs = base.model_copy(update={"network": base.network.model_copy(update={"vpcs": []})})
    many = [
        {"name": f"acct-{n:04d}", "ou": "Workloads/NonProd", "email": f"acct-{n:04d}@example.com"} for n in range(450)
    ]
    return {
        "default": base,
        "delegated-trail": default_spec(trail_account="audit"),
        "delivery-notifications": _logging(base, delivery_notifications=True),
        "object-lock-off": _logging(base, object_lock=base.logging.object_lock.model_copy(update={"enabled": False})),
        "data-events": _logging(base, data_events=data_events),
        "no-baseline": base.model_copy(update={"baseline": base.baseline.model_copy(update={"enabled": False})}),
        "alternate-contacts": default_spec(contact_phone="+1 206 555 0100", security_contact_email="sec@example.com"),
        "accounts-in-chunks": parse_spec_with_accounts(no_vpcs, many),  # the accounts template, not 450 VPCs
        "no-cis-alarms": _logging(base, cis_alarms=False),
        "no-logging": _logging(base, enabled=False),
        "no-ai-opt-out": default_spec(ai_services_opt_out=False),
        "network": with_network(base, NETWORK_ACCOUNTS, THREE_ZONE_VPCS),
        "network-minimal": with_network(base, [{"name": "app-1", "ou": "Workloads/Prod"}], MINIMAL_VPCS),
        "ebs-key-only": _network(base, remove_default_vpcs={"enabled": False}, ebs_encryption={"customer_key": True}),
        "network-two-vpcs": network_spec(base),
        "billing-accounts": _billing(
            base,
            account_alarms=[
                {"account": "audit", "monthly_spend": 40, "margin_percent": 20},
                {"account": "management", "monthly_spend": 25},
            ],
            budget={"enabled": True, "accounts": [{"account": "log-archive", "monthly_spend": 30}]},
        ),
        "billing-alarms-only": _billing(base, budget={"enabled": False}, anomaly_detection={"enabled": False}),
        "identity": identity_spec(
            base,
            permission_sets=[
                "administrator",
                "power-user",
                "read-only",
                "security-audit",
                "billing",
                "break-glass-viewer",
                OWN_PERMISSION_SET,
            ],
            allow_management_account=True,
            assignments=[
                *IDENTITY_ASSIGNMENTS,
                {"group": "platform-admins", "permission_set": "administrator", "accounts": ["management"]},
            ],
        ),
        "identity-external": identity_spec(base, source="external"),
    }


def _billing(spec: LandingZoneSpec, **changes: Any) -> LandingZoneSpec:
    """The spec with parts of its `billing:` section changed, validated as a user's spec would be."""
    data = spec.model_dump(mode="json", exclude_none=True)
    data["billing"] = {**data["billing"], **changes}
    return parse_spec(yaml.safe_dump(data, sort_keys=False))


NETWORK_ACCOUNTS = [
    {"name": "app-prod-1", "ou": "Workloads/Prod"},
    {"name": "app-prod-2", "ou": "Workloads/Prod"},
    {"name": "app-dev-1", "ou": "Workloads/NonProd"},
]
THREE_ZONE_VPCS: list[dict[str, Any]] = [
    {
        "name": "workloads",
        "ous": ["Workloads/Prod", "Workloads/NonProd"],
        "regions": ["us-east-1", "us-west-2"],
        "size": 20,
        "availability_zones": 3,
        "subnets": [{"tier": "public", "size": 24}, {"tier": "private", "size": 23}, {"tier": "isolated", "size": 24}],
        "nat_gateways": "per_az",
        "gateway_endpoints": ["s3", "dynamodb"],
        "flow_logs": {"destination": "cloudwatch", "retention_days": 90},
    }
]
"""Public, private and isolated tiers in three zones of two regions, a NAT gateway per zone, both endpoints."""
MINIMAL_VPCS: list[dict[str, Any]] = [
    {
        "name": "app",
        "accounts": ["app-1"],
        "cidr": "10.20.0.0/24",
        "subnets": [{"tier": "private", "size": 26}],
        "gateway_endpoints": [],
        "flow_logs": {"destination": "s3"},
    }
]
"""One private-only VPC with an explicit block: no internet gateway, no NAT, no endpoint, flow logs to the archive."""


def with_network(spec: LandingZoneSpec, accounts: list[dict[str, str]], vpcs: list[dict[str, Any]]) -> LandingZoneSpec:
    """The spec with more accounts and these custom VPCs, validated as a user's spec would be (`parse_spec`)."""
    data = spec.model_dump(mode="json", exclude_none=True)
    data["accounts"] = [*data["accounts"], *accounts]
    data["network"]["vpcs"] = vpcs
    return parse_spec(yaml.safe_dump(data, sort_keys=False))


@cache
def rendered_variants() -> dict[str, dict[str, str]]:
    """Every variant's artifacts (relative path -> text), rendered once per test process. Do not mutate."""
    return {name: artifact_files(spec) for name, spec in spec_variants().items()}


def parse_spec_with_accounts(spec: LandingZoneSpec, extra: list[dict[str, str]]) -> LandingZoneSpec:
    """The spec with more accounts, validated as a user's spec would be (through the model, not `model_copy`)."""
    data = spec.model_dump(mode="json")
    data["accounts"] = [*data["accounts"], *extra]
    return LandingZoneSpec.model_validate(data)


class RenderedTemplate(NamedTuple):
    """A CloudFormation template some variants render, named by the first of them (in `spec_variants` order)."""

    variant: str
    name: str
    text: str
    shared_with: tuple[str, ...]
    """The other variants that render this very template, byte for byte."""

    @property
    def id(self) -> str:
        return f"{self.variant}/{self.name.removeprefix('blueprints/')}"


@cache
def unique_templates() -> list[RenderedTemplate]:
    """Every distinct CloudFormation template of every variant, once: linting the same bytes twice finds nothing new."""
    first: dict[str, tuple[str, str]] = {}
    sharing: dict[str, list[str]] = {}
    for variant, files in rendered_variants().items():
        for name, text in files.items():
            if name.endswith(".template.json"):
                first.setdefault(text, (variant, name))
                sharing.setdefault(text, []).append(variant)
    return [RenderedTemplate(v, n, text, tuple(x for x in sharing[text] if x != v)) for text, (v, n) in first.items()]
