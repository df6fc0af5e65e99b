"""The network baseline without AWS: which resources the spec asks for (default VPCs absent in every account and
candidate region but `except_accounts`; EBS encryption in every account and allowed region, with a key each when
asked), how a removal is planned (destructive, consented by the spec, shown in its own section with a count per
account, no `--allow-destroy`), and how an account-region that could not be read is left out of the plan with
everything that refers to it."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from variants import default_spec

from blueprints.network_baseline import default_vpc_regions
from bootstrap.changes import FAILED, Action, Change, Plan
from bootstrap.desired import desired_state
from bootstrap.errors import SafetyError
from bootstrap.names import default_vpc_address, ebs_encryption_address, ebs_key_address
from bootstrap.observed import ObservedResource, ObservedState, ReadFailure
from bootstrap.plan.diff import make_plan
from bootstrap.plan.render import print_plan
from bootstrap.resources import DesiredState, Location
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.spec.values import COMMERCIAL, regions_by_partition
from bootstrap.types.ec2_default_vpc import DEFAULT_VPC_ABSENT, explain_removal
from bootstrap.types.ec2_ebs import EBS_ENCRYPTION_BY_DEFAULT


def _network(spec: LandingZoneSpec, *, other_layers: bool = True, **sections: dict[str, object]) -> LandingZoneSpec:
    """The spec with its network sections changed; `other_layers=False`: logging and the baseline off."""
    data = spec.model_dump(mode="json", exclude_none=True)
    if not other_layers:
        data["logging"]["enabled"] = False
        data["baseline"]["enabled"] = False
    for name, values in sections.items():
        data["network"][name] = {**data["network"].get(name, {}), **values}
    return LandingZoneSpec.model_validate(data)


def test_default_vpcs_are_absent_in_every_account_and_region_of_the_partition() -> None:
    spec = default_spec()
    absent = desired_state(spec).of_type(DEFAULT_VPC_ABSENT)
    regions = sorted(regions_by_partition()[COMMERCIAL])
    assert default_vpc_regions(spec) == regions and len(regions) > 20
    assert {(r.location.account, r.location.region) for r in absent} == {
        (account, region) for account in ("management", "log-archive", "audit") for region in regions
    }
    assert absent[0].address == default_vpc_address("management", regions[0])
    assert all(r.properties == {"DefaultVpc": "absent"} for r in absent)


def test_except_accounts_and_a_region_list_narrow_the_removal() -> None:
    spec = _network(default_spec(), remove_default_vpcs={"except_accounts": ["management"], "regions": ["eu-west-1"]})
    absent = desired_state(spec).of_type(DEFAULT_VPC_ABSENT)
    assert [r.address for r in absent] == [default_vpc_address(a, "eu-west-1") for a in ("log-archive", "audit")]
    off = _network(default_spec(), remove_default_vpcs={"enabled": False}, ebs_encryption={"enabled": False})
    assert not [r for r in desired_state(off).resources if r.address.startswith("network/")]


def test_ebs_encryption_in_every_allowed_region_with_a_key_each_when_asked() -> None:
    spec = default_spec()
    ebs = desired_state(spec).of_type(EBS_ENCRYPTION_BY_DEFAULT)
    assert len(ebs) == 3 * len(spec.organization.allowed_regions)
    assert all(r.properties == {"EbsEncryptionByDefault": True} for r in ebs)
    keyed = desired_state(_network(spec, ebs_encryption={"customer_key": True}))
    setting = keyed.by_address[ebs_encryption_address("audit", "us-west-2")]
    key = keyed.by_address[ebs_key_address("audit", "us-west-2")]
    assert setting.properties["KmsKeyId"] == {"Fn::GetAtt": [key.logical_id, "Arn"]}
    assert key.protected and key.location == Location("audit", "us-west-2")
    (use,) = [s for s in key.properties["KeyPolicy"]["Statement"] if s["Sid"] == "UseThroughEbsInThisAccount"]
    assert use["Condition"]["StringEquals"]["kms:ViaService"] == "ec2.us-west-2.amazonaws.com"


def _removal_plan(spec: LandingZoneSpec) -> Plan:
    desired = DesiredState(tuple(r for r in desired_state(spec).resources if r.address.startswith("network/")))
    observed = ObservedState()
    for resource in desired.resources:  # everything but the default VPCs is as the spec says
        if resource.type != DEFAULT_VPC_ABSENT:
            observed.resources[resource.address] = ObservedResource(
                resource.address, resource.type, "id", dict(resource.properties), owned=True
            )
    live = {"DefaultVpc": "vpc-1", "CidrBlock": "172.31.0.0/16", "Subnets": ["subnet-1", "subnet-2"]}
    for account in ("management", "audit"):
        address = default_vpc_address(account, "eu-west-1")
        observed.resources[address] = ObservedResource(address, DEFAULT_VPC_ABSENT, None, live, owned=True)
    return make_plan(desired, observed)


def test_a_removal_is_destructive_consented_by_the_spec_and_listed_apart() -> None:
    spec = _network(default_spec(), other_layers=False, remove_default_vpcs={"regions": ["eu-west-1"]})
    plan = _removal_plan(spec)
    removals = [c for c in plan.changes if c.removes]
    accounts = ("management", "log-archive", "audit")  # log-archive's default VPC was not observed: a new account
    assert [c.address for c in removals] == [default_vpc_address(a, "eu-west-1") for a in accounts]
    assert removals[1].before is None and removals[1].diffs[0].before is None
    change = removals[0]
    assert change.action is Action.CREATE and change.destructive and not change.needs_consent
    assert change.consented_by == "network.remove_default_vpcs" and change.symbol == "-"
    assert change.before == {"DefaultVpc": "vpc-1", "CidrBlock": "172.31.0.0/16", "Subnets": ["subnet-1", "subnet-2"]}
    assert change.reason.startswith("removes vpc-1 (172.31.0.0/16) with 2 subnets")
    assert Change.from_dict(change.to_dict()) == change
    assert plan.count() == (0, 0, 3)

    out = io.StringIO()
    print_plan(plan, Console(file=out, width=300, no_color=True))
    text = out.getvalue()
    assert "Default VPC removals (asked for by the spec's network.remove_default_vpcs; no --allow-destroy" in text
    assert "management: 1 default VPC\n" in text and "audit: 1 default VPC\n" in text
    assert "- network/default-vpc/audit/eu-west-1" in text and "DefaultVpc: vpc-1 → absent" in text
    assert "need --allow-destroy" not in text


def test_explain_removal_counts_what_goes_with_the_vpc() -> None:
    text = explain_removal(
        {"DefaultVpc": "vpc-9", "InternetGateways": ["igw-1"], "SecurityGroups": ["sg-1", "sg-2"], "Subnets": []}
    )
    assert text.startswith("removes vpc-9 with 1 internet gateway, 2 other security groups, its main route table")


def test_the_absence_is_never_deleted_nor_ebs_encryption_turned_off() -> None:
    from bootstrap.types.registry import type_for

    for name in (DEFAULT_VPC_ABSENT, EBS_ENCRYPTION_BY_DEFAULT):
        assert not type_for(name).deletable
        with pytest.raises(SafetyError):
            type_for(name).handler.delete(None, Change("x", name, Location("management", "eu-west-1"), Action.DELETE))  # type: ignore[arg-type]


def test_an_unread_account_region_is_left_out_with_what_refers_to_it() -> None:
    spec = _network(default_spec(), other_layers=False, ebs_encryption={"customer_key": True})
    desired = desired_state(spec)
    key = ebs_key_address("audit", "us-west-2")
    failure = ReadFailure("audit", "us-west-2", "AWS refused a read (AccessDenied): no", "Grant it.", (key,))
    plan = make_plan(desired, ObservedState(failures=[failure]))
    planned = {c.address for c in plan.changes}
    assert key not in planned
    assert ebs_encryption_address("audit", "us-west-2") not in planned  # refers to the key, whose id is unknown
    assert ebs_encryption_address("audit", "us-east-1") in planned
    (note,) = plan.failures
    assert (note.address, note.severity) == ("audit / us-west-2", FAILED)
    assert note.message == "could not be read: AWS refused a read (AccessDenied): no. Grant it."
    assert not plan.blocked and "1 account-region(s) could not be read" in plan.summary()
    assert ObservedState(failures=[failure]).fingerprint() != ObservedState().fingerprint()
