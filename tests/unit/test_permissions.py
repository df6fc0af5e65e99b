"""`bootstrap permissions` and `render`'s permissions/operator-policy.json: generated from what each type declares,
for the spec at hand, small enough for one managed policy, and scoped where it can be (entering accounts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from variants import default_spec, spec_variants

from bootstrap.cli.app import run
from bootstrap.render.permissions import (
    MAX_MANAGED_POLICY_CHARS,
    SECOND_POLICY_SERVICES,
    operator_policy,
    people_and_billing_policy,
    policy_size,
    required_actions,
)
from bootstrap.spec.answers import Answers, render_spec_yaml


def _actions(policy: dict[str, object]) -> set[str]:
    found: set[str] = set()
    for statement in policy["Statement"]:  # type: ignore[attr-defined]
        action = statement["Action"]
        found.update([action] if isinstance(action, str) else action)
    return found


@pytest.mark.parametrize("variant", sorted(spec_variants()))
def test_every_variant_fits_one_managed_policy(variant: str) -> None:
    assert policy_size(spec_variants()[variant]) < MAX_MANAGED_POLICY_CHARS
    second = people_and_billing_policy(spec_variants()[variant])
    if second is not None:
        assert len(json.dumps(second, separators=(",", ":"))) < MAX_MANAGED_POLICY_CHARS
        services = {s["Action"][0].split(":")[0] for s in second["Statement"]}
        assert services <= SECOND_POLICY_SERVICES
        assert not services & {
            s["Action"][0].split(":")[0] for s in operator_policy(spec_variants()[variant])["Statement"]
        }


def test_the_policy_follows_the_spec() -> None:
    spec = default_spec()
    without_baseline = spec.model_copy(update={"baseline": spec.baseline.model_copy(update={"enabled": False})})
    assert "s3:PutAccountPublicAccessBlock" in _actions(operator_policy(spec))
    assert "s3:PutAccountPublicAccessBlock" not in _actions(operator_policy(without_baseline))
    delegated = default_spec(trail_account="audit")
    assert "cloudtrail:RegisterOrganizationDelegatedAdmin" in _actions(operator_policy(delegated))
    assert "cloudtrail:RegisterOrganizationDelegatedAdmin" not in _actions(operator_policy(spec))


def test_no_wildcard_actions_and_assume_role_only_into_the_landing_zones_roles() -> None:
    policy = operator_policy(default_spec())
    assert not [a for a in _actions(policy) if "*" in a]
    (assume,) = [s for s in policy["Statement"] if s["Action"] == "sts:AssumeRole"]
    assert assume["Resource"] == [
        "arn:aws:iam::*:role/LandingZoneBootstrap",
        "arn:aws:iam::*:role/OrganizationAccountAccessRole",
    ]
    assert "sts" not in required_actions(default_spec()), "no other STS action, and none unscoped"


def test_root_sessions_are_granted_for_the_audit_task_policy_only() -> None:
    (root,) = [s for s in operator_policy(default_spec())["Statement"] if s["Action"] == "sts:AssumeRoot"]
    assert root["Resource"] == "arn:aws:iam::*:root"
    assert root["Condition"] == {
        "ArnEquals": {"sts:TaskPolicyArn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}
    }


def test_the_apply_lock_is_granted_on_its_parameter_only() -> None:
    spec = default_spec()
    (lock,) = [s for s in operator_policy(spec)["Statement"] if s["Sid"] == "ApplyLock"]
    assert sorted(lock["Action"]) == ["ssm:DeleteParameter", "ssm:GetParameter", "ssm:PutParameter"]
    assert (
        lock["Resource"]
        == f"arn:aws:ssm:us-east-1:{spec.organization.management_account_id}:parameter/bootstrap/apply-lock"
    )
    assert "ssm" not in required_actions(spec)


def test_the_command_prints_the_policy_and_writes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("landing-zone.yaml").write_text(render_spec_yaml(Answers(management_account_id="123456789012")))
    assert run(["permissions"]) == 0
    assert json.loads(capsys.readouterr().out) == operator_policy(default_spec())
    assert run(["permissions", "-o", "policy.json"]) == 0
    assert json.loads(Path("policy.json").read_text()) == operator_policy(default_spec())
    assert run(["permissions", "--spec", "nope.yaml"]) == 2
    assert "no such spec file" in capsys.readouterr().err
