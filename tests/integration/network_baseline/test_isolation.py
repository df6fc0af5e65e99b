"""One failing account-region never stops the others (issue 9, "Scale"): a read that AWS refuses or that times
out in one region is reported with its account, region and what to do, nothing is planned there (nor for what
refers to it), everything else is planned and applied, and the command exits 1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from network_lz import Ec2Outsider, fail_ec2

from bootstrap.aws.session import Sessions
from bootstrap.cli.app import run
from bootstrap.errors import AwsError
from bootstrap.names import default_vpc_address, ebs_encryption_address
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live


def test_a_region_denied_is_one_failure_and_the_rest_is_planned_and_applied(
    applied: LandingZoneSpec, sessions: Sessions, net: Ec2Outsider, run_plan: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for region in ("us-east-1", "eu-west-1"):
        net.ec2(region).create_default_vpc()
    failed = fail_ec2(monkeypatch, "DescribeVpcs", "eu-west-1", "UnauthorizedOperation")
    live, ctx = plan_live(applied, sessions)
    assert failed.urls, "the injected failure was never reached"
    failures = live.plan.failures
    assert [n.address for n in failures] == ["audit / eu-west-1", "log-archive / eu-west-1", "management / eu-west-1"]
    assert all("UnauthorizedOperation" in n.message and "bootstrap permissions" in n.message for n in failures)
    assert [c.address for c in live.plan.changes] == [default_vpc_address("management", "us-east-1")]
    assert "3 account-region(s) could not be read" in live.plan.summary()
    assert not live.plan.blocked

    with pytest.raises(AwsError) as raised:
        run_plan(live.plan, ctx)
    assert "0 change(s) failed (1 done)" in raised.value.message
    assert "- management / eu-west-1: could not be read" in raised.value.message
    failed.stop()
    assert net.default_vpc("us-east-1") is None  # the rest was applied
    assert net.default_vpc("eu-west-1") is not None


def test_an_endpoint_that_does_not_answer_fails_its_region_only(
    applied: LandingZoneSpec, sessions: Sessions, net: Ec2Outsider, monkeypatch: pytest.MonkeyPatch
) -> None:
    net.ec2("us-east-1").disable_ebs_encryption_by_default()
    from botocore.exceptions import EndpointConnectionError
    from moto.core.botocore_stubber import BotocoreStubber

    process = BotocoreStubber.process_request

    def unreachable(self: Any, request: Any) -> Any:
        if "ec2.us-west-2.amazonaws.com" in request.url:
            raise EndpointConnectionError(endpoint_url=request.url)
        return process(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", unreachable)
    live, _ = plan_live(applied, sessions)
    assert {n.address for n in live.plan.failures} == {
        "management / us-west-2",
        "audit / us-west-2",
        "log-archive / us-west-2",
    }
    (note,) = [n for n in live.plan.failures if n.address == "management / us-west-2"]
    assert "AWS did not answer" in note.message and "Run the command again" in note.message
    assert ebs_encryption_address("management", "us-east-1") in {c.address for c in live.plan.changes}


def test_plan_and_apply_exit_1_naming_the_failure(
    aws: None,
    spec: LandingZoneSpec,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "landing-zone.yaml"
    path.write_text(yaml.safe_dump(spec.model_dump(mode="json", exclude_none=True), sort_keys=False))
    fail_ec2(monkeypatch, "GetEbsEncryptionByDefault", "us-west-2", "AccessDenied")
    assert run(["plan", "--spec", str(path)]) == 1
    out = capsys.readouterr()
    assert "management / us-west-2: could not be read: AWS refused a read (AccessDenied)" in out.out
    assert run(["apply", "--spec", str(path), "--yes"]) == 1
    out = capsys.readouterr()
    assert "could not be read" in out.err and "management / us-west-2" in out.err
    assert run(["plan", "--spec", str(path)]) == 1  # the rest was applied: only the failure is left
    out = capsys.readouterr()
    assert "No changes where live state could be read. 3 account-region(s) could not be read" in out.out
