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
