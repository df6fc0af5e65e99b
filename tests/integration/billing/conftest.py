"""Fixtures of the billing-layer tests (see `billing_lz`): in-process moto is treated as the sandbox it is."""

from __future__ import annotations

import pytest
from billing_lz import BillingOutsider, billing_spec

from bootstrap.aws.session import Sessions
from bootstrap.spec.model import LandingZoneSpec

REGION = "us-east-1"


@pytest.fixture
def spec() -> LandingZoneSpec:
    return billing_spec()


@pytest.fixture
def sessions(sandbox_sessions: Sessions) -> Sessions:
    return sandbox_sessions


@pytest.fixture
def billing_outsider(aws: None) -> BillingOutsider:
    return BillingOutsider()
