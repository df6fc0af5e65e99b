"""The real `bootstrap init` wizard, driven through its traps on a pseudo-terminal (pexpect).

Each trap is a wrong answer a new user gives: the wizard must refuse it at that question with what is
wrong, keep every answer, and let the user correct it; a cancelled wizard keeps its answers in a file
that `init --answers` resumes from.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pexpect
import pytest
import yaml

from bootstrap.sandbox.server import Sandbox
from tests.e2e.conftest import command

pytestmark = pytest.mark.e2e

ENTER = "\r"
CLEAR = "\x15"  # Ctrl-U: delete the line before the cursor (the prefilled default)
DOWN = "\x1b[B"
TIMEOUT = 60


def _spawn(fresh: Sandbox, cwd: Path, *args: str) -> pexpect.spawn:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment.update(fresh.environment())
    environment.update({"TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1", "NO_COLOR": "1"})
    exe, *rest = command()
    return pexpect.spawn(
        exe, [*rest, *args], cwd=str(cwd), env=environment, encoding="utf-8", timeout=TIMEOUT, dimensions=(50, 220)
    )


def _shown(child: pexpect.spawn, text: str) -> None:
    """Wait until `text` is on the screen; prompt_toolkit may draw a space as a cursor move (ESC [ C)."""
    child.expect(r"(?:\s|\x1b\[[0-9]*C)+".join(re.escape(word) for word in text.split(" ")))


def _answer(child: pexpect.spawn, question: str, *keys: str) -> None:
    _shown(child, question)
    for key in keys:
        child.send(key)


def test_the_wizard_refuses_each_trap_at_its_question_and_keeps_the_answers(fresh: Sandbox, tmp_path: Path) -> None:
    child = _spawn(fresh, tmp_path, "init")
    try:
        _answer(child, "Organization (landing zone) short name:", ENTER)
        _answer(child, "Management account id:", CLEAR, "1234-5678-9012", ENTER)  # as the console shows it
        _answer(child, "Home region:", CLEAR, "me-central-1", ENTER)  # not one of the common regions
        # The home region is proposed; leaving it out is refused with what to do, at this question.
        _answer(child, "Allowed regions", CLEAR, "us-east-1, eu-west-9", ENTER)
        _shown(child, "'eu-west-9' is not an AWS region")
        child.send(CLEAR + "us-east-1" + ENTER)
        _shown(child, "include the home region me-central-1")
        child.send(", me-central-1" + ENTER)
        _answer(child, "Root e-mail of new accounts", CLEAR, "aws+{name}@example", ENTER)
        _shown(child, "no top-level domain")
        child.send(".com" + ENTER)
        _answer(child, "E-mail address(es) for security alarms", ENTER)
        _shown(child, "at least one address")
        child.send("soc@example.org" + ENTER)
        _answer(child, "Organizational units:", ENTER)
        _answer(child, "More OUs", ENTER)
        _answer(child, "Accounts:", ENTER)
        _answer(child, "More accounts", "shared-network:Infra", ENTER)
        _shown(child, "'Infra' is not listed in organizational_units")  # at this question, not at the end
        child.send(CLEAR + "shared-network:Infrastructure" + ENTER)
        _answer(child, "Where should the organization trail", ENTER)
        _answer(child, "Guardrails (SCPs):", ENTER)
        _answer(child, "Security contact of every account", ENTER)  # the alarm address, proposed
        _answer(child, "Billing contact of every account", CLEAR, "billing@example", ENTER)
        _shown(child, "is not an e-mail address AWS accepts")
        child.send(".org" + ENTER)
        _answer(child, "Operations contact of every account", ENTER)  # the security contact, proposed
        _answer(child, "Phone number of these contacts", "call me", ENTER)
        _shown(child, "is not a phone number AWS accepts")
        child.send(CLEAR + "+1 206 555 0100" + ENTER)
        _answer(child, "Remove the default VPC in every account and region", ENTER)
        _answer(child, "Turn on EBS encryption by default", ENTER)
        _answer(child, "Create a custom VPC in me-central-1", ENTER)
        _answer(child, "Address pool the VPCs are allocated from:", CLEAR, "8.8.0.0/16", ENTER)
        _shown(child, "8.8.0.0/16 is not private address space")
        child.send(CLEAR + "10.32.0.0/12" + ENTER)
        _answer(child, "Size of each account's VPC:", ENTER)
        _answer(child, "Availability zones per VPC:", DOWN, ENTER)
        _answer(child, "NAT gateways", DOWN, DOWN, ENTER)
        _answer(child, "Build billing alarms, a monthly budget and Cost Anomaly Detection?", ENTER)
        _shown(child, "Cost Explorer has no cost history for the last three complete months")  # a new organization
        _answer(child, "Expected monthly spend in USD:", CLEAR, "lots", ENTER)
        _shown(child, "a number of US dollars")
        child.send(CLEAR + "250" + ENTER)
        _answer(child, "Second alarm: how many percent above the expected bill", CLEAR, "25", ENTER)
        _shown(child, "from 10 to 20 %")
        child.send(CLEAR + "12" + ENTER)
        _answer(child, "E-mail address(es) for billing alarms", ENTER)  # the security alarms' address, proposed
        _answer(child, "Give people access through IAM Identity Center", ENTER)
        _answer(child, "Identity source:", DOWN, ENTER)  # an external identity provider
        _answer(child, "Permission sets (from the library):", ENTER)
        _answer(child, "Group that receives administrator:", ENTER)
        _answer(child, "Group that receives billing:", CLEAR, "aws-finance", ENTER)
        for name in ("power-user", "read-only", "security-audit"):  # the library's order
            _answer(child, f"Group that receives {name}:", ENTER)
        _shown(child, "Wrote landing-zone.yaml")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    spec = yaml.safe_load((tmp_path / "landing-zone.yaml").read_text())
    organization = spec["organization"]
    assert organization["management_account_id"] == "123456789012"
    assert organization["home_region"] == "me-central-1"
    assert organization["allowed_regions"] == ["us-east-1", "me-central-1"]
    assert spec["account_email_pattern"] == "aws+{name}@example.com"
    assert spec["logging"]["alarm_emails"] == ["soc@example.org"]
    assert {"name": "shared-network", "ou": "Infrastructure"} in spec["accounts"]
    contacts = spec["baseline"]["alternate_contacts"]
    assert {kind: (c["email"], c["phone"]) for kind, c in contacts.items()} == {
        "security": ("soc@example.org", "+1 206 555 0100"),
        "billing": ("billing@example.org", "+1 206 555 0100"),
        "operations": ("soc@example.org", "+1 206 555 0100"),
    }
    network = spec["network"]
    assert network["remove_default_vpcs"]["enabled"] and network["ebs_encryption"]["enabled"]
    assert network["ip_pool"] == "10.32.0.0/12"
    (vpc,) = network["vpcs"]
    assert (vpc.get("regions"), vpc["size"], vpc["availability_zones"], vpc["nat_gateways"]) == (
        None,  # the home region, me-central-1
        20,
        3,
        "per_az",
    )
    billing = spec["billing"]
    assert (billing["enabled"], billing["monthly_spend"], billing["margin_percent"]) == (True, 250, 12)
    assert billing["emails"] == ["soc@example.org"]
    identity = spec["identity"]
    assert identity["source"] == "external"
    assert [g["name"] for g in identity["groups"]][:2] == ["platform-admins", "aws-finance"]
    assert not (tmp_path / "landing-zone.answers.yaml").exists()


def test_a_cancelled_wizard_keeps_its_answers_and_init_answers_resumes(fresh: Sandbox, tmp_path: Path) -> None:
    child = _spawn(fresh, tmp_path, "init")
    try:
        _answer(child, "Organization (landing zone) short name:", CLEAR, "zeta", ENTER)
        _answer(child, "Management account id:", ENTER)  # the caller's (the sandbox's)
        _answer(child, "Home region:", CLEAR, "eu-west-1", ENTER)
        _answer(child, "Allowed regions", "\x03")  # Ctrl-C
        _shown(child, "the answers so far are in landing-zone.answers.yaml")
        _shown(child, "bootstrap init --answers landing-zone.answers.yaml")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 130
    assert not (tmp_path / "landing-zone.yaml").exists(), "no spec is written by a cancelled wizard"

    resumed = _spawn(fresh, tmp_path, "init", "--answers", "landing-zone.answers.yaml")
    try:
        _shown(resumed, "Wrote landing-zone.yaml")
        resumed.expect(pexpect.EOF)
    finally:
        resumed.close()
    assert resumed.exitstatus == 0
    organization = yaml.safe_load((tmp_path / "landing-zone.yaml").read_text())["organization"]
    assert (organization["name"], organization["home_region"]) == ("zeta", "eu-west-1")
    assert organization["allowed_regions"] == ["eu-west-1"]
