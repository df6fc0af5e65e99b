"""Fixtures of the network-layer tests: the default landing zone (logging included, so flow logs can go to the
log archive bucket) with two workload accounts and custom VPCs, and an outsider who reads and tampers with their
networks through plain boto3.

Default VPC removal is off in these specs: these tests are about the custom VPCs only.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
import yaml
from variants import in_process_baseline, network_spec

from bootstrap.aws.session import Sessions
from bootstrap.names import vpc_address
from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import LandingZoneSpec

HOME = "us-east-1"


def base_spec() -> LandingZoneSpec:
    data = yaml.safe_load(
        render_spec_yaml(Answers(management_account_id="123456789012", billing=False, identity=False))
    )
    data["baseline"] = in_process_baseline(data["baseline"])
    return parse_spec(yaml.safe_dump(data, sort_keys=False))


@pytest.fixture
def spec() -> LandingZoneSpec:
    return network_spec(base_spec())


class NetOutsider:
    """Plain boto3 in member accounts, through OrganizationAccountAccessRole."""

    def __init__(self) -> None:
        self.org = boto3.client("organizations", region_name=HOME)
        self._sessions: dict[str, boto3.Session] = {}

    def account_id(self, name: str) -> str:
        pages = self.org.get_paginator("list_accounts").paginate()
        return str(next(a["Id"] for page in pages for a in page["Accounts"] if a["Name"] == name))

    def client(self, service: str, account: str, region: str = HOME) -> Any:
        if account not in self._sessions:
            creds = boto3.client("sts", region_name=HOME).assume_role(
                RoleArn=f"arn:aws:iam::{self.account_id(account)}:role/OrganizationAccountAccessRole",
                RoleSessionName="outsider",
            )["Credentials"]
            self._sessions[account] = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )
        return self._sessions[account].client(service, region_name=region)

    def ec2(self, account: str, region: str = HOME) -> Any:
        return self.client("ec2", account, region)

    def tagged(self, account: str, kind: str, key: str, address: str, region: str = HOME) -> dict[str, Any]:
        """The object of a `describe_<kind>` answer (items under `key`) tagged with `address`."""
        ec2 = self.ec2(account, region)
        items = getattr(ec2, f"describe_{kind}")(Filters=[{"Name": "tag:bootstrap:address", "Values": [address]}])[key]
        assert len(items) == 1, f"expected one {kind} at {address}, found {items}"
        return dict(items[0])

    def vpc(self, name: str, account: str, region: str = HOME) -> dict[str, Any]:
        return self.tagged(account, "vpcs", "Vpcs", vpc_address(name, account, region), region)


@pytest.fixture
def net_outsider(aws: None) -> NetOutsider:
    return NetOutsider()


@pytest.fixture
def applied(spec: LandingZoneSpec, sessions: Sessions, apply: Any) -> LandingZoneSpec:
    result = apply(spec, sessions)
    assert not result.failed, result.failed
    return spec
