"""Every alarm response of a spec, layer by layer: what `runbooks/respond.md` is rendered from.

A layer that creates CloudWatch alarms writes a function `alarm_responses(spec) -> list[AlarmResponse]` beside
its alarm data and adds it to `LAYERS`; `tests/unit/test_respond.py` fails while any alarm of the desired state
of any spec variant has no response section.
"""

from __future__ import annotations

from collections.abc import Callable

from blueprints import billing, cis_responses
from blueprints.responses import AlarmResponse
from bootstrap.spec.model import LandingZoneSpec

LAYERS: tuple[Callable[[LandingZoneSpec], list[AlarmResponse]], ...] = (
    cis_responses.alarm_responses,
    billing.alarm_responses,
)
"""Each layer's responses, in the order respond.md lists them."""


def responses_for(spec: LandingZoneSpec) -> list[AlarmResponse]:
    """Every alarm response of `spec`: one per alarm the desired state creates."""
    return [response for layer in LAYERS for response in layer(spec)]
