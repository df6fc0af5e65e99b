"""Named variants of the default landing zone, for tests that must hold for every shape of spec the blueprints can
be given (the type registry's meta test, rendered templates' lint): not only the defaults."""

from __future__ import annotations

from typing import Any

from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import LandingZoneSpec

MANAGEMENT_ID = "123456789012"


def default_spec(**answers: Any) -> LandingZoneSpec:
    return parse_spec(render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID, **answers)))


def _logging(spec: LandingZoneSpec, **changes: Any) -> LandingZoneSpec:
    return spec.model_copy(update={"logging": spec.logging.model_copy(update=changes)})


def spec_variants() -> dict[str, LandingZoneSpec]:
    base = default_spec()
    data_events = base.logging.data_events.model_copy(update={"s3_objects": True, "lambda_functions": True})
    many = [
        {"name": f"acct-{n:04d}", "ou": "Workloads/NonProd", "email": f"acct-{n:04d}@example.com"} for n in range(450)
    ]
    return {
        "default": base,
        "delegated-trail": default_spec(trail_account="audit"),
        "delivery-notifications": _logging(base, delivery_notifications=True),
        "object-lock-off": _logging(base, object_lock=base.logging.object_lock.model_copy(update={"enabled": False})),
        "data-events": _logging(base, data_events=data_events),
        "no-baseline": base.model_copy(update={"baseline": base.baseline.model_copy(update={"enabled": False})}),
        "accounts-in-chunks": parse_spec_with_accounts(base, many),
    }


def parse_spec_with_accounts(spec: LandingZoneSpec, extra: list[dict[str, str]]) -> LandingZoneSpec:
    """The spec with more accounts, validated as a user's spec would be (through the model, not `model_copy`)."""
    data = spec.model_dump(mode="json")
    data["accounts"] = [*data["accounts"], *extra]
    return LandingZoneSpec.model_validate(data)
