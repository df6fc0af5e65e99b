"""The guardrails cannot be escaped: every rendered SCP and RCP, evaluated offline, against requests.

The sandbox does not enforce organization policies, so `bootstrap.guardrails.evaluate` decides. Two kinds
of test:

- a table of requests (principal, action, resource, context) -> denied or not, and by which statement,
  for the landing zone `init --defaults` writes (plus the opt-in guardrails);
- a sweep: for every Deny statement of every rendered SCP, a request that the statement is meant to deny
  is built from the statement itself, and every principal of a list of look-alikes (other roles, a path,
  a suffix, a prefix, other case, a user, the root user, a session named like the role) is denied, while
  only the exempt roles get through. A guardrail added later is swept without editing this file.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from bootstrap.guardrails.evaluate import (
    Request,
    UnsupportedPolicy,
    denials,
    operators_used,
    statement_denies,
    supports,
)
from bootstrap.guardrails.library import RCP, SCP, load_library
from bootstrap.guardrails.packing import PackedPolicy, pack_all
from bootstrap.guardrails.parameters import with_organization_id
from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import ROOT, LandingZoneSpec

MANAGEMENT = "111122223333"
MEMBER = "222233334444"
OUTSIDER = "999988887777"
ORG_ID = "o-abcdefghij"
BOOTSTRAP = "LandingZoneBootstrap"
BREAK_GLASS = "LandingZoneBreakGlass"


def role(name: str, account: str = MEMBER) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


ADMIN = role("Admin")
ROOT_USER = f"arn:aws:iam::{MEMBER}:root"
IN_REGION = {"aws:RequestedRegion": "us-east-1"}
OUT_OF_REGION = {"aws:RequestedRegion": "ap-south-1"}


def default_spec(**answers: Any) -> LandingZoneSpec:
    return parse_spec(render_spec_yaml(Answers(management_account_id=MANAGEMENT, **answers)))


SPEC = default_spec()
EVERY_GUARDRAIL = default_spec(guardrails=sorted(load_library()))


def _resolved(value: Any) -> Any:
    return with_organization_id(value, ORG_ID)


def policies_over(spec: LandingZoneSpec, ou_path: str, policy_type: str) -> dict[str, dict[str, Any]]:
    """The policies of one type that apply to an account in `ou_path`: the Root's and every ancestor's."""
    parts = ou_path.split("/")
    chain = {ROOT, *("/".join(parts[: i + 1]) for i in range(len(parts)))}
    return {
        p.name: _resolved(p.document) for p in pack_all(spec) if p.ou_path in chain and p.policy_type == policy_type
    }


def denied_by(
    ou: str,
    principal: str,
    action: str,
    resource: str = "*",
    context: dict[str, str] | None = None,
    *,
    spec: LandingZoneSpec = SPEC,
    policy_type: str = SCP,
) -> set[str]:
    request = Request(principal, action, resource, {**IN_REGION, **(context or {})})
    return {d.sid for d in denials(policies_over(spec, ou, policy_type), request)}


LOG_BUCKET = f"arn:aws:s3:::acme-logs-{MANAGEMENT}-us-east-1"
TRAIL = f"arn:aws:cloudtrail:us-east-1:{MANAGEMENT}:trail/acme-organization-trail"
TAGGED = {"aws:ResourceTag/bootstrap:managed": "true"}
KEY = f"arn:aws:kms:us-east-1:{MEMBER}:key/1234abcd-12ab-34cd-56ef-1234567890ab"

# (ou, principal, action, resource, context) -> the statement ids that deny it (empty: allowed)
SCP_ROWS: list[tuple[str, str, str, str, dict[str, str], set[str]]] = [
    # The exempt roles, in any account, pass every guardrail but the one protecting the roles themselves.
    ("Workloads/Prod", role(BOOTSTRAP), "ec2:RunInstances", "*", OUT_OF_REGION, set()),
    ("Workloads/Prod", role(BREAK_GLASS), "ec2:RunInstances", "*", OUT_OF_REGION, set()),
    ("Workloads", role(BOOTSTRAP, OUTSIDER), "iam:CreateUser", "*", {}, set()),
    ("Workloads", ADMIN, "ec2:RunInstances", "*", OUT_OF_REGION, {"DenyRegionsOutsideAllowed"}),
    ("Workloads", ADMIN, "ec2:RunInstances", "*", {}, set()),
    # Global services keep working outside the allowed Regions; their regional neighbours do not.
    ("Workloads", ADMIN, "iam:CreateRole", role("App"), OUT_OF_REGION, set()),
    ("Workloads", ADMIN, "sts:AssumeRole", role("App"), OUT_OF_REGION, set()),
    ("Workloads", ADMIN, "s3:GetBucketLocation", "arn:aws:s3:::b", OUT_OF_REGION, set()),
    ("Workloads", ADMIN, "s3:GetObject", "arn:aws:s3:::b/k", OUT_OF_REGION, {"DenyRegionsOutsideAllowed"}),
    ("Workloads", ADMIN, "identitystore:ListUsers", "*", OUT_OF_REGION, {"DenyRegionsOutsideAllowed"}),
    # Look-alikes of the exempt roles get no exemption.
    ("Workloads", role(f"team/{BOOTSTRAP}"), "iam:CreateUser", "*", {}, {"DenyIamUsersAndAccessKeys"}),
    ("Workloads", role(f"{BOOTSTRAP}-copy"), "iam:CreateUser", "*", {}, {"DenyIamUsersAndAccessKeys"}),
    ("Workloads", role(f"My{BOOTSTRAP}"), "iam:CreateUser", "*", {}, {"DenyIamUsersAndAccessKeys"}),
    ("Workloads", role(BOOTSTRAP.lower()), "iam:CreateUser", "*", {}, {"DenyIamUsersAndAccessKeys"}),
    ("Workloads", f"arn:aws:iam::{MEMBER}:user/{BOOTSTRAP}", "iam:CreateUser", "*", {}, {"DenyIamUsersAndAccessKeys"}),
    # The root user of a member account is denied everything, unless in a centralized root session.
    ("Sandbox", ROOT_USER, "s3:ListAllMyBuckets", "*", {}, {"DenyRootUser"}),
    ("Sandbox", ROOT_USER, "s3:ListAllMyBuckets", "*", {"aws:AssumedRoot": "true"}, set()),
    ("Sandbox", ROOT_USER, "iam:CreateUser", "*", {"aws:AssumedRoot": "true"}, {"DenyIamUsersAndAccessKeys"}),
    # Creating or re-trusting a protected role: denied to all but the bootstrap role, break-glass included.
    ("Workloads", ADMIN, "iam:CreateRole", role(BOOTSTRAP), {}, {"DenyLandingZoneRoleChanges"}),
    ("Workloads", ADMIN, "iam:CreateRole", role(f"team/{BREAK_GLASS}"), {}, {"DenyLandingZoneRoleChanges"}),
    ("Workloads", ADMIN, "iam:UpdateAssumeRolePolicy", role(BREAK_GLASS), {}, {"DenyLandingZoneRoleChanges"}),
    (
        "Workloads",
        role(BREAK_GLASS),
        "iam:UpdateAssumeRolePolicy",
        role(BREAK_GLASS),
        {},
        {"DenyLandingZoneRoleChanges"},
    ),
    (
        "Security",
        role(BREAK_GLASS),
        "iam:PutRolePolicy",
        role("LandingZoneKeyAdmin"),
        {},
        {"DenyLandingZoneRoleChanges"},
    ),
    ("Security", ADMIN, "iam:DeleteRole", role("LandingZoneSecurityAudit"), {}, {"DenyLandingZoneRoleChanges"}),
    ("Workloads", role(BOOTSTRAP), "iam:UpdateAssumeRolePolicy", role(BREAK_GLASS), {}, set()),
    ("Workloads", ADMIN, "iam:CreateRole", role(f"{BOOTSTRAP}-app"), {}, set()),
    ("Suspended", role(BREAK_GLASS), "iam:CreateRole", role(BOOTSTRAP), {}, {"DenyLandingZoneRoleChanges"}),
    # The log archive: every tamper action, including the three the audit found missing.
    ("Security", ADMIN, "s3:PutBucketRequestPayment", LOG_BUCKET, {}, {"DenyLogBucketTampering"}),
    ("Security", ADMIN, "s3:PutReplicationConfiguration", LOG_BUCKET, {}, {"DenyLogBucketTampering"}),
    ("Security", ADMIN, "s3:PutBucketNotification", LOG_BUCKET, {}, {"DenyLogBucketTampering"}),
    ("Security", role(BREAK_GLASS), "s3:PutBucketNotification", LOG_BUCKET, {}, set()),
    ("Security", ADMIN, "s3:PutBucketNotification", "arn:aws:s3:::team-bucket", {}, set()),
    # Keys: the toolkit's (tagged) keys and aliases only.
    ("Workloads", ADMIN, "kms:PutKeyPolicy", KEY, TAGGED, {"DenyManagedKmsKeyTampering"}),
    ("Workloads", ADMIN, "kms:ScheduleKeyDeletion", KEY, TAGGED, {"DenyManagedKmsKeyTampering"}),
    ("Workloads", ADMIN, "kms:PutKeyPolicy", KEY, {}, set()),
    (
        "Workloads",
        ADMIN,
        "kms:DeleteAlias",
        f"arn:aws:kms:us-east-1:{MEMBER}:alias/acme/logs",
        {},
        {"DenyManagedKmsAliasChanges"},
    ),
    ("Workloads", ADMIN, "kms:UpdateAlias", f"arn:aws:kms:us-east-1:{MEMBER}:alias/team/app", {}, set()),
    # EBS encryption by default, and its key.
    ("Workloads", ADMIN, "ec2:ModifyEbsDefaultKmsKeyId", "*", {}, {"DenyDisableEbsEncryptionByDefault"}),
    ("Workloads", ADMIN, "ec2:ResetEbsDefaultKmsKeyId", "*", {}, {"DenyDisableEbsEncryptionByDefault"}),
    # Security services: the landing zone's trail and tagged rules, every account's recorder and detector.
    ("Security", ADMIN, "cloudtrail:StopLogging", TRAIL, {}, {"DenyLandingZoneTrailTampering"}),
    ("Workloads", ADMIN, "cloudtrail:StopLogging", f"arn:aws:cloudtrail:us-east-1:{MEMBER}:trail/team", {}, set()),
    ("Workloads", ADMIN, "cloudtrail:DeleteEventDataStore", "*", {}, set()),
    ("Workloads", ADMIN, "config:StopConfigurationRecorder", "*", {}, {"DenyAccountRecorderTampering"}),
    ("Workloads", ADMIN, "guardduty:DeleteDetector", "*", {}, {"DenyAccountRecorderTampering"}),
    ("Workloads", ADMIN, "config:DeleteConfigRule", "*", TAGGED, {"DenyManagedRuleAndAnalyzerTampering"}),
    ("Workloads", ADMIN, "config:DeleteConfigRule", "*", {}, set()),
    ("Workloads", ADMIN, "access-analyzer:DeleteAnalyzer", "*", {}, set()),
    # The trail's log group, alarms and topics (in the Security OU, where the audit account holds them).
    (
        "Security",
        ADMIN,
        "logs:DeleteLogGroup",
        f"arn:aws:logs:us-east-1:{MEMBER}:log-group:/acme/organization-trail",
        {},
        {"DenyLogMonitoringTampering"},
    ),
    (
        "Security",
        ADMIN,
        "cloudwatch:DeleteAlarms",
        f"arn:aws:cloudwatch:us-east-1:{MEMBER}:alarm:acme-cis-4.3-root",
        {},
        {"DenyLogMonitoringTampering"},
    ),
    (
        "Security",
        ADMIN,
        "sns:DeleteTopic",
        f"arn:aws:sns:us-east-1:{MEMBER}:acme-security-alarms",
        {},
        {"DenyLogMonitoringTampering"},
    ),
    ("Security", ADMIN, "sns:DeleteTopic", f"arn:aws:sns:us-east-1:{MEMBER}:acme-team-topic", {}, set()),
    # Suspended accounts are frozen for everyone but the exempt roles.
    ("Suspended", ADMIN, "s3:ListAllMyBuckets", "*", {}, {"DenyAllActions"}),
    ("Suspended", role(BREAK_GLASS), "s3:ListAllMyBuckets", "*", {}, set()),
]


@pytest.mark.parametrize(("ou", "principal", "action", "resource", "context", "expected"), SCP_ROWS)
def test_scp_rows(
    ou: str, principal: str, action: str, resource: str, context: dict[str, str], expected: set[str]
) -> None:
    assert denied_by(ou, principal, action, resource, context) == expected


OPT_IN_ROWS: list[tuple[str, str, str, dict[str, str], set[str]]] = [
    (ADMIN, "account:EnableRegion", "*", {}, {"DenyRegionOptInChanges"}),
    (role(BOOTSTRAP), "account:EnableRegion", "*", {}, set()),
    (
        ADMIN,
        "ec2:RunInstances",
        f"arn:aws:ec2:us-east-1:{MEMBER}:instance/*",
        {"ec2:MetadataHttpTokens": "optional"},
        {"RequireImdsV2OnLaunch"},
    ),
    (ADMIN, "ec2:RunInstances", f"arn:aws:ec2:us-east-1:{MEMBER}:instance/*", {}, {"RequireImdsV2OnLaunch"}),
    (
        ADMIN,
        "ec2:RunInstances",
        f"arn:aws:ec2:us-east-1:{MEMBER}:instance/*",
        {"ec2:MetadataHttpTokens": "required"},
        set(),
    ),
    (ADMIN, "ec2:RunInstances", f"arn:aws:ec2:us-east-1:{MEMBER}:volume/*", {}, set()),
    (ADMIN, "ec2:ModifyInstanceMetadataOptions", "*", {"ec2:Attribute/HttpTokens": "optional"}, {"DenyImdsV1Reenable"}),
]


@pytest.mark.parametrize(("principal", "action", "resource", "context", "expected"), OPT_IN_ROWS)
def test_opt_in_rows(principal: str, action: str, resource: str, context: dict[str, str], expected: set[str]) -> None:
    assert denied_by("Workloads", principal, action, resource, context, spec=EVERY_GUARDRAIL) == expected


def test_opt_in_guardrails_are_not_chosen_by_default() -> None:
    chosen = {g for ou in SPEC.organizational_units for g in ou.guardrails} | set(SPEC.organization.root_guardrails)
    assert {"deny-region-opt-in-changes", "require-imdsv2"}.isdisjoint(chosen)
    assert denied_by("Workloads", ADMIN, "account:EnableRegion") == set()


S3_OBJECT = f"arn:aws:s3:::acme-data-{MEMBER}/file"
RCP_ROWS: list[tuple[str, str, dict[str, str], set[str]]] = [
    # Principals of another organization or no organization: denied; this organization's: allowed.
    (
        role("Admin", OUTSIDER),
        "s3:GetObject",
        {"aws:PrincipalOrgID": "o-otherorg00", "aws:SecureTransport": "true"},
        {"EnforceOrgIdentities"},
    ),
    (role("Admin", OUTSIDER), "s3:GetObject", {"aws:SecureTransport": "true"}, {"EnforceOrgIdentities"}),
    # A role named like the landing zone's in an outside account is no exception: RCPs exempt no name.
    (role(BOOTSTRAP, OUTSIDER), "s3:GetObject", {"aws:SecureTransport": "true"}, {"EnforceOrgIdentities"}),
    (ADMIN, "s3:GetObject", {"aws:PrincipalOrgID": ORG_ID, "aws:SecureTransport": "true"}, set()),
    (ADMIN, "s3:GetObject", {"aws:PrincipalOrgID": ORG_ID, "aws:SecureTransport": "false"}, {"EnforceSecureTransport"}),
    # AWS services: acting for this organization, or with no source account, allowed; for another, denied.
    (
        "cloudtrail.amazonaws.com",
        "s3:PutObject",
        {
            "aws:PrincipalIsAWSService": "true",
            "aws:SourceAccount": OUTSIDER,
            "aws:SourceOrgID": "o-otherorg00",
            "aws:SecureTransport": "true",
        },
        {"EnforceConfusedDeputyProtection"},
    ),
    (
        "cloudtrail.amazonaws.com",
        "s3:PutObject",
        {
            "aws:PrincipalIsAWSService": "true",
            "aws:SourceAccount": MEMBER,
            "aws:SourceOrgID": ORG_ID,
            "aws:SecureTransport": "true",
        },
        set(),
    ),
    (
        "cloudtrail.amazonaws.com",
        "s3:PutObject",
        {"aws:PrincipalIsAWSService": "true", "aws:SecureTransport": "true"},
        set(),
    ),
    # Services outside the perimeter's list are not judged.
    (role("Admin", OUTSIDER), "dynamodb:GetItem", {"aws:SecureTransport": "false"}, set()),
]


@pytest.mark.parametrize(("principal", "action", "context", "expected"), RCP_ROWS)
def test_rcp_rows(principal: str, action: str, context: dict[str, str], expected: set[str]) -> None:
    assert denied_by("Workloads", principal, action, S3_OBJECT, context, policy_type=RCP) == expected


# ---- the sweep: every Deny statement, every look-alike -------------------------------------------------


def _concrete(pattern: str) -> str:
    """A value a wildcard pattern matches (`*` -> `x1`, `?` -> `x`)."""
    return pattern.replace("*", "x1").replace("?", "x")


def witness(statement: dict[str, Any]) -> Request:
    """A request the statement is meant to deny, for a principal it does not exempt (filled in later)."""
    if "Action" in statement:
        action = _concrete(_first(statement["Action"])).replace("x1:x1", "ec2:RunInstances")
        if action == "x1":
            action = "ec2:RunInstances"
    else:
        action = "ec2:RunInstances"
        assert not any(re.fullmatch(p.replace("*", ".*"), action, re.I) for p in statement["NotAction"])
    resource = _concrete(_first(statement.get("Resource", "*")))
    if resource == "x1":
        resource = "*"
    context: dict[str, str] = {}
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, values in keys.items():
            value = _first(values)
            if operator == "ArnNotLike" and key.lower() == "aws:principalarn":
                continue  # the exemption: what the sweep varies
            if operator == "ArnLike" and key.lower() == "aws:principalarn":
                continue  # a statement about certain principals (the root user): see `applies_to`
            if operator in ("StringEquals", "Bool", "BoolIfExists"):
                context[key] = value
            elif operator in ("StringNotEquals", "StringNotEqualsIfExists", "StringNotLike"):
                context[key] = "not-" + value
            elif operator == "StringLike":
                context[key] = _concrete(value)
            elif operator == "Null":
                if value == "false":
                    context[key] = "x"
            else:
                raise AssertionError(f"the sweep does not know how to satisfy {operator}; teach `witness`")
    return Request("", action, resource, context)


def _first(value: Any) -> str:
    return value if isinstance(value, str) else str(value[0])


def applies_to(statement: dict[str, Any], principal: str) -> bool:
    """Statements with `ArnLike aws:PrincipalArn` are about those principals only (deny-root-user)."""
    patterns = (statement.get("Condition") or {}).get("ArnLike", {}).get("aws:PrincipalArn")
    if patterns is None:
        return True
    return any(
        re.fullmatch(p.replace("*", "[^:]*"), principal)
        for p in ([patterns] if isinstance(patterns, str) else patterns)
    )


def look_alikes(spec: LandingZoneSpec) -> list[str]:
    names = [spec.organization.bootstrap_role, spec.organization.break_glass_role]
    arns = [ADMIN, role("OrganizationAccountAccessRole"), ROOT_USER, f"arn:aws:iam::{MANAGEMENT}:user/break-glass"]
    for name in names:
        arns += [
            role(f"team/{name}"),
            role(f"{name}-x"),
            role(f"x{name}"),
            role(name.upper()),
            role(name.lower()),
            f"arn:aws:iam::{MEMBER}:user/{name}",
            f"arn:aws:sts::{MEMBER}:assumed-role/{name}/session",
            f"arn:aws:sts::{MEMBER}:assumed-role/Admin/{name}",
        ]
    return [arn for arn in dict.fromkeys(arns) if arn not in {role(name) for name in names}]


def exempt_for(spec: LandingZoneSpec, policy: PackedPolicy, statement: dict[str, Any]) -> list[str]:
    """The principals the statement must let through: the bootstrap role, and break-glass unless the
    statement belongs to a guardrail that withholds it. Both in any account."""
    library = load_library()
    owner = next(g for g in policy.guardrail_ids if any(s["Sid"] == statement["Sid"] for s in library[g].statements))
    names = [spec.organization.bootstrap_role]
    if "break-glass" in library[owner].exempt:
        names.append(spec.organization.break_glass_role)
    return [role(n, account) for n in names for account in (MEMBER, OUTSIDER, MANAGEMENT)]


def _renamed_roles_spec() -> LandingZoneSpec:
    data = yaml.safe_load(
        render_spec_yaml(Answers(management_account_id=MANAGEMENT, guardrails=sorted(load_library())))
    )
    data["organization"]["bootstrap_role"] = "Acme.Automation-Bootstrap"
    data["organization"]["break_glass_role"] = "acme+break@glass"
    return parse_spec(yaml.safe_dump(data))


SWEEP_SPECS = {"defaults": SPEC, "every-guardrail-renamed-roles": _renamed_roles_spec()}
SWEEP = [
    pytest.param(spec, policy, statement, id=f"{label}:{policy.name}:{statement['Sid']}")
    for label, spec in SWEEP_SPECS.items()
    for policy in pack_all(spec)
    if policy.policy_type == SCP
    for statement in _resolved(policy.document)["Statement"]
    if statement["Effect"] == "Deny"
]


@pytest.mark.parametrize(("spec", "policy", "statement"), SWEEP)
def test_no_look_alike_escapes_a_deny(spec: LandingZoneSpec, policy: PackedPolicy, statement: dict[str, Any]) -> None:
    template = witness(statement)
    exempt = exempt_for(spec, policy, statement)
    withheld = [role(n) for n in (spec.organization.break_glass_role,) if role(n) not in exempt]
    for principal in look_alikes(spec) + withheld:
        request = Request(principal, template.action, template.resource, template.context)
        assert statement_denies(statement, request) == applies_to(statement, principal), principal


@pytest.mark.parametrize(("spec", "policy", "statement"), SWEEP)
def test_only_the_exempt_roles_pass(spec: LandingZoneSpec, policy: PackedPolicy, statement: dict[str, Any]) -> None:
    template = witness(statement)
    for principal in exempt_for(spec, policy, statement):
        request = Request(principal, template.action, template.resource, template.context)
        assert not statement_denies(statement, request), principal
    for principal in (ADMIN, ROOT_USER):  # and the statement does deny someone who is not exempt
        request = Request(principal, template.action, template.resource, template.context)
        assert statement_denies(statement, request) == applies_to(statement, principal), principal


def test_every_operator_in_the_library_is_understood() -> None:
    documents = [p.document for spec in SWEEP_SPECS.values() for p in pack_all(spec)]
    used = operators_used(documents)
    assert used, "the library uses condition operators"
    assert all(supports(op) for op in used), sorted(op for op in used if not supports(op))


# ---- the evaluator itself -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        ({"StringNotEquals": {"aws:RequestedRegion": ["a", "b"]}}, {"aws:RequestedRegion": "a"}, False),
        ({"StringNotEquals": {"aws:RequestedRegion": ["a", "b"]}}, {"aws:RequestedRegion": "c"}, True),
        ({"StringNotEquals": {"aws:RequestedRegion": "a"}}, {}, True),  # negated, key missing: true
        ({"StringEquals": {"aws:RequestedRegion": "a"}}, {}, False),
        ({"StringEquals": {"aws:RequestedRegion": "a"}}, {"AWS:requestedregion": "a"}, True),  # keys ignore case
        ({"StringEquals": {"aws:RequestedRegion": "a"}}, {"aws:RequestedRegion": "A"}, False),  # values do not
        ({"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-1"}}, {}, True),
        ({"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-1"}}, {}, True),
        ({"BoolIfExists": {"aws:SecureTransport": "false"}}, {}, True),
        ({"Bool": {"aws:SecureTransport": "false"}}, {}, False),
        ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": "FALSE"}, True),
        ({"Null": {"aws:AssumedRoot": "true"}}, {}, True),
        ({"Null": {"aws:AssumedRoot": "true"}}, {"aws:AssumedRoot": "true"}, False),
        ({"Null": {"aws:SourceAccount": "false"}}, {"aws:SourceAccount": "1"}, True),
        ({"StringLike": {"ec2:Attribute": "a*c"}}, {"ec2:Attribute": "abbc"}, True),
        (
            {"NumericGreaterThan": {"ec2:MetadataHttpPutResponseHopLimit": "3"}},
            {"ec2:MetadataHttpPutResponseHopLimit": "4"},
            True,
        ),
        ({"NumericNotEquals": {"k": ["1", "2"]}}, {"k": "2"}, False),
        # Two operators: both must match.
        ({"StringEquals": {"a": "1"}, "Null": {"b": "true"}}, {"a": "1", "b": "x"}, False),
    ],
)
def test_condition_semantics(condition: dict[str, Any], context: dict[str, str], expected: bool) -> None:
    statement = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": condition}
    assert statement_denies(statement, Request(ADMIN, "s3:GetObject", "*", context)) is expected


@pytest.mark.parametrize(
    ("pattern", "principal", "expected"),
    [
        ("arn:aws:iam::*:role/R", role("R"), True),
        ("arn:aws:iam::*:role/R", role("team/R"), False),  # a path is part of the ARN
        ("arn:aws:iam::*:role/R", role("r"), False),  # ARNs are case-sensitive
        ("arn:aws:iam::*:role/R", "arn:aws:iam::1:2:role/R", False),  # `*` never spans a segment
        ("arn:aws:iam::*:role/*/R", role("a/b/R"), True),
        ("arn:aws:iam::*:root", ROOT_USER, True),
    ],
)
def test_arn_like(pattern: str, principal: str, expected: bool) -> None:
    statement = {
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"ArnLike": {"aws:PrincipalArn": pattern}},
    }
    assert statement_denies(statement, Request(principal, "s3:GetObject")) is expected


def test_actions_ignore_case_and_not_action_inverts() -> None:
    assert statement_denies({"Effect": "Deny", "Action": "S3:Get*", "Resource": "*"}, Request(ADMIN, "s3:getobject"))
    assert not statement_denies(
        {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}, Request(ADMIN, "IAM:CreateRole")
    )
    assert not statement_denies({"Effect": "Allow", "Action": "*", "Resource": "*"}, Request(ADMIN, "s3:GetObject"))


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"k": "v"}}},
        {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"DateGreaterThan": {"k": "v"}}},
        {"Effect": "Deny", "Action": "*", "Resource": "*", "Principal": {"AWS": "x"}},
        {"Effect": "Deny", "Action": "*"},
    ],
)
def test_unknown_policy_language_is_refused(statement: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedPolicy):
        statement_denies(statement, Request(ADMIN, "s3:GetObject"))
