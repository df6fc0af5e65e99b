"""The landing zone's own roles after `apply`: where they are, whom they trust, drift in them repaired.

Every guardrail exempts the bootstrap and break-glass roles by name, and the keys and the log bucket trust
the key roles by name: these tests check that the names are taken by the toolkit's roles, with the trust
the spec describes, in every account where they matter.
"""

from __future__ import annotations

import json
from typing import Any

import boto3

from bootstrap.aws.session import Sessions
from bootstrap.resources import ADDRESS_TAG, MANAGED_TAG
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live
from tests.integration.logging.conftest import LogOutsider, describe

MANAGEMENT_ID = "123456789012"
ROOT = f"arn:aws:iam::{MANAGEMENT_ID}:root"
OWN_BOOTSTRAP = f"arn:aws:iam::{MANAGEMENT_ID}:role/LandingZoneBootstrap"


def role(o: LogOutsider, account: str | None, name: str) -> dict[str, Any]:
    iam = o.client("iam", account)
    found = iam.get_role(RoleName=name)["Role"]
    found["Inline"] = iam.list_role_policies(RoleName=name)["PolicyNames"]
    found["Managed"] = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    return dict(found)


def trust(found: dict[str, Any]) -> dict[str, Any]:
    doc = found["AssumeRolePolicyDocument"]
    (statement,) = (json.loads(doc) if isinstance(doc, str) else doc)["Statement"]
    return dict(statement)


def test_every_account_has_the_exempt_roles_with_the_trust_the_spec_describes(
    applied: LandingZoneSpec, log_outsider: LogOutsider
) -> None:
    for account in (None, "log-archive", "audit"):
        bootstrap = role(log_outsider, account, "LandingZoneBootstrap")
        statement = trust(bootstrap)
        assert statement["Principal"] == {"AWS": ROOT}, "only the management account"
        assert statement["Condition"] == {"ArnLike": {"aws:PrincipalArn": [OWN_BOOTSTRAP]}}, "and only operators"
        tags = {t["Key"]: t["Value"] for t in bootstrap["Tags"]}
        assert tags[MANAGED_TAG] == "true"
        assert tags[ADDRESS_TAG] == f"iam/role/bootstrap/{account or 'management'}"
        assert bootstrap["MaxSessionDuration"] == 3600

        glass = role(log_outsider, account, "LandingZoneBreakGlass")
        statement = trust(glass)
        assert statement["Principal"] == {"AWS": ROOT}
        assert statement["Condition"] == {
            "ArnLike": {"aws:PrincipalArn": [f"arn:aws:iam::{MANAGEMENT_ID}:user/break-glass"]},
            "Bool": {"aws:MultiFactorAuthPresent": "true"},
        }
        assert glass["MaxSessionDuration"] == 3600
        assert glass["Inline"] == ["landing-zone-administrator"] and glass["Managed"] == []


def test_key_roles_exist_where_the_keys_are_and_nowhere_else(
    applied: LandingZoneSpec, log_outsider: LogOutsider
) -> None:
    for account in (None, "log-archive"):  # the trail account (management) and the log archive
        admin = role(log_outsider, account, "LandingZoneKeyAdmin")
        assert admin["Inline"] == ["manage-landing-zone-keys"]
        document = log_outsider.client("iam", account).get_role_policy(
            RoleName="LandingZoneKeyAdmin", PolicyName="manage-landing-zone-keys"
        )["PolicyDocument"]
        actions = {a for s in document["Statement"] for a in s["Action"]}
        assert "kms:PutKeyPolicy" in actions and not actions & {"kms:Decrypt", "kms:Encrypt", "kms:CreateGrant"}
        assert role(log_outsider, account, "LandingZoneSecurityAudit")["Inline"] == ["read-landing-zone-logs"]
    names = {r["RoleName"] for r in log_outsider.client("iam", "audit").list_roles()["Roles"]}
    assert "LandingZoneKeyAdmin" not in names and "LandingZoneSecurityAudit" not in names


