"""The key readers role's trust of the security-audit permission set's sessions in member accounts.

`init` assigns security-audit by OU, so the people who have it sign in to member accounts, and from there assume
the key readers role to read the log archive. The role's second trust statement lets them: it names each member
account the set is assigned in (`identity_checks.sso_key_reader_accounts`), their roots as the principals, and
there only the set's Identity Center roles (`role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_security-audit_*`;
the principal already names the account, so one pattern serves them all). Their ids enter the template as
Parameters and are bound to the accounts in the engine.

IAM limits a role's trust policy to 2,048 characters (white space not counted; 4,096 after a quota increase), about
forty accounts here. With more, the statement names the organization instead (`aws:PrincipalOrgID`): the set's
Identity Center roles in any of its accounts. Those are the accounts the set is provisioned in, since only Identity
Center makes roles under `/aws-reserved/`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from troposphere import Parameter, Ref

from blueprints.binding import account_id_value, iam_arn
from blueprints.organization import ORG_ID
from bootstrap.names import logical_id
from bootstrap.spec.identity_checks import SECURITY_AUDIT, sso_key_reader_accounts, sso_role_resource
from bootstrap.spec.model import LandingZoneSpec

TRUST_POLICY_MAX_CHARS = 2048
"""IAM's default quota on the length of a role's trust policy."""
SID = "SecurityAuditSessions"
ORGANIZATION_PARAMETER = "OrganizationId"
SESSIONS = f"arn:aws:iam::*:{sso_role_resource(SECURITY_AUDIT)}"
ORGANIZATION_SKIPS = {
    "checkov": {
        "skip": [
            {"id": "CKV_AWS_60", "comment": "The principal '*' of the statement naming the organization is bound by "
             "aws:PrincipalOrgID and by the security-audit set's Identity Center roles (aws:PrincipalArn)."}
        ]
    }
}  # fmt: skip
"""The role's Metadata when its statement names the organization: checkov flags any principal `*`, conditions
or not."""


@dataclass(frozen=True)
class AuditTrust:
    """The statement (None: the set is assigned in no member account), and what its template and engine copies
    need: the Parameters it refers to, and their values in the engine."""

    statement: dict[str, Any] | None = None
    parameters: list[Parameter] = field(default_factory=list)
    bindings: dict[str, Any] = field(default_factory=dict)
    accounts: tuple[str, ...] = ()
    """The member accounts the statement names (none when it names the organization)."""
    organization: bool = False
    """The statement names the organization: too many accounts to name within IAM's quota."""


def account_parameter(account: str) -> str:
    return logical_id("AccountId", account)


def _statement(principal: Any, condition: dict[str, Any]) -> dict[str, Any]:
    return {"Sid": SID, "Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole",
            "Condition": {**condition, "ArnLike": {"aws:PrincipalArn": SESSIONS}}}  # fmt: skip


def _fits(trust: dict[str, Any], statement: dict[str, Any]) -> bool:
    document = {**trust, "Statement": [*trust["Statement"], statement]}
    return len(json.dumps(document, separators=(",", ":"))) <= TRUST_POLICY_MAX_CHARS


def audit_trust(spec: LandingZoneSpec, trust: dict[str, Any]) -> AuditTrust:
    """The statement to add to the key readers role's `trust` (its other statements, as IAM will count them)."""
    accounts = sso_key_reader_accounts(spec)
    if not accounts:
        return AuditTrust()
    longest = _statement([f"arn:aws:iam::{'0' * 12}:root" for _ in accounts], {})  # ids have 12 digits
    if _fits(trust, longest):
        return AuditTrust(
            _statement([iam_arn(Ref(account_parameter(a)), "root") for a in accounts], {}),
            [Parameter(account_parameter(a), Type="String", Description=f"The id of account {a}.") for a in accounts],
            {account_parameter(a): account_id_value(spec, a) for a in accounts},
            accounts=tuple(accounts),
        )
    return AuditTrust(
        _statement("*", {"StringEquals": {"aws:PrincipalOrgID": Ref(ORGANIZATION_PARAMETER)}}),
        [Parameter(ORGANIZATION_PARAMETER, Type="String", Description="The organization's id (o-...).")],
        {ORGANIZATION_PARAMETER: {"Fn::GetAtt": [ORG_ID, "Id"]}},
        organization=True,
    )
