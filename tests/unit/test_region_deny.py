"""The Region deny guardrail exempts at least what Control Tower's does, and nothing it cannot justify."""

from __future__ import annotations

from pathlib import Path

from bootstrap.guardrails.library import load_library

CONTROL_TOWER = [
    line.strip()
    for line in (Path(__file__).parent / "control_tower_region_deny.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
EXTRAS = {"purchase-orders:*"}
"""Exemptions beyond Control Tower's, each justified in the guardrail's metadata."""


def not_action() -> list[str]:
    (statement,) = load_library()["deny-regions-outside-allowed"].statements
    return list(statement["NotAction"])


def test_every_control_tower_exemption_is_kept() -> None:
    assert len(CONTROL_TOWER) > 80
    assert sorted(set(CONTROL_TOWER) - set(not_action())) == []


def test_nothing_broader_than_control_tower_but_the_justified_extras() -> None:
    extras = set(not_action()) - set(CONTROL_TOWER)
    assert extras == EXTRAS
    rationale = load_library()["deny-regions-outside-allowed"].rationale
    assert all(extra in rationale for extra in extras)
    assert "kms:*" in rationale  # why KMS is exempt is said, not assumed


def test_regional_services_are_not_exempt() -> None:
    for regional in ("identitystore:*", "wellarchitected:*", "s3:*", "ec2:*", "lambda:*", "sso-directory:*"):
        assert regional not in not_action()
