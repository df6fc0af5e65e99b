"""Detaching an internet gateway waits while AWS says the VPC still has mapped public addresses (a NAT gateway of
the same apply still deleting), bounded, and then says what to look for. moto never refuses the detach, so these
run against botocore's Stubber with AWS's error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from bootstrap.aws import waiter
from bootstrap.changes import Action, Change
from bootstrap.errors import AwsError
from bootstrap.resources import Location
from bootstrap.types import ec2_teardown
from bootstrap.types.ec2_vpc import AttachmentHandler, InternetGatewayHandler

GATEWAY, VPC_ID = "igw-0123456789abcdef0", "vpc-0123456789abcdef0"
HERE = Location("workload-dev", "eu-west-1")
MAPPED = (
    f"Network {VPC_ID} has some mapped public address(es). Please unmap those public address(es) before detaching "
    "the gateway."
)
DETACH = {"InternetGatewayId": GATEWAY, "VpcId": VPC_ID}
ATTACHED = {"VpcId": VPC_ID, "State": "available"}
"""An internet gateway's attachment as AWS describes it: `available` while attached."""


@pytest.fixture
def ec2() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("ec2", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@dataclass
class Ctx:
    ec2: Any
    wait_timeout: float = 60.0
    slept: list[float] = field(default_factory=list)

    def client(self, service: str, location: Location) -> Any:
        return self.ec2

    @property
    def sleep(self) -> Callable[[float], None]:
        return self.slept.append


def _delete(type_: str, physical_id: str) -> Change:
    return Change("network/main/internet-gateway", type_, HERE, Action.DELETE, physical_id)


def _refused(stubber: Stubber) -> None:
    stubber.add_client_error("detach_internet_gateway", "DependencyViolation", MAPPED, 400, expected_params=DETACH)


def test_the_attachment_is_detached_once_the_nat_gateway_has_let_go_of_its_address(ec2: tuple[Any, Stubber]) -> None:
    client, stubber = ec2
    _refused(stubber)
    _refused(stubber)
    stubber.add_response("detach_internet_gateway", {}, DETACH)
    ctx = Ctx(client)
    AttachmentHandler().delete(ctx, _delete("AWS::EC2::VPCGatewayAttachment", f"{GATEWAY}|{VPC_ID}"))  # type: ignore[arg-type]
    assert ctx.slept == [5.0, 7.5]


def test_the_gateway_is_detached_then_deleted(ec2: tuple[Any, Stubber]) -> None:
    client, stubber = ec2
    stubber.add_response(
        "describe_internet_gateways",
        {
            "InternetGateways": [
                {"InternetGatewayId": GATEWAY, "Attachments": [{"VpcId": VPC_ID, "State": "available"}]}
            ]
        },
        {"Filters": [{"Name": "internet-gateway-id", "Values": [GATEWAY]}]},
    )
    _refused(stubber)
    stubber.add_response("detach_internet_gateway", {}, DETACH)
    stubber.add_response("delete_internet_gateway", {}, {"InternetGatewayId": GATEWAY})
    ctx = Ctx(client)
    InternetGatewayHandler().delete(ctx, _delete("AWS::EC2::InternetGateway", GATEWAY))  # type: ignore[arg-type]
    assert ctx.slept == [5.0]


def test_an_address_that_stays_mapped_ends_in_an_error_saying_what_to_look_for(
    ec2: tuple[Any, Stubber], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, stubber = ec2
    _refused(stubber)
    _refused(stubber)
    readings = iter(range(0, 1000, 40))  # 40 s between readings: after the second refusal the 60 s have passed
    monkeypatch.setattr(ec2_teardown, "wait_for", partial(waiter.wait_for, clock=lambda: float(next(readings))))
    ctx = Ctx(client, wait_timeout=60.0)
    with pytest.raises(AwsError, match=f"still refuses to detach the internet gateway {GATEWAY}") as caught:
        AttachmentHandler().delete(ctx, _delete("AWS::EC2::VPCGatewayAttachment", f"{GATEWAY}|{VPC_ID}"))  # type: ignore[arg-type]
    assert "mapped public address" in caught.value.message and ctx.slept == [5.0]
    assert "Elastic IP" in caught.value.remediation and "bootstrap apply" in caught.value.remediation


def test_other_refusals_are_not_waited_for(ec2: tuple[Any, Stubber]) -> None:
    client, stubber = ec2
    stubber.add_client_error("detach_internet_gateway", "UnauthorizedOperation", "You are not authorized.", 403)
    ctx = Ctx(client)
    with pytest.raises(ClientError, match="UnauthorizedOperation"):
        AttachmentHandler().delete(ctx, _delete("AWS::EC2::VPCGatewayAttachment", f"{GATEWAY}|{VPC_ID}"))  # type: ignore[arg-type]
    assert ctx.slept == []
