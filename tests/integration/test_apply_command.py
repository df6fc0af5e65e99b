"""`bootstrap apply` as the user runs it (the CLI in process, against in-process moto): the lock's refusal and
`--force-unlock`, and what a resumed or refused saved plan says first."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from bootstrap.apply.lock import PARAMETER
from bootstrap.changes import Note
from bootstrap.cli.app import run
from bootstrap.spec.model import LandingZoneSpec


@pytest.fixture
def spec_file(aws: None, spec: LandingZoneSpec, tmp_path: Path) -> Path:
    """The Organizations layer of the default landing zone, as a file."""
    path = tmp_path / "landing-zone.yaml"
    path.write_text(yaml.safe_dump(spec.model_dump(mode="json", exclude_none=True), sort_keys=False))
    return path


def _bootstrap(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_apply_refuses_while_another_holds_the_lock_until_force_unlock(
    spec_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    holder: dict[str, Any] = {
        "id": "feedfacecafe",
        "who": "arn:aws:sts::123456789012:assumed-role/Admin/bob",
        "host": "bobs-ci-runner",
        "pid": 77,
        "since": "2026-03-01T10:00:00Z",
        "lease_until": "2999-01-01T00:00:00Z",
    }
    boto3.client("ssm", region_name="us-east-1").put_parameter(Name=PARAMETER, Value=json.dumps(holder), Type="String")

    code, said = _bootstrap(capsys, "apply", "--spec", str(spec_file), "--yes")
    assert code == 1
    assert "bob on bobs-ci-runner (process 77)" in said
    assert "--force-unlock feedfacecafe" in said
    org = boto3.client("organizations", region_name="us-east-1")
    with pytest.raises(org.exceptions.AWSOrganizationsNotInUseException):
        org.describe_organization()  # refused before anything was made

    code, said = _bootstrap(capsys, "apply", "--spec", str(spec_file), "--force-unlock", "feedfacecafe")
    assert code == 0, said
    assert "Removed the apply lock feedfacecafe" in said

    code, said = _bootstrap(capsys, "apply", "--spec", str(spec_file), "--yes")
    assert code == 0, said
    assert "Verified: live state now matches the spec." in said
    code, said = _bootstrap(capsys, "apply", "--spec", str(spec_file), "--force-unlock", "feedfacecafe")
    assert code == 2 and "not held" in said  # released when the apply ended


def test_a_refused_saved_plan_does_not_first_say_it_resumes(
    spec_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An interrupted run is in the journal, and live state changed since the plan was saved: the refusal
    is the first thing said, not "Resuming from live state" followed by "live state has changed"."""
    plan_file = spec_file.parent / "plan.json"
    assert _bootstrap(capsys, "plan", "--spec", str(spec_file), "--out", str(plan_file))[0] == 2
    journal = spec_file.parent / ".bootstrap" / "journal.jsonl"
    journal.parent.mkdir()
    journal.write_text(json.dumps({"at": "2026-03-01T10:00:00Z", "event": "begin", "plan_id": "other", "total": 3}))
    boto3.client("organizations", region_name="us-east-1").create_organization(FeatureSet="ALL")

    code, said = _bootstrap(capsys, "apply", str(plan_file), "--spec", str(spec_file), "--yes")

    assert code == 1
    assert "live state has changed since this plan was made" in said
    assert "Resuming" not in said and "resum" not in said.split("live state has changed")[0].lower()


def test_apply_does_not_say_verified_while_a_managed_address_is_held_by_something_untagged(
    spec_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check after apply finds a blocking note (an object without the toolkit's tags at one of its
    addresses) and no change: that is not "live state now matches the spec"."""
    import bootstrap.workflow as commands  # the apply command imports plan_live from there when it runs

    real = commands.plan_live
    calls: list[int] = []

    def plan_live(*args: Any, **kwargs: Any) -> Any:
        live, ctx = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == 2:  # the verification: as if an untagged bucket held an address
            held = Note("logging/bucket/logs", "acme-logs holds this address but does not carry the tags", "error")
            live.plan = replace(live.plan, notes=(*live.plan.notes, held))
        return live, ctx

    monkeypatch.setattr(commands, "plan_live", plan_live)
    code, said = _bootstrap(capsys, "apply", "--spec", str(spec_file), "--yes")

    assert len(calls) == 2
    assert code == 1
    assert "Verified" not in said
    assert "does not carry the tags" in said
