"""EBS encryption by default: turned on in every account and allowed region, turning it off is drift found
precisely and repaired, and with `customer_key` each account-region gets its own KMS key, set as the default
key, whose replacement by another key is drift too."""

from __future__ import annotations

import json
from typing import Any

import pytest
from network_lz import Ec2Outsider, changes_of, network_spec, with_ebs_default_key

from bootstrap.aws.session import Sessions
from bootstrap.changes import Action
from bootstrap.names import ebs_encryption_address, ebs_key_address
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live

ALLOWED = ["us-east-1", "us-west-2"]


def _repaired(
    spec: LandingZoneSpec, sessions: Sessions, apply: Any, expected: list[tuple[str, str, list[str]]]
) -> None:
    live, _ = plan_live(spec, sessions)
    assert changes_of(live.plan) == expected
    apply(spec, sessions)
    sessions.stats.reset()
    again, _ = plan_live(spec, sessions)
    assert again.plan.empty, changes_of(again.plan)
    assert sessions.stats.writes == 0


def test_encryption_is_on_everywhere_and_turning_it_off_is_drift(
    applied: LandingZoneSpec, sessions: Sessions, net: Ec2Outsider, apply: Any
) -> None:
    assert applied.organization.allowed_regions == ALLOWED
    for account in ("management", "audit", "log-archive"):
        for region in ALLOWED:
            assert net.ec2(region, account).get_ebs_encryption_by_default()["EbsEncryptionByDefault"]
    net.ec2("us-west-2", "log-archive").disable_ebs_encryption_by_default()
    live, _ = plan_live(applied, sessions)
    (change,) = live.plan.changes
    assert (change.address, change.action) == (ebs_encryption_address("log-archive", "us-west-2"), Action.UPDATE)
    assert [(d.name, d.before, d.after) for d in change.diffs] == [("EbsEncryptionByDefault", False, True)]
    assert not change.destructive and not change.weakens
    _repaired(applied, sessions, apply, [(change.address, "update", ["EbsEncryptionByDefault"])])
    assert net.ec2("us-west-2", "log-archive").get_ebs_encryption_by_default()["EbsEncryptionByDefault"]


def test_a_customer_key_per_account_region_is_the_default_key(
    sessions: Sessions, net: Ec2Outsider, apply: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_ebs_default_key(monkeypatch)
    spec = network_spec(enabled=False)
    data = spec.model_dump(mode="json", exclude_none=True)
    data["network"]["ebs_encryption"]["customer_key"] = True
    spec = LandingZoneSpec.model_validate(data)
    apply(spec, sessions)
    keys = {}
    for account in ("management", "audit"):
        for region in ALLOWED:
            ec2 = net.ec2(region, account)
            key_arn = ec2.get_ebs_default_kms_key_id()["KmsKeyId"]
            assert ":key/" in key_arn and f":{region}:" in key_arn
            keys[(account, region)] = key_arn
    assert len(set(keys.values())) == len(keys)
    kms = net.client("kms", "us-west-2", "audit")
    policy = json.loads(kms.get_key_policy(KeyId=keys[("audit", "us-west-2")], PolicyName="default")["Policy"])
    (use,) = [s for s in policy["Statement"] if s["Sid"] == "UseThroughEbsInThisAccount"]
    assert use["Condition"]["StringEquals"]["kms:ViaService"] == "ec2.us-west-2.amazonaws.com"
    assert use["Condition"]["StringEquals"]["kms:CallerAccount"] == net.account_id("audit")
    assert "DecryptForReaders" not in {s["Sid"] for s in policy["Statement"]}
    sessions.stats.reset()
    again, _ = plan_live(spec, sessions)
    assert again.plan.empty, changes_of(again.plan)

    other = net.client("kms", "us-west-2", "audit").create_key(Description="someone's")["KeyMetadata"]["Arn"]
    net.ec2("us-west-2", "audit").modify_ebs_default_kms_key_id(KmsKeyId=other)
    address = ebs_encryption_address("audit", "us-west-2")
    _repaired(spec, sessions, apply, [(address, "update", ["KmsKeyId"])])
    assert net.ec2("us-west-2", "audit").get_ebs_default_kms_key_id()["KmsKeyId"] == keys[("audit", "us-west-2")]
    assert ebs_key_address("audit", "us-west-2") == "network/ebs-key/audit/us-west-2"


def test_an_allowed_region_the_account_has_not_enabled_gets_no_key_and_is_reported(
    sessions: Sessions, net: Ec2Outsider, apply: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ap-east-1 is an opt-in region moto lists as not enabled: allowed by the spec, it gets no customer key, no
    alias, no EBS setting and no custom VPC (nothing can be made there, calls to it fail on AWS); one note per
    account names it and what was left, and the rest applies and settles."""
    with_ebs_default_key(monkeypatch)
    data = network_spec(enabled=False).model_dump(mode="json", exclude_none=True)
    data["organization"]["allowed_regions"] = [*ALLOWED, "ap-east-1"]
    data["network"]["ebs_encryption"]["customer_key"] = True
    data["network"]["vpcs"] = [
        {
            "name": "edge", "accounts": ["audit"], "regions": ["us-west-2", "ap-east-1"],
            "subnets": [{"tier": "private", "size": 24}], "gateway_endpoints": [], "flow_logs": {"destination": "none"},
        }
    ]  # fmt: skip
    spec = LandingZoneSpec.model_validate(data)
    apply(network_spec(enabled=False), sessions)  # the accounts, before ap-east-1 is allowed
    live, _ = plan_live(spec, sessions)
    where = {c.address: c.location.region for c in live.plan.changes}
    assert where and "ap-east-1" not in where.values(), where
    assert any(a.startswith("network/vpc/edge/audit/us-west-2") for a in where)
    notes = {n.address: n.message for n in live.plan.notes}
    audit, log_archive = notes["organizations/account/audit"], notes["organizations/account/log-archive"]
    assert "not enabled" in audit and all(f" {kind}," in audit for kind in ("Alias", "Key", "Subnet")), audit
    assert "ap-east-1: Alias, Key." in log_archive, log_archive
    assert not live.plan.blocked and not [n for n in live.plan.notes if n.severity == "failed"]
    apply(spec, sessions)
    aliases = net.client("kms", "ap-east-1", "audit").list_aliases()["Aliases"]
    assert not [a for a in aliases if not a["AliasName"].startswith("alias/aws/")], aliases
    again, _ = plan_live(spec, sessions)
    assert again.plan.empty, changes_of(again.plan)
