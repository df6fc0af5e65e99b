"""The meta test of the engine: every resource type the blueprints can emit, for every variant of the spec, is
described in `bootstrap.types` with every part the engine needs (a diff rule, a bulk reader, a handler that can
create, update and delete, the IAM actions both take), and nothing is registered twice."""

from __future__ import annotations

import re

import pytest
from variants import spec_variants

from bootstrap.desired import desired_state
from bootstrap.types.base import ORGANIZATION_TREE
from bootstrap.types.registry import TYPES, UnknownTypeError, type_for

IAM_ACTION = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$")


def _emitted() -> dict[str, set[str]]:
    """Type -> the spec variants that emit it."""
    emitted: dict[str, set[str]] = {}
    for name, spec in spec_variants().items():
        for resource in desired_state(spec).resources:
            emitted.setdefault(resource.type, set()).add(name)
    return emitted


EMITTED = _emitted()


def test_the_variants_reach_every_registered_type() -> None:
    """A registered type no variant emits has no test reaching it: add a variant (tests/variants.py)."""
    assert set(TYPES) == set(EMITTED)


@pytest.mark.parametrize("type_name", sorted(EMITTED))
def test_every_emitted_type_has_every_part(type_name: str) -> None:
    type_ = type_for(type_name)
    assert type_.name == type_name
    assert type_.rule.compared, "a rule that compares nothing never finds drift"
    assert set(type_.rule.replace_on | type_.rule.report_only | type_.rule.sets) <= set(type_.rule.compared)
    assert callable(type_.reader) or type_.reader == ORGANIZATION_TREE
    for method in ("create", "update", "delete"):
        assert callable(getattr(type_.handler, method, None)), f"{type_name}'s handler has no {method}"
    assert type_.read_actions and type_.write_actions
    bad = [a for a in (*type_.read_actions, *type_.write_actions) if not IAM_ACTION.match(a)]
    assert not bad, f"not IAM actions: {bad}"
    assert type_.service


def test_an_unknown_type_is_refused_by_name() -> None:
    with pytest.raises(UnknownTypeError, match="AWS::Nope::Thing"):
        type_for("AWS::Nope::Thing")


def test_only_types_holding_nothing_may_be_deleted() -> None:
    """Types that hold data or evidence are never deletable (DESIGN, safety rules)."""
    never = {"AWS::KMS::Key", "AWS::S3::Bucket", "AWS::CloudTrail::Trail", "AWS::Logs::LogGroup"}
    never |= {"AWS::Organizations::Account", "AWS::Organizations::Organization"}
    assert not [name for name in never if TYPES[name].deletable]
