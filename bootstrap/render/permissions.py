"""The least-privilege IAM policy the operator (and the bootstrap role) needs for a spec, generated.

Each resource type declares the IAM actions its reader and its handler call (`bootstrap.types`); the policy is
the union over the types the spec's desired state holds, one statement per service, plus what the engine itself
does: entering member accounts (`sts:AssumeRole` on the bootstrap role and OrganizationAccountAccessRole only),
what `bootstrap status` reads, and the apply lock. `bootstrap permissions` prints it and `bootstrap render`
writes it beside the templates. A test records every AWS call the integration tests make and checks the
declared actions cover it.

Resources are `*` except for `sts:AssumeRole`: the toolkit's objects are found by name and tag across every
account, and most of the read calls (list, describe) take no resource at all.
"""

from __future__ import annotations

import json
from typing import Any

from bootstrap.desired import desired_state
from bootstrap.names import AUDIT_TASK_POLICY
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.types.registry import type_for

MEMBER_ROLE = "OrganizationAccountAccessRole"
"""AWS's role in accounts created through Organizations (kept in step with `bootstrap.aws.session`)."""

STATUS_ACTIONS = (
    "iam:GetAccountSummary",
    "iam:GetUser",
    "iam:ListMFADevices",
    "iam:ListAccessKeys",
    "organizations:ListAccounts",
    "s3:GetBucketVersioning",
    "sns:ListSubscriptionsByTopic",
    "cloudwatch:ListMetrics",
    "ce:GetCostAndUsage",
)
"""What `bootstrap status` reads beyond the types' readers (the accounts' ids, root MFA and keys, the break-glass
user, MFA Delete, the alarm topics' subscriptions, the billing alerts preference by its metrics), and what
`bootstrap init` reads (the last months' costs). Member accounts' root credentials are read through `sts:AssumeRoot`
sessions (`ROOT_AUDIT`): their IAM reads are granted by AWS's audit task policy, not by this one."""

ROOT_AUDIT = {
    "Sid": "AuditMemberRoots",
    "Effect": "Allow",
    "Action": "sts:AssumeRoot",
    "Resource": "arn:aws:iam::*:root",
    "Condition": {"ArnEquals": {"sts:TaskPolicyArn": AUDIT_TASK_POLICY}},
}
"""`sts:AssumeRoot` for the audit task policy only (`sts:TaskPolicyArn`): never a root session that can delete
credentials, create a password, or unlock a bucket policy."""

LOCK_ACTIONS = ("ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter")
"""What the apply lock does (`bootstrap.apply.lock`): one SSM parameter in the management account."""

LOCK_PARAMETER = "/bootstrap/apply-lock"
"""The apply lock's SSM parameter (`bootstrap.apply.lock` uses this name)."""

MAX_MANAGED_POLICY_CHARS = 6144
"""IAM's limit on a customer managed policy (white space not counted)."""

SECOND_POLICY_SERVICES = frozenset({"sso", "identitystore", "budgets", "ce", "account"})
"""The services of the layers about people and money (Identity Center and its identity store; Budgets and Cost
Anomaly Detection; Account Management's alternate contacts): their actions form a policy of their own
(`people_and_billing_policy`), since together with the rest they exceed one managed policy (6,144 characters);
the operator attaches both."""


def required_actions(spec: LandingZoneSpec) -> dict[str, list[str]]:
    """Service prefix -> sorted IAM actions, for every type the spec's desired state holds."""
    actions: set[str] = set(STATUS_ACTIONS)
    for name in sorted({r.type for r in desired_state(spec).resources}):
        type_ = type_for(name)
        actions.update(type_.read_actions, type_.write_actions)
    actions.discard("sts:AssumeRole")  # a statement of its own, scoped to the roles
    by_service: dict[str, list[str]] = {}
    for action in sorted(actions):
        by_service.setdefault(action.split(":", 1)[0], []).append(action)
    return by_service


def people_and_billing_policy(spec: LandingZoneSpec) -> dict[str, Any] | None:
    """The second policy document (`SECOND_POLICY_SERVICES`' actions), or None when the spec needs none of them."""
    statements = [
        {"Sid": _sid(service), "Effect": "Allow", "Action": actions, "Resource": "*"}
        for service, actions in required_actions(spec).items()
        if service in SECOND_POLICY_SERVICES
    ]
    return {"Version": "2012-10-17", "Statement": statements} if statements else None


def people_and_billing_policy_json(spec: LandingZoneSpec) -> str | None:
    policy = people_and_billing_policy(spec)
    return None if policy is None else json.dumps(policy, indent=2) + "\n"


def operator_policy(spec: LandingZoneSpec) -> dict[str, Any]:
    """The policy document: an IAM identity policy, ready for `aws iam create-policy` (the actions of
    `SECOND_POLICY_SERVICES` are in `people_and_billing_policy`)."""
    statements: list[dict[str, Any]] = [
        {"Sid": _sid(service), "Effect": "Allow", "Action": actions, "Resource": "*"}
        for service, actions in required_actions(spec).items()
        if service not in SECOND_POLICY_SERVICES
    ]
    statements.append(dict(ROOT_AUDIT))
    statements.append(
        {
            "Sid": "EnterMemberAccounts",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": [
                f"arn:aws:iam::*:role/{spec.organization.bootstrap_role}",
                f"arn:aws:iam::*:role/{MEMBER_ROLE}",
            ],
        }
    )
    organization = spec.organization
    statements.append(
        {
            "Sid": "ApplyLock",
            "Effect": "Allow",
            "Action": list(LOCK_ACTIONS),
            "Resource": f"arn:aws:ssm:{organization.home_region}:{organization.management_account_id}:parameter"
            + LOCK_PARAMETER,
        }
    )
    return {"Version": "2012-10-17", "Statement": statements}


def policy_json(spec: LandingZoneSpec) -> str:
    return json.dumps(operator_policy(spec), indent=2) + "\n"


def policy_size(spec: LandingZoneSpec) -> int:
    """Characters IAM counts against its limit (the document without white space)."""
    return len(json.dumps(operator_policy(spec), separators=(",", ":")))


def _sid(service: str) -> str:
    return "".join(part.capitalize() for part in service.replace("-", " ").split()) + "Calls"
