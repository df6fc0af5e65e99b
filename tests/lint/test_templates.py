"""Rendered CloudFormation templates pass cfn-lint and checkov (offline), as the design requires.

Both tools are test dependencies: a missing one fails the test rather than skipping it, so a CI without
them cannot pass silently. checkov starts slowly (seconds), so it runs once over the whole folder.
A suppression belongs in the blueprint, with its reason inline (cfn-lint `Metadata.cfn-lint.config.
ignore_checks`, checkov `Metadata.checkov.skip: [{id, comment}]`), never here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bootstrap.render.artifacts import render_artifacts
from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec

pytestmark = pytest.mark.lint

# A bucket with no encryption, versioning, logging or public access block: checkov must flag it. It proves
# that checkov really scanned `*.template.json` files in the folder, since the organization template
# alone has no resource checkov has checks for, and "0 failed" would look the same as "nothing scanned".
CANARY = "canary.template.json"
CANARY_TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {"CanaryBucket": {"Type": "AWS::S3::Bucket", "Properties": {}}},
}


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not on PATH; it is a test dependency: pip install -e '.[test]'")
    return path


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    spec = parse_spec(render_spec_yaml(Answers(management_account_id="123456789012")))
    out = tmp_path_factory.mktemp("render")
    render_artifacts(spec, out)
    found = sorted((out / "blueprints").glob("*.template.json"))
    assert found, "render wrote no CloudFormation template"
    return found


def test_cfn_lint_reports_nothing(templates: list[Path]) -> None:
    result = subprocess.run(
        [tool("cfn-lint"), "--format", "parseable", *map(str, templates)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (result.returncode, result.stdout.strip()) == (0, ""), result.stdout + result.stderr


def test_checkov_finds_no_failed_check(templates: list[Path], tmp_path: Path) -> None:
    for template in templates:
        shutil.copy(template, tmp_path / template.name)
    (tmp_path / CANARY).write_text(json.dumps(CANARY_TEMPLATE, indent=2) + "\n")
    result = subprocess.run(
        [
            tool("checkov"),
            *("-d", str(tmp_path), "--framework", "cloudformation", "--skip-download"),
            *("--quiet", "--compact", "-o", "json"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    reports = _reports(json.loads(result.stdout))
    assert all(r.get("summary", r).get("parsing_errors", 0) == 0 for r in reports), result.stdout
    failed = [c for r in reports for c in r.get("results", {}).get("failed_checks", [])]
    ours = [f"{c['file_path']}: {c['check_id']} {c['check_name']} ({c['resource']})" for c in failed]
    ours = [line for line in ours if not line.startswith(f"/{CANARY}:")]
    assert ours == [], "checkov failed checks in rendered templates:\n" + "\n".join(ours)
    assert any(c["file_path"] == f"/{CANARY}" for c in failed), "checkov did not scan the folder's templates"


def _reports(output: Any) -> list[dict[str, Any]]:
    """checkov prints one report, a list of them (several frameworks), or a bare summary if nothing matched."""
    return [r for r in (output if isinstance(output, list) else [output]) if isinstance(r, dict)]
