"""Helpers of the network baseline's integration tests (`tests/integration/network`): a landing zone with only the
Organizations layer and the network baseline, and an outsider who reads and tampers with EC2 in any account and
region with plain boto3."""

from __future__ import annotations

from typing import Any

import boto3
import yaml

from bootstrap.changes import Plan
from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import LandingZoneSpec

REGIONS = ["us-east-1", "eu-west-1", "ap-east-1"]
"""Where default VPCs are removed in these tests: two regions moto has enabled, one it has not (ap-east-1 is an
opt-in region moto lists as not-opted-in)."""


def network_spec(**removal: Any) -> LandingZoneSpec:
    data = yaml.safe_load(
        render_spec_yaml(Answers(management_account_id="123456789012", billing=False, identity=False))
    )
    for layer in ("logging", "baseline"):
        data[layer]["enabled"] = False
    data["network"] = {"remove_default_vpcs": {"regions": REGIONS, **removal}}
    return parse_spec(yaml.safe_dump(data, sort_keys=False))


class Ec2Outsider:
    """Plain boto3 (EC2, KMS) in the management account or, through OrganizationAccountAccessRole, in a member."""

    def __init__(self) -> None:
        self.org = boto3.client("organizations", region_name="us-east-1")
        self._credentials: dict[str, dict[str, str]] = {}

    def account_id(self, name: str) -> str:
        pages = self.org.get_paginator("list_accounts").paginate()
        (found,) = [a["Id"] for page in pages for a in page["Accounts"] if a["Name"] == name]
        return str(found)

    def client(self, service: str, region: str, account: str = "management") -> Any:
        if account == "management":
            return boto3.client(service, region_name=region)
        if account not in self._credentials:
            creds = boto3.client("sts", region_name="us-east-1").assume_role(
                RoleArn=f"arn:aws:iam::{self.account_id(account)}:role/OrganizationAccountAccessRole",
                RoleSessionName="outsider",
            )["Credentials"]
            self._credentials[account] = {
                "aws_access_key_id": creds["AccessKeyId"],
                "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"],
            }
        return boto3.client(service, region_name=region, **self._credentials[account])

    def ec2(self, region: str, account: str = "management") -> Any:
        return self.client("ec2", region, account)

    def default_vpc(self, region: str, account: str = "management") -> str | None:
        vpcs = self.ec2(region, account).describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
        return str(vpcs[0]["VpcId"]) if vpcs else None

    def subnet(self, region: str, vpc_id: str, account: str = "management") -> str:
        subnets = self.ec2(region, account).describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
        return str(subnets["Subnets"][0]["SubnetId"])


def changes_of(plan: Plan) -> list[tuple[str, str, list[str]]]:
    return [(c.address, c.action.value, [d.name for d in c.diffs]) for c in plan.changes]


EC2_ERROR = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>'
    "</Error></Errors><RequestID>injected</RequestID></Response>"
)


class Injected:
    """The requests an injected failure answered; `stop()` lets later requests through again."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.active = True

    def stop(self) -> None:
        self.active = False


def fail_ec2(monkeypatch: Any, action: str, region: str, code: str, status: int = 403) -> Injected:
    """Make moto answer EC2 `action` in `region` (any account) with the error `code`, as AWS would for a region
    where the caller is denied or that errors; other calls go through."""
    from moto.core.botocore_stubber import BotocoreStubber

    injected = Injected()
    process = BotocoreStubber.process_request

    def failing(self: Any, request: Any) -> Any:
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body or "")
        hit = f"ec2.{region}.amazonaws.com" in request.url and f"Action={action}&" in f"{body}&"
        if injected.active and hit:
            injected.urls.append(request.url)
            message = f"{code} for {action} in {region} (injected by the test)"
            return status, {"Content-Type": "text/xml"}, EC2_ERROR.format(code=code, message=message).encode()
        return process(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", failing)
    return injected


def with_ebs_default_key(monkeypatch: Any) -> None:
    """moto 5.2 has `ModifyEbsDefaultKmsKeyId` but not `GetEbsDefaultKmsKeyId`: answer it from the same backend
    state, as AWS does (the AWS managed key's alias until a key is set)."""
    from moto.core.responses import ActionResult
    from moto.ec2.responses import EC2Response

    def get_ebs_default_kms_key_id(self: Any) -> Any:
        return ActionResult({"KmsKeyId": self.ec2_backend.default_kms_key_id or "alias/aws/ebs"})

    monkeypatch.setattr(EC2Response, "get_ebs_default_kms_key_id", get_ebs_default_kms_key_id, raising=False)
