"""Fixtures of the billing-layer tests (see `billing_lz`): in-process moto is treated as the sandbox it is."""

from __future__ import annotations

import pytest
from billing_lz import BillingOutsider, billing_spec

from bootstrap.aws.session import AwsTarget, Sessions
from bootstrap.spec.model import LandingZoneSpec

REGION = "us-east-1"


@pytest.fixture
def spec() -> LandingZoneSpec:
    return billing_spec()


@pytest.fixture
def sessions(aws: None, monkeypatch: pytest.MonkeyPatch) -> Sessions:
    monkeypatch.setattr(AwsTarget, "simulated", property(lambda self: True))
    return Sessions(AwsTarget(max_attempts=2), default_region=REGION)


@pytest.fixture
def billing_outsider(aws: None) -> BillingOutsider:
    return BillingOutsider()
