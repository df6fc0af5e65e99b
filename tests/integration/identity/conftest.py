"""Fixtures of the identity-layer tests: the Organizations layer with two workload accounts and an `identity:`
section (three library permission sets, three groups, assignments by OU and by account), and an outsider who
grants and edits access through plain boto3, as a colleague in the console would.

In-process moto is treated as the sandbox it is (`sandbox_sessions`): it has no permission-set tags or
permissions boundaries and no identity store `UpdateGroup`, which the toolkit reports there as `unavailable`
instead of calling them (tests/unit/test_identity_stubbed.py covers AWS's side). moto's Identity Center needs one
fix to accept the job-function managed policies AWS accepts (`bootstrap.sandbox.identity_fixes`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from variants import identity_spec

from bootstrap.aws.session import Sessions
from bootstrap.sandbox.identity_fixes import accept_managed_policy_paths
from bootstrap.spec.model import LandingZoneSpec

HOME = "us-east-1"


@pytest.fixture
def identity(spec: LandingZoneSpec) -> LandingZoneSpec:
    """The default (Organizations-only) test spec with the identity layer on."""
    return identity_spec(spec)


@pytest.fixture
def sessions(sandbox_sessions: Sessions) -> Sessions:
    return sandbox_sessions


@pytest.fixture(autouse=True)
def _moto_paths() -> Iterator[None]:
    accept_managed_policy_paths()
    yield


class IdentityOutsider:
    """Plain boto3 against Identity Center in the management account."""

    def __init__(self) -> None:
        self.sso = boto3.client("sso-admin", region_name=HOME)
        self.store = boto3.client("identitystore", region_name=HOME)
        found = self.sso.list_instances()["Instances"][0]
        self.instance_arn = str(found["InstanceArn"])
        self.store_id = str(found["IdentityStoreId"])

    def set_arn(self, name: str) -> str:
        for arn in self.sso.list_permission_sets(InstanceArn=self.instance_arn)["PermissionSets"]:
            ps = self.sso.describe_permission_set(InstanceArn=self.instance_arn, PermissionSetArn=arn)["PermissionSet"]
            if ps["Name"] == name:
                return str(arn)
        raise AssertionError(f"no permission set {name}")

    def at(self, name: str) -> dict[str, str]:
        return {"InstanceArn": self.instance_arn, "PermissionSetArn": self.set_arn(name)}

    def group_id(self, name: str) -> str:
        groups = self.store.list_groups(IdentityStoreId=self.store_id)["Groups"]
        return str(next(g["GroupId"] for g in groups if g["DisplayName"] == name))

    def account_id(self, name: str) -> str:
        org = boto3.client("organizations", region_name=HOME)
        return str(next(a["Id"] for a in org.list_accounts()["Accounts"] if a["Name"] == name))

    def assignments(self, account: str, permission_set: str) -> list[dict[str, Any]]:
        return list(
            self.sso.list_account_assignments(AccountId=self.account_id(account), **self.at(permission_set))[
                "AccountAssignments"
            ]
        )

    def assignment(self, account: str, permission_set: str, principal_id: str, kind: str = "GROUP") -> dict[str, str]:
        return {
            **self.at(permission_set),
            "TargetId": self.account_id(account),
            "TargetType": "AWS_ACCOUNT",
            "PrincipalType": kind,
            "PrincipalId": principal_id,
        }


@pytest.fixture
def idp(aws: None) -> IdentityOutsider:
    return IdentityOutsider()
