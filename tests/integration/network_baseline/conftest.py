"""Fixtures of the network baseline's tests (helpers in `tests/network_lz.py`). The fixtures of
`tests/integration/conftest.py` (in-process moto per test, dummy credentials, `sessions`, `apply`, `run_plan`)
apply here too.
"""

from __future__ import annotations

from typing import Any

import pytest
from network_lz import Ec2Outsider, network_spec

from bootstrap.aws.session import Sessions
from bootstrap.spec.model import LandingZoneSpec


@pytest.fixture
def spec() -> LandingZoneSpec:
    return network_spec()


@pytest.fixture
def net(aws: None) -> Ec2Outsider:
    return Ec2Outsider()


@pytest.fixture
def applied(spec: LandingZoneSpec, sessions: Sessions, apply: Any) -> LandingZoneSpec:
    apply(spec, sessions)
    return spec
