"""Every variant's rendered CloudFormation templates pass cfn-lint, as the design requires.

cfn-lint runs through its Python API in this interpreter (not a `cfn-lint` found on PATH), with the command
line's defaults: errors and warnings, region us-east-1. Each distinct template is linted once; the test is
named after the first variant that renders it (tests/variants.py), and a failure lists the other variants that
render the same bytes. cfn-lint is a test dependency: without it this module fails to import rather than skip.
A suppression belongs in the blueprint, with its reason inline (`Metadata.cfn-lint.config.ignore_checks`),
never here.
"""

from __future__ import annotations

import json

import cfnlint.api
import pytest
from variants import RenderedTemplate, unique_templates

pytestmark = pytest.mark.lint

KNOWN_FINDINGS: dict[str, str] = {}
"""Template id -> why it fails for a real reason the blueprint must fix (marked xfail, strict). None today."""


def _findings(text: str) -> list[str]:
    return [f"{m.rule.id} line {m.linenumber}: {m.message}" for m in cfnlint.api.lint(text)]


def _cases() -> list[object]:
    return [
        pytest.param(t, id=t.id, marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FINDINGS[t.id])])
        if t.id in KNOWN_FINDINGS
        else pytest.param(t, id=t.id)
        for t in unique_templates()
    ]


@pytest.mark.parametrize("template", _cases())
def test_cfn_lint_reports_nothing(template: RenderedTemplate) -> None:
    found = _findings(template.text)
    also = f" (the same template in: {', '.join(template.shared_with)})" if template.shared_with else ""
    assert found == [], f"cfn-lint on {template.name} of variant {template.variant}{also}:\n" + "\n".join(found)


def test_cfn_lint_can_fail() -> None:
    """The API really lints: a bucket with an unknown property is reported (so an empty result means something)."""
    broken = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"NoSuchProperty": 1}}}}
    assert [f.split()[0] for f in _findings(json.dumps(broken, indent=2))] == ["E3002"]


def test_no_known_finding_is_stale() -> None:
    assert set(KNOWN_FINDINGS) <= {t.id for t in unique_templates()}
