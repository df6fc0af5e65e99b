"""The real `bootstrap` command, as a subprocess, against the sandbox server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import boto3
import pytest
import yaml

pytestmark = pytest.mark.e2e


def _spec_with(tmp_path: Path, change: dict[str, object]) -> None:
    spec = yaml.safe_load((tmp_path / "landing-zone.yaml").read_text())
    spec["organization"].update(change)
    (tmp_path / "landing-zone.yaml").write_text(yaml.safe_dump(spec))


def test_journey_plan_apply_replan(run, tmp_path: Path) -> None:
    assert run("init", "--defaults").code == 0
    first = run("plan")
    assert first.code == 2, first.err
    # 84 default VPC removals: management's 20 regions moto has enabled, and every region of the 2 new accounts
    # (checked at apply, as an account is made); 2 changes: EBS encryption by default in management's 2 regions.
    # 8 of the adds are billing's (key, alias, topic, its policy, a subscriber, two alarms, the budget), 3 the
    # baseline's, 16 the identity layer's. The sandbox lacks Cost Anomaly Detection (billing's monitor and
    # subscription), the APIs of 7 baseline settings (IMDS defaults in 3 accounts x 2 regions, root access) and
    # permission sets' tags and boundaries (one note): 10 unavailable notes.
    assert "Plan: 114 to add, 2 to change, 84 to destroy. 10 setting(s) this endpoint cannot read or set" in first.out
    assert "unavailable billing/anomaly-monitor: Cost Anomaly Detection is not available on this endpoint" in first.out
    assert "Default VPC removals (asked for by the spec's network.remove_default_vpcs" in first.out
    applied = run("apply", "--yes")
    assert applied.code == 0, applied.err
    assert "Verified: live state now matches the spec, except 10 setting(s) this endpoint cannot read" in applied.out
    again = run("plan", "--stats")
    assert again.code == 0, again.err
    assert "No changes to what this endpoint can read. 10 setting(s) this endpoint cannot read or set" in again.out
    assert "(0 writes)" in again.err


def test_plan_json_is_versioned_machine_format(run) -> None:
    run("init", "--defaults")
    result = run("plan", "--json")
    assert result.code == 2
    data = json.loads(result.out)
    assert data["format_version"] == 1
    assert data["summary"] == {
        "add": 114,
        "change": 2,
        "destroy": 84,
    }  # 8 adds of billing, 3 of the baseline, 16 of identity
    unavailable = [n["address"] for n in data["notes"] if n["severity"] == "unavailable"]
    assert len(unavailable) == 10 and {"baseline/centralized-root-access", "identity/permission-sets"} <= set(
        unavailable
    )
    assert {c["action"] for c in data["changes"]} == {"create", "update"}
    removals = [c for c in data["changes"] if c["removes"]]
    assert len(removals) == 84 and {c["consented_by"] for c in removals} == {"network.remove_default_vpcs"}


def test_saved_plan_refused_when_live_state_changed(run, fresh, tmp_path: Path) -> None:
    run("init", "--defaults")
    assert run("plan", "--out", "plan.json").code == 2
    client = boto3.client(
        "organizations",
        endpoint_url=fresh.url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    client.create_organization(FeatureSet="ALL")  # someone else acts in between
    refused = run("apply", "plan.json", "--yes")
    assert refused.code == 1
    assert "live state has changed since this plan was made" in refused.err
    assert "Traceback" not in refused.err


def test_saved_plan_applies_when_unchanged(run) -> None:
    run("init", "--defaults")
    run("plan", "--out", "plan.json")
    assert run("apply", "plan.json", "--yes").code == 0
    assert run("plan").code == 0


def test_apply_without_terminal_needs_yes(run) -> None:
    run("init", "--defaults")
    result = run("apply")
    assert result.code == 2
    assert "--yes" in result.err


def test_account_pin_refuses_other_management_account(run, tmp_path: Path) -> None:
    run("init", "--defaults")
    spec = yaml.safe_load((tmp_path / "landing-zone.yaml").read_text())
    assert spec["organization"]["operators"] == ["arn:aws:iam::123456789012:user/moto"], "init adds its caller"
    _spec_with(tmp_path, {"management_account_id": "210987654321", "operators": []})
    result = run("apply", "--yes")
    assert result.code == 1
    assert "210987654321" in result.err and "123456789012" in result.err


def test_bad_spec_names_line_and_field_and_calls_no_aws(run, tmp_path: Path) -> None:
    (tmp_path / "landing-zone.yaml").write_text(
        "version: 1\norganization:\n  name: acme\n  management_account_id: '123456789012'\n"
        "  home_region: us-east-1\n  allowed_regions: [us-east-1]\n"
        "account_email_pattern: 'aws+{name}@example.com'\norganizational_units:\n"
        "  - path: Security\n    guardrails: [deny-leave-organisation]\n"
    )
    # An endpoint that answers nothing: a command that called AWS would fail differently.
    for command in (["validate"], ["plan"], ["apply", "--yes"], ["render"]):
        result = run(*command, env={"AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
        assert result.code == 2, (command, result.err)
        assert "landing-zone.yaml:10: organizational_units[0].guardrails[0]" in result.err
        assert "deny-leave-organization" in result.err  # the suggested fix


def test_init_refuses_to_overwrite_and_without_terminal(run, tmp_path: Path) -> None:
    no_tty = run("init")
    assert no_tty.code == 2 and "--defaults" in no_tty.err
    assert not (tmp_path / "landing-zone.yaml").exists()
    assert run("init", "--defaults").code == 0
    before = (tmp_path / "landing-zone.yaml").read_text()
    again = run("init", "--defaults")
    assert again.code == 2 and "--force" in again.err
    assert (tmp_path / "landing-zone.yaml").read_text() == before
    assert run("init", "--defaults", "--force").code == 0


def test_init_with_answers_file(run, tmp_path: Path) -> None:
    (tmp_path / "answers.yaml").write_text(
        "organization_name: globex\nhome_region: eu-west-1\nallowed_regions: [eu-west-1, eu-central-1]\n"
        "organizational_units: [Security, Workloads/Prod]\naccounts: [{name: log-archive, ou: Security}]\n"
    )
    result = run("init", "--answers", "answers.yaml")
    assert result.code == 0, result.err
    spec = yaml.safe_load((tmp_path / "landing-zone.yaml").read_text())
    assert spec["organization"]["name"] == "globex"
    assert spec["organization"]["management_account_id"] == "123456789012"  # the caller's account
    bad = run("init", "--answers", "answers.yaml", "--force", env={})
    assert bad.code == 0
    (tmp_path / "bad.yaml").write_text("home_region: mars-1\n")
    wrong = run("init", "--answers", "bad.yaml", "--force")
    assert wrong.code == 2 and "home_region" in wrong.err


def test_global_flags_anywhere_and_debug(run, fresh) -> None:
    run("init", "--defaults")
    after = run("plan", "--endpoint-url", fresh.url, "--region", "us-east-1")
    assert after.code == 2, after.err
    broken = run("plan", "--endpoint-url", "http://127.0.0.1:9")
    assert broken.code == 1 and "Traceback" not in broken.err
    debug = run("plan", "--endpoint-url", "http://127.0.0.1:9", "--debug")
    assert debug.code == 1 and "Traceback" in debug.err


def test_schema_is_json_schema_of_the_spec(run) -> None:
    result = run("schema")
    assert result.code == 0
    schema = json.loads(result.out)
    assert {"organization", "organizational_units", "accounts"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_render_is_byte_identical_and_works_from_another_directory(run, tmp_path: Path) -> None:
    run("init", "--defaults")
    assert run("render", "-o", "out1").code == 0
    assert run("render", "-o", "out2").code == 0
    files1 = sorted(p.relative_to(tmp_path / "out1") for p in (tmp_path / "out1").rglob("*") if p.is_file())
    files2 = sorted(p.relative_to(tmp_path / "out2") for p in (tmp_path / "out2").rglob("*") if p.is_file())
    assert files1 == files2 and files1
    for rel in files1:
        assert (tmp_path / "out1" / rel).read_bytes() == (tmp_path / "out2" / rel).read_bytes()
    assert any(str(p).startswith("scps/") for p in files1)
    assert any(str(p).startswith("blueprints/") for p in files1)
    assert any(str(p).startswith("runbooks/") for p in files1)


def test_status_marks_unverifiable_steps_unavailable_in_the_sandbox(run) -> None:
    run("init", "--defaults")
    run("apply", "--yes")
    result = run("status")
    assert result.code == 2  # steps remain that are not verified done
    assert "unavailable" in result.out
    assert "root-mfa" in result.out and "✓ done" in result.out  # alarm subscriptions: the sandbox confirms them
    assert "The first day" in result.out and "The first week" in result.out


def test_status_json_is_the_checklist_for_automation(run) -> None:
    run("init", "--defaults")
    assert run("apply", "--yes").code == 0
    result = run("status", "--json")
    assert result.code == 2, result.err  # the break-glass user does not exist yet: pending
    data = json.loads(result.out)
    assert data["format_version"] == 1 and data["exit_code"] == 2
    steps = {s["id"]: s for s in data["steps"]}
    assert [s["phase"] for s in data["steps"]] == sorted(
        (s["phase"] for s in data["steps"]), key=["first-day", "first-week", "every-run"].index
    )
    assert {k: steps[k]["state"] for k in steps} == {
        "root-mfa": "unavailable",
        "root-access-keys": "unavailable",
        "break-glass": "pending",
        "alarm-subscriptions": "done",  # the sandbox confirms e-mail subscriptions by itself
        "mfa-delete": "unavailable",
        "iam-billing-access": "unverifiable",
        "identity-center": "unavailable",  # the sandbox has an instance everywhere; MFA settings have no API
        "alternate-contacts": "pending",  # `init --defaults` gives no phone: the spec sets no contacts
        "member-root-credentials": "unavailable",  # the sandbox has no centralized root access
        "billing-preference": "unavailable",  # the sandbox publishes no AWS/Billing metrics
    }
    assert steps["alarm-subscriptions"]["runbook"] == "runbooks/respond.md#alarm-subscriptions"
    assert steps["mfa-delete"]["account"] == "log-archive" and re.fullmatch(
        r"[0-9]{12}", steps["mfa-delete"]["account_id"]
    )
    assert set(steps["root-mfa"]) == {"id", "title", "phase", "state", "detail", "runbook", "account", "account_id"}
    assert data["summary"] == {"done": 1, "pending": 2, "unverifiable": 1, "unavailable": 6, "unknown": 0}


def test_demo_runs_the_whole_journey(run) -> None:
    result = run("demo", timeout=180)
    assert result.code == 0, result.out + result.err
    assert "plan: finds exactly that drift" in result.out
    assert "removed the billing alarm subscriber aws+billing-alarms@example.com" in result.out
    assert "not on this endpoint billing/anomaly-monitor" in result.out
    assert "Demo complete" in result.out
    assert re.search(r"New accounts: audit [0-9]{12}, log-archive [0-9]{12}, workload-dev [0-9]{12}\.", result.out)
    assert re.search(r"Custom VPC workloads in workload-dev / us-east-1: 10\.0\.0\.0/20", result.out), result.out
    assert "default-security-group" in result.out  # the custom VPC's drift, found and repaired
    temporary = re.search(r"written to a temporary folder, (\S+), deleted when the demo ends", result.out)
    assert temporary is not None, result.out
    assert "`bootstrap demo --keep DIR` keeps them" in result.out
    assert not Path(temporary.group(1)).exists()
    assert result.out.rstrip().endswith(
        f"The demo's temporary folder ({temporary.group(1)}) is deleted; `bootstrap demo --keep DIR` keeps them in DIR."
    )


def test_demo_keep_keeps_the_files_it_names(run, tmp_path: Path) -> None:
    result = run("demo", "--keep", "kept", timeout=180)
    assert result.code == 0, result.out + result.err
    assert "written to kept, and kept" in result.out
    assert "The spec and artifacts are kept in kept: landing-zone.yaml and out/." in result.out
    assert (tmp_path / "kept" / "landing-zone.yaml").is_file()
    assert (tmp_path / "kept" / "out" / "runbooks" / "index.md").is_file()
