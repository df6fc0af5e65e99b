"""Fixtures of the logging-layer tests: an applied default landing zone, and an outsider who reads and
tampers with the log archive account and the trail with plain boto3, as a colleague or an intruder would.

The fixtures of `tests/integration/conftest.py` (in-process moto per test, dummy credentials, `sessions`,
`spec`, `variant`, `apply`) apply here too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
import yaml
from variants import in_process_baseline, without_identity, without_network

from bootstrap.aws.session import Sessions
from bootstrap.changes import Action, Plan
from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.log_archive import log_bucket_name, log_group_name, trail_name
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live

REGION = "us-east-1"


class LogOutsider:
    """Plain boto3 in the management account and, through OrganizationAccountAccessRole, in members."""

    def __init__(self, spec: LandingZoneSpec) -> None:
        self.spec = spec
        self.org = boto3.client("organizations", region_name=REGION)
        self._sessions: dict[str, boto3.Session] = {}

    def account_id(self, name: str) -> str:
        pages = self.org.get_paginator("list_accounts").paginate()
        matches = [a["Id"] for page in pages for a in page["Accounts"] if a["Name"] == name]
        assert len(matches) == 1, f"expected one account named {name!r}, found {matches}"
        return str(matches[0])

    def client(self, service: str, account: str | None = None) -> Any:
        """A client in the management account (`account=None`) or in the member account named `account`."""
        if account is None:
            return boto3.client(service, region_name=REGION)
        if account not in self._sessions:
            creds = boto3.client("sts", region_name=REGION).assume_role(
                RoleArn=f"arn:aws:iam::{self.account_id(account)}:role/OrganizationAccountAccessRole",
                RoleSessionName="outsider",
            )["Credentials"]
            self._sessions[account] = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
                region_name=REGION,
            )
        return self._sessions[account].client(service, region_name=REGION)

    # The log archive account.
    def s3(self) -> Any:
        return self.client("s3", self.spec.logging.account)

    def archive_kms(self) -> Any:
        return self.client("kms", self.spec.logging.account)

    @property
    def bucket(self) -> str:
        return log_bucket_name(self.spec)

    def bucket_policy(self, bucket: str | None = None) -> dict[str, Any]:
        return dict(json.loads(self.s3().get_bucket_policy(Bucket=bucket or self.bucket)["Policy"]))

    def key(self, kms: Any, purpose: str) -> dict[str, Any]:
        alias = f"alias/{self.spec.organization.name}/{purpose}"
        target = next(a["TargetKeyId"] for a in kms.list_aliases()["Aliases"] if a["AliasName"] == alias)
        return dict(kms.describe_key(KeyId=target)["KeyMetadata"])

    def key_policy(self, kms: Any, key_id: str) -> dict[str, Any]:
        return dict(json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]))

    # The trail account (management by default).
    def cloudtrail(self) -> Any:
        return self.client("cloudtrail")

    def logs(self) -> Any:
        return self.client("logs")

    def cloudwatch(self) -> Any:
        return self.client("cloudwatch")

    @property
    def trail(self) -> str:
        return trail_name(self.spec)

    @property
    def log_group(self) -> str:
        return log_group_name(self.spec)


@pytest.fixture
def spec() -> LandingZoneSpec:
    """The default landing zone as `bootstrap init --defaults` writes it, logging layer included (the parent
    conftest's `spec` switches that layer off for the Organizations tests), network baseline off (it has tests
    of its own, and these assert the logging layer's plans)."""
    data = yaml.safe_load(render_spec_yaml(Answers(management_account_id="123456789012", billing=False)))
    data["network"] = without_network(data.get("network"))
    data["baseline"] = in_process_baseline(data.get("baseline"))
    data["identity"] = without_identity(data.get("identity"))
    return parse_spec(yaml.safe_dump(data, sort_keys=False))


@pytest.fixture
def log_outsider(aws: None, spec: LandingZoneSpec) -> LogOutsider:
    return LogOutsider(spec)


@pytest.fixture
def applied(spec: LandingZoneSpec, sessions: Sessions, apply: Any) -> LandingZoneSpec:
    """The default landing zone, logging layer included, applied."""
    apply(spec, sessions)
    return spec


def describe(plan: Plan) -> list[tuple[str, str, list[str]]]:
    return [(c.address, c.action.value, [d.name for d in c.diffs]) for c in plan.changes]


Drift = tuple[str, str, Any, Any]
"""What an outsider changed: (address, property, live value after tampering, value the spec wants)."""


@pytest.fixture
def assert_repaired(applied: LandingZoneSpec, sessions: Sessions, apply: Any) -> Callable[[Drift], None]:
    """The plan names exactly this drift, apply repairs it, the next plan is empty and writes nothing."""

    def check(drift: Drift) -> None:
        address, name, actual, expected = drift
        live, _ = plan_live(applied, sessions)
        assert [(c.address, c.action) for c in live.plan.changes] == [(address, Action.UPDATE)], describe(live.plan)
        (diff,) = live.plan.changes[0].diffs
        assert (diff.name, diff.before, diff.after) == (name, actual, expected)
        assert not live.plan.blocked
        apply(applied, sessions)
        sessions.stats.reset()
        again, _ = plan_live(applied, sessions)
        assert again.plan.empty, describe(again.plan)
        assert sessions.stats.writes == 0, sessions.stats.snapshot()

    return check
