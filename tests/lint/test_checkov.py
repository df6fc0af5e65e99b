"""Every variant's rendered CloudFormation templates pass checkov (offline: `--skip-download`), as the design
requires.

checkov starts slowly (seconds), so it runs once, as `sys.executable -m checkov.main` (this interpreter's checkov,
not one found on PATH), over a folder holding each distinct template of every variant once, as
`<variant>/<template>`: the first variant that renders it (tests/variants.py). Each template is then a test of
its own, so a failure names the variant and the template, and lists the other variants rendering the same bytes.
checkov is a test dependency: a missing one fails the tests rather than skipping them, so a CI without it
cannot pass silently. A suppression belongs in the blueprint, with its reason inline (`Metadata.checkov.skip:
[{id, comment}]`), never here.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from variants import RenderedTemplate, unique_templates

pytestmark = pytest.mark.lint

# A bucket with no encryption, versioning, logging or public access block: checkov must flag it. It proves
# that checkov really scanned `*.template.json` files in the folder's subfolders, since a template with no
# resource checkov has checks for reports "0 failed" exactly as a template not scanned at all.
CANARY = "canary/canary.template.json"
CANARY_TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {"CanaryBucket": {"Type": "AWS::S3::Bucket", "Properties": {}}},
}

KNOWN_FINDINGS: dict[str, str] = {}
"""Template id -> why it fails for a real reason the blueprint must fix (marked xfail, strict). None today."""


def _path(template: RenderedTemplate) -> str:
    return f"{template.variant}/{Path(template.name).name}"


@pytest.fixture(scope="module")
def failed_checks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """checkov's failed checks by scanned file (`<variant>/<template>`), from one run over every template."""
    if importlib.util.find_spec("checkov") is None:
        pytest.fail(f"checkov is not installed for {sys.executable}; it is a test dependency: pip install '.[test]'")
    folder = tmp_path_factory.mktemp("variants")
    for template in unique_templates():
        (folder / _path(template)).parent.mkdir(exist_ok=True)
        (folder / _path(template)).write_text(template.text)
    (folder / CANARY).parent.mkdir()
    (folder / CANARY).write_text(json.dumps(CANARY_TEMPLATE, indent=2) + "\n")
    result = subprocess.run(
        [
            *(sys.executable, "-m", "checkov.main"),
            *("-d", str(folder), "--framework", "cloudformation", "--skip-download"),
            *("--quiet", "--compact", "-o", "json"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    reports = _reports(json.loads(result.stdout))
    assert all(r.get("summary", r).get("parsing_errors", 0) == 0 for r in reports), result.stdout
    failed: dict[str, list[str]] = {}
    for report in reports:
        for check in report.get("results", {}).get("failed_checks", []):
            line = f"{check['check_id']} {check['check_name']} ({check['resource']})"
            failed.setdefault(check["file_path"].lstrip("/"), []).append(line)
    return failed


def _cases() -> list[object]:
    return [
        pytest.param(t, id=t.id, marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FINDINGS[t.id])])
        if t.id in KNOWN_FINDINGS
        else pytest.param(t, id=t.id)
        for t in unique_templates()
    ]


@pytest.mark.parametrize("template", _cases())
def test_checkov_finds_no_failed_check(template: RenderedTemplate, failed_checks: dict[str, list[str]]) -> None:
    found = failed_checks.get(_path(template), [])
    also = f" (the same template in: {', '.join(template.shared_with)})" if template.shared_with else ""
    assert found == [], f"checkov on {template.name} of variant {template.variant}{also}:\n" + "\n".join(found)


def test_checkov_scanned_the_folders_templates(failed_checks: dict[str, list[str]]) -> None:
    assert failed_checks.get(CANARY), "checkov did not scan the folder's templates"
    scanned = {_path(t) for t in unique_templates()} | {CANARY}
    assert set(failed_checks) <= scanned, f"checkov reports files that were not written: {set(failed_checks)}"


def test_no_known_finding_is_stale() -> None:
    assert set(KNOWN_FINDINGS) <= {t.id for t in unique_templates()}


def _reports(output: Any) -> list[dict[str, Any]]:
    """checkov prints one report, a list of them (several frameworks), or a bare summary if nothing matched."""
    return [r for r in (output if isinstance(output, list) else [output]) if isinstance(r, dict)]
