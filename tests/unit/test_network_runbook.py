"""`runbooks/network.md`: the CIDR table is `allocate(spec)` row for row, the diagram has what a network engineer
looks for, and `validate` warns about a VPC that lands in no account yet."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap.cli import app
from bootstrap.render.runbooks import render_runbooks
from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.network_plan import allocate
from tests.variants import MANAGEMENT_ID, spec_variants


def test_the_cidr_table_is_the_empty_organizations_allocation_row_for_row() -> None:
    spec = spec_variants()["network"]
    text = render_runbooks(spec)["network.md"]
    assert "allocation an **empty\norganization** would get" in text
    assert "`bootstrap plan` shows the live one" in text
    instances = allocate(spec)
    assert len(instances) == 6, "three accounts in two regions"
    for instance in instances:
        row = f"| `{instance.account}` | `{instance.region}` | `workloads` | `{instance.cidr}` | "
        assert row in text
        for subnet in instance.subnets:
            assert f"{subnet.tier} {subnet.zone[-1]} `{subnet.cidr}`" in text
    assert render_runbooks(spec)["network.md"] == text


def test_the_diagram_shows_zones_tiers_gateways_and_endpoints() -> None:
    text = render_runbooks(spec_variants()["network"])["network.md"]
    diagram = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert diagram.startswith("flowchart TB\n")
    for zone in ("us-east-1a", "us-east-1b", "us-east-1c"):
        assert f'["{zone}"]' in diagram
    assert diagram.count('["NAT gateway"]') == 3, "one per zone"
    assert diagram.count("subnet<br/>") == 9, "three tiers in three zones"
    for node in ('["Internet gateway"]', '["Gateway endpoint S3"]', '["Gateway endpoint DynamoDB"]', "Internet <-->"):
        assert node in diagram
    minimal = render_runbooks(spec_variants()["network-minimal"])["network.md"]
    assert "Internet" not in minimal.split("```mermaid\n", 1)[1].split("```", 1)[0], "no gateway, no internet"
    assert "`10.20.0.0/24` (explicit)" in minimal


def test_removal_and_encryption_scope_follow_the_spec() -> None:
    spec = spec_variants()["network"]
    network = spec.network.model_copy(
        update={
            "remove_default_vpcs": spec.network.remove_default_vpcs.model_copy(update={"except_accounts": ["audit"]}),
            "ebs_encryption": spec.network.ebs_encryption.model_copy(update={"customer_key": True}),
        }
    )
    text = render_runbooks(spec.model_copy(update={"network": network}))["network.md"]
    accounts = 1 + len(spec.accounts)
    assert f"removes it in every account\n({accounts - 1}, the management account included) but `audit`," in text
    assert "in every region enabled in each account" in text
    assert f"in every account ({accounts}, the\nmanagement account included)" in text
    assert "a customer managed key of each account and region" in text


def test_validate_warns_about_a_vpc_with_no_account_yet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "lz.yaml").write_text(render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID)))
    assert app.run(["validate", "--spec", str(tmp_path / "lz.yaml")]) == 0
    output = " ".join(capsys.readouterr().err.split())
    assert "network.vpcs[0] (workloads) lands in no account yet (Workloads): it is built in each account" in output


def test_a_vpc_with_no_account_yet_and_flow_logs_to_a_missing_archive_is_a_warning_not_an_error() -> None:
    from bootstrap.spec.load import parse_spec
    from bootstrap.spec.network_checks import network_warnings

    text = render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID)).replace(
        "logging:\n", "logging:\n  enabled: false\n", 1
    )
    spec = parse_spec(text)
    assert any(
        "sends flow logs to s3, the log archive, which this spec does not build" in w for w in network_warnings(spec)
    )


def test_init_says_how_to_land_the_workloads_vpc_and_the_demo_lands_it() -> None:
    """`init --defaults` writes a Workloads VPC targeting an OU with no account: it says which account to add.
    The demo's answers add one, so the demo builds and shows a custom VPC."""
    from bootstrap.sandbox.demo import DEMO_ACCOUNTS
    from bootstrap.spec.load import parse_spec
    from bootstrap.spec.network_checks import unplaced_vpcs

    bare = parse_spec(render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID)))
    (note,) = unplaced_vpcs(bare)
    assert "workloads" in note and "ou Workloads/NonProd" in note
    demo = parse_spec(render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID, accounts=DEMO_ACCOUNTS)))
    assert not unplaced_vpcs(demo)
    assert [(v.spec.name, v.account) for v in allocate(demo)] == [("workloads", "workload-dev")]
