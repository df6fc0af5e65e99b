"""`organization.root_guardrails` and `ai_services_opt_out`: defaults, validation with line numbers, warnings."""

from __future__ import annotations

import pytest

from bootstrap.errors import SpecError
from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.checks import root_warnings
from bootstrap.spec.load import parse_spec

FILE = "landing-zone.yaml"
BASE = """\
organization:
  name: tiny
  management_account_id: "000000000001"
  home_region: eu-west-1
  allowed_regions: [eu-west-1]
{extra}account_email_pattern: "root+{{name}}@example.org"
{ous}"""


def spec_text(extra: str = "", ous: str = "") -> str:
    return BASE.format(extra=extra, ous=ous)


def test_the_init_spec_puts_the_role_guardrail_and_the_perimeter_at_the_root() -> None:
    text = render_spec_yaml(Answers(management_account_id="123456789012"))
    spec = parse_spec(text, FILE)
    assert spec.organization.root_guardrails == [
        "protect-landing-zone-roles",
        "rcp-deny-confused-deputy",
        "rcp-deny-external-principals",
        "rcp-deny-insecure-transport",
    ]
    assert spec.organization.ai_services_opt_out is True
    assert "To opt out of one" in text, "the yaml says how to opt out of an RCP"
    assert root_warnings(spec) == []


def test_init_can_leave_the_ai_services_opt_out_off() -> None:
    text = render_spec_yaml(Answers(management_account_id="123456789012", ai_services_opt_out=False))
    assert parse_spec(text, FILE).organization.ai_services_opt_out is False


def test_init_with_no_root_guardrail_chosen_writes_an_empty_list() -> None:
    text = render_spec_yaml(Answers(management_account_id="123456789012", guardrails=["deny-root-user"]))
    assert "  root_guardrails: []\n" in text
    spec = parse_spec(text, FILE)
    assert spec.organization.root_guardrails == []
    (warning,) = root_warnings(spec)
    assert "does not include protect-landing-zone-roles" in warning
    assert "escape every guardrail" in warning


@pytest.mark.parametrize(
    ("root", "line", "fragments", "fix"),
    [
        (
            ["protect-landing-zone-role"],
            7,
            ("organization.root_guardrails[0]: unknown guardrail 'protect-landing-zone-role'",),
            "Did you mean 'protect-landing-zone-roles'?",
        ),
        (
            ["protect-landing-zone-roles", "deny-all"],
            8,
            ("organization.root_guardrails[1]: deny-all at the Root would deny every action",),
            "Attach deny-all to the OU that holds suspended accounts only",
        ),
    ],
)
def test_bad_root_guardrails_name_line_field_and_fix(
    root: list[str], line: int, fragments: tuple[str, ...], fix: str
) -> None:
    extra = "  root_guardrails:\n" + "".join(f"    - {g}\n" for g in root)
    with pytest.raises(SpecError) as caught:
        parse_spec(spec_text(extra), FILE)
    message = caught.value.message
    for fragment in fragments:
        assert f"{FILE}:{line}: {fragment}" in message, message
    assert fix in caught.value.remediation


def test_an_ou_whose_policies_would_share_the_roots_names_is_refused() -> None:
    """An OU named `root` reduces to the Root's policy names (`tiny-root-1`): refused, not overwritten."""
    with pytest.raises(SpecError) as caught:
        parse_spec(spec_text(ous="organizational_units:\n  - path: root\n    guardrails: [deny-root-user]\n"), FILE)
    assert "OU 'root' and the Root differ only in case or punctuation" in caught.value.message
    assert "tiny-root-1" in caught.value.message


def test_root_scps_that_cannot_fit_are_refused_at_the_root_guardrails() -> None:
    """Too many SCP guardrails at the Root for its slots: the error points at root_guardrails."""
    extra = (
        "  policy_limits: {scp_max_chars: 2600, scps_per_target: 2, reserved_attachments: 1}\n"
        "  root_guardrails: [deny-root-user, deny-regions-outside-allowed, protect-security-services, "
        "protect-kms-keys, deny-iam-users-and-access-keys, protect-landing-zone-roles]\n"
    )
    with pytest.raises(SpecError) as caught:
        parse_spec(spec_text(extra), FILE)
    assert f"{FILE}:7: organization.root_guardrails: the Root needs" in caught.value.message
    assert "Attach fewer guardrails to the Root" in caught.value.remediation
