"""The wizard's network questions: answered, defaulted (`init --defaults`) or read from an answers file, they make
the spec's `network` section; each answer is checked as it is given."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pytest
import questionary

from bootstrap.cli import wizard, wizard_network
from bootstrap.cli.wizard import Draft
from bootstrap.spec.answers import DEFAULT_OUS, AccountAnswer, Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.network_plan import allocate

MANAGEMENT_ID = "123456789012"


def test_the_defaults_remove_default_vpcs_encrypt_ebs_and_give_workloads_a_vpc() -> None:
    spec = parse_spec(render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID)))
    network = spec.network
    assert network.remove_default_vpcs.enabled and network.remove_default_vpcs.regions == "enabled"
    assert network.ebs_encryption.enabled and not network.ebs_encryption.customer_key
    assert network.ip_pool == "10.0.0.0/8"
    (vpc,) = network.vpcs
    assert (vpc.name, vpc.ous, vpc.regions, vpc.size, vpc.availability_zones) == (
        "workloads",
        ["Workloads"],
        [],
        20,
        2,
    )
    assert [(t.tier, t.size) for t in vpc.subnets] == [("private", 22)]
    assert (vpc.nat_gateways, vpc.gateway_endpoints, vpc.flow_logs.destination) == ("none", ["s3", "dynamodb"], "s3")


@pytest.mark.parametrize("size", range(16, 25))
@pytest.mark.parametrize("nat", ["none", "one", "per_az"])
def test_every_size_and_nat_answer_makes_a_valid_spec_whose_vpcs_allocate(
    size: int, nat: Literal["none", "one", "per_az"]
) -> None:
    answers = Answers(
        management_account_id=MANAGEMENT_ID,
        accounts=[AccountAnswer(name="log-archive", ou="Security"), AccountAnswer(name="app", ou="Workloads/Prod")],
        vpc_size=size,
        vpc_nat_gateways=nat,
        vpc_availability_zones=3,
    )
    spec = parse_spec(render_spec_yaml(answers))
    (instance,) = allocate(spec)
    assert instance.cidr == f"10.0.0.0/{size}"
    tiers = {s.tier for s in instance.subnets}
    assert tiers == ({"private"} if nat == "none" else {"public", "private"})


def test_without_a_workloads_ou_there_is_no_vpc_and_no_log_archive_means_cloudwatch() -> None:
    ous = [ou for ou in DEFAULT_OUS if not ou.startswith("Workloads")]
    spec = parse_spec(render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID, organizational_units=ous)))
    assert spec.network.vpcs == []
    no_archive = Answers(management_account_id=MANAGEMENT_ID, accounts=[AccountAnswer(name="audit", ou="Security")])
    assert parse_spec(render_spec_yaml(no_archive)).network.vpcs[0].flow_logs.destination == "cloudwatch"


def test_answers_turning_the_network_off() -> None:
    answers = Answers(
        management_account_id=MANAGEMENT_ID, remove_default_vpcs=False, ebs_encryption=False, workload_vpc=False
    )
    network = parse_spec(render_spec_yaml(answers)).network
    assert not network.remove_default_vpcs.enabled and not network.ebs_encryption.enabled and network.vpcs == []


def test_a_public_pool_is_refused_at_its_question() -> None:
    draft = Draft(Path("unused.yaml"))
    draft.fields.update(management_account_id=MANAGEMENT_ID)
    check = draft.check("vpc_ip_pool", wizard_network._pool)
    message = check("8.8.0.0/16")
    assert isinstance(message, str) and "not private address space" in message
    assert check("172.16.0.0/12") is True


def test_a_pool_too_small_for_the_answers_is_refused_at_its_question() -> None:
    draft = Draft(Path("unused.yaml"))
    draft.fields.update(
        management_account_id=MANAGEMENT_ID,
        accounts=[{"name": f"app-{n}", "ou": "Workloads/Prod"} for n in range(3)],
        vpc_size=20,
    )
    message = draft.check("vpc_ip_pool", wizard_network._pool)("10.0.0.0/19")
    assert isinstance(message, str)
    assert "the VPCs need 3 /20 blocks and the pool 10.0.0.0/19 holds 2: short by 1" in message


class _Scripted:
    """questionary stand-in: answers by the question's first word."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, message: str, **kwargs: Any) -> Any:
        del kwargs
        self.asked.append(message)
        answer = self.answers[message.split(" ")[0]]
        return type("Question", (), {"ask": staticmethod(lambda: answer)})()


def test_the_whole_wizard_asks_the_network_questions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    script = {
        "Organization": "zeta",
        "Management": MANAGEMENT_ID,
        "Home": "us-west-1",
        "Allowed": "us-west-1",
        "Root": "aws+{name}@example.com",
        "E-mail": "soc@example.org",
        "Organizational": list(DEFAULT_OUS),
        "More": "",
        "Accounts:": [AccountAnswer(name="log-archive", ou="Security")],
        "Where": "management",
        "Guardrails": [],
        "Security": "soc@example.org",
        "Billing": "soc@example.org",
        "Operations": "soc@example.org",
        "Phone": "+1 206 555 0100",
        "Remove": True,
        "Turn": False,
        "Create": True,
        "Address": "172.16.0.0/12",
        "Size": 22,
        "NAT": "one",
        "Build": False,
        "Give": False,  # the identity questions: tests/unit/test_wizard_identity.py
    }
    prompt = _Scripted(script)
    for kind in ("text", "autocomplete", "checkbox", "select", "confirm"):
        monkeypatch.setattr(questionary, kind, prompt)
    answers = wizard.run_wizard(None, tmp_path / "answers.yaml")
    assert not any(m.startswith("Availability") for m in prompt.asked), "us-west-1 has two zones: not asked"
    spec = parse_spec(render_spec_yaml(answers))
    assert spec.network.remove_default_vpcs.enabled and not spec.network.ebs_encryption.enabled
    (vpc,) = spec.network.vpcs
    assert (spec.network.ip_pool, vpc.size, vpc.availability_zones, vpc.nat_gateways) == ("172.16.0.0/12", 22, 2, "one")
    assert vpc.regions == [] and [t.tier for t in vpc.subnets] == ["public", "private"]
