"""`runbooks/respond.md`: a response section for every alarm the toolkit creates, filled in with the organization's
names; an alarm without one fails here, for every spec variant."""

from __future__ import annotations

import re

import pytest
from variants import rendered_variants, spec_variants

from blueprints.cis import FILTERS
from blueprints.cis_responses import RESPONSES, alarm_responses
from blueprints.respond import responses_for
from bootstrap.desired import desired_state
from bootstrap.render.artifacts import artifact_files
from bootstrap.spec.billing_model import BillingSpec
from bootstrap.spec.log_archive import log_group_name

ALARM = "AWS::CloudWatch::Alarm"


@pytest.mark.parametrize("variant", list(spec_variants()))
def test_every_alarm_of_every_variant_has_a_response_section(variant: str) -> None:
    spec = spec_variants()[variant]
    alarms = {str(r.properties["AlarmName"]) for r in desired_state(spec).resources if r.type == ALARM}
    respond = rendered_variants()[variant]["runbooks/respond.md"]
    missing = sorted(a for a in alarms if f'<a id="{a}"></a>' not in respond)
    assert not missing, f"{variant}: alarms without a response section in respond.md: {missing}"
    assert {r.alarm_name for r in responses_for(spec)} == alarms, "a response for an alarm the spec does not create"


def test_every_cis_control_and_the_break_glass_watch_has_a_response() -> None:
    assert {f.control for f in FILTERS} | {"break-glass"} == set(RESPONSES)


def test_commands_are_filled_in_with_the_organizations_names() -> None:
    spec = spec_variants()["delegated-trail"]
    responses = alarm_responses(spec)
    for response in responses:
        text = "\n".join((response.meaning, *response.checks, *response.contain, response.tell, response.where))
        leftover = re.findall(r"\{[a-z_]+\}", text)
        assert not leftover, f"{response.alarm_name}: unfilled names {leftover}"
        assert f"--log-group-name {log_group_name(spec)}" in "\n".join(response.checks)
        assert f"--alarm-name {response.alarm_name}" in response.checks[0]
        assert "`audit`" in response.where, "the delegated trail account holds the alarms"
        assert "aws+security-alarms@example.com" in response.tell
    root = next(r for r in responses if "4-3" in r.alarm_name)
    assert "123456789012" in "\n".join(root.checks), "the management account is named by its id"


def test_each_check_uses_the_alarms_own_filter_pattern() -> None:
    spec = spec_variants()["default"]
    for watch, response in zip((*FILTERS, None), alarm_responses(spec), strict=True):
        if watch is not None:
            assert f"--filter-pattern '{watch.pattern}'" in response.checks[1]


def test_without_alarms_respond_says_nothing_can_fire() -> None:
    for variant in ("no-cis-alarms", "no-logging"):
        assert alarm_responses(spec_variants()[variant]) == []
        quiet = spec_variants()[variant].model_copy(update={"billing": BillingSpec(enabled=False)})
        text = artifact_files(quiet)["runbooks/respond.md"]
        assert "This spec creates no CloudWatch alarm" in text
        assert "<a id=" not in text
