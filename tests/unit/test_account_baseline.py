"""The account baseline blueprint: one S3 Block Public Access resource per account, in the home region,
all four flags on, a member account's waiting for the account; switched off, nothing at all."""

from __future__ import annotations

from pathlib import Path

import yaml

from blueprints.account_baseline import ACCOUNT_PUBLIC_ACCESS_BLOCK, PUBLIC_ACCESS_BLOCK_FLAGS
from bootstrap.desired import desired_state
from bootstrap.render.artifacts import render_artifacts
from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.types.registry import TYPES, rule_for

MANAGEMENT_ID = "123456789012"


def _spec(**baseline: bool) -> LandingZoneSpec:
    data = yaml.safe_load(render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID)))
    data["baseline"].update(baseline)
    return parse_spec(yaml.safe_dump(data, sort_keys=False))


def test_every_account_gets_all_four_flags_and_members_wait_for_their_account() -> None:
    blocks = desired_state(_spec()).of_type(ACCOUNT_PUBLIC_ACCESS_BLOCK)
    assert [(r.address, r.location.account, r.location.region) for r in blocks] == [
        ("baseline/s3-public-access-block/management", "management", "us-east-1"),
        ("baseline/s3-public-access-block/log-archive", "log-archive", "us-east-1"),
        ("baseline/s3-public-access-block/audit", "audit", "us-east-1"),
    ]
    management, archive, audit = blocks
    for block in blocks:
        assert {k: block.properties[k] for k in PUBLIC_ACCESS_BLOCK_FLAGS} == dict.fromkeys(
            PUBLIC_ACCESS_BLOCK_FLAGS, True
        )
    assert management.properties["AccountId"] == MANAGEMENT_ID and management.depends_on == ()
    assert archive.properties["AccountId"] == {"Fn::GetAtt": ["AccountLogArchive", "AccountId"]}
    # each waits for its account, and for the bootstrap role the toolkit enters it through
    assert archive.depends_on == ("AccountLogArchive", "RoleBootstrapLogArchive")
    assert audit.depends_on == ("AccountAudit", "RoleBootstrapAudit")


def test_the_type_has_every_part_and_is_never_deleted() -> None:
    rule = rule_for(ACCOUNT_PUBLIC_ACCESS_BLOCK)
    assert set(rule.compared) == set(PUBLIC_ACCESS_BLOCK_FLAGS) and not rule.deletable
    assert callable(TYPES[ACCOUNT_PUBLIC_ACCESS_BLOCK].reader)


def test_switched_off_the_baseline_asks_for_nothing() -> None:
    for spec in (_spec(enabled=False), _spec(s3_block_public_access=False)):
        assert not desired_state(spec).of_type(ACCOUNT_PUBLIC_ACCESS_BLOCK)


def test_no_template_is_rendered_for_it(tmp_path: Path) -> None:
    written = render_artifacts(_spec(), tmp_path)
    names = {p.name for p in written}
    assert "organization.template.json" in names and "account-baseline.template.json" not in names
