"""The spec accepts regions of the commercial partition only: every ARN the toolkit writes begins
`arn:aws:`, so a GovCloud, ISO or China region is refused up front with a message that says why."""

from __future__ import annotations

import pytest
import yaml

from bootstrap.errors import SpecError
from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec


def spec_text(home: str, allowed: list[str]) -> str:
    data = yaml.safe_load(render_spec_yaml(Answers(management_account_id="123456789012")))
    data["organization"]["home_region"] = home
    data["organization"]["allowed_regions"] = allowed
    return yaml.safe_dump(data, sort_keys=False)


@pytest.mark.parametrize("region", ["us-gov-west-1", "us-gov-east-1", "us-iso-east-1", "us-isob-east-1", "cn-north-1"])
def test_regions_outside_the_commercial_partition_are_refused_with_the_reason(region: str) -> None:
    with pytest.raises(SpecError) as raised:
        parse_spec(spec_text(region, [region]))
    message = raised.value.message
    assert "organization.home_region" in message
    assert "GovCloud and ISO partitions are not supported yet" in message and region in message
    assert raised.value.remediation


def test_a_partition_region_among_allowed_regions_is_named_by_its_index() -> None:
    with pytest.raises(SpecError) as raised:
        parse_spec(spec_text("us-east-1", ["us-east-1", "us-gov-west-1"]))
    assert "organization.allowed_regions[1]" in raised.value.message
    assert "not supported yet" in raised.value.message


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-2", "ap-southeast-5", "il-central-1", "mx-central-1"])
def test_commercial_regions_load(region: str) -> None:
    spec = parse_spec(spec_text(region, [region]))
    assert spec.organization.home_region == region