def test_a_re_trusted_break_glass_role_is_named_and_repaired(
    applied: LandingZoneSpec, log_outsider: LogOutsider, assert_repaired: Any
) -> None:
    iam = log_outsider.client("iam", "audit")
    wanted = trust(role(log_outsider, "audit", "LandingZoneBreakGlass"))
    opened = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    iam.update_assume_role_policy(RoleName="LandingZoneBreakGlass", PolicyDocument=json.dumps(opened))
    assert_repaired(
        (
            "iam/role/break-glass/audit",
            "AssumeRolePolicyDocument",
            opened,
            {"Version": "2012-10-17", "Statement": [wanted]},
        )
    )


def test_a_policy_attached_to_a_key_role_is_named_and_removed(
    applied: LandingZoneSpec, log_outsider: LogOutsider, assert_repaired: Any
) -> None:
    iam = log_outsider.client("iam", "log-archive")
    policy = iam.create_policy(
        PolicyName="more",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
        ),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="LandingZoneKeyAdmin", PolicyArn=policy)
    assert_repaired(("iam/role/key-administrators/log-archive", "ManagedPolicyArns", [policy], []))
    assert role(log_outsider, "log-archive", "LandingZoneKeyAdmin")["Managed"] == []


def test_untagged_roles_of_the_landing_zones_names_are_adopted_and_the_account_entered_through_them(
    spec: LandingZoneSpec, sessions: Sessions, apply: Any, log_outsider: LogOutsider
) -> None:
    """An account made outside the toolkit has only OrganizationAccountAccessRole, and a role of the
    break-glass name that trusts someone else: apply adopts that role (trust rewritten, tags stamped),
    creates the bootstrap role, and from then on enters the account through it."""
    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    made = org.create_account(Email="aws+audit@example.com", AccountName="audit")["CreateAccountStatus"]
    audit = made["AccountId"]
    iam = log_outsider.client("iam", "audit")
    outside = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    iam.create_role(RoleName="LandingZoneBreakGlass", AssumeRolePolicyDocument=json.dumps(outside))

    live, _ = plan_live(spec, sessions)
    glass = next(c for c in live.plan.changes if c.address == "iam/role/break-glass/audit")
    assert "adopted" in glass.reason, describe(live.plan)
    assert not [n for n in live.plan.blocked if "audit" in n.address], live.plan.blocked
    apply(spec, sessions)

    assert sessions.entered_role(audit) == f"arn:aws:iam::{audit}:role/LandingZoneBootstrap"
    adopted = role(log_outsider, "audit", "LandingZoneBreakGlass")
    assert trust(adopted)["Principal"] == {"AWS": ROOT}
    assert {t["Key"]: t["Value"] for t in adopted["Tags"]}[MANAGED_TAG] == "true"
    again, _ = plan_live(spec, sessions)
    assert again.plan.empty, describe(again.plan)


def test_a_role_of_a_protected_name_under_another_path_blocks_the_plan(
    spec: LandingZoneSpec, sessions: Sessions, log_outsider: LogOutsider
) -> None:
    """`/team/LandingZoneBreakGlass` takes the name (names are unique whatever the path) but not the ARN the
    guardrails exempt: it is neither adopted (its ARN would stay wrong) nor replaced, and the plan says why."""
    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    org.create_account(Email="aws+audit@example.com", AccountName="audit")
    iam = log_outsider.client("iam", "audit")
    outside = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    iam.create_role(RoleName="LandingZoneBreakGlass", Path="/team/", AssumeRolePolicyDocument=json.dumps(outside))

    live, _ = plan_live(spec, sessions)
    (note,) = [n for n in live.plan.blocked if n.address == "iam/role/break-glass/audit"]
    assert "under the path /team/" in note.message and "Delete it" in note.message
