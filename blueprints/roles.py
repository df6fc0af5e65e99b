"""The landing zone's own roles, in every account where its guardrails and policies name them.

- the bootstrap role, in the management account and every member account: the toolkit runs as it (every
  guardrail exempts it); it trusts only the management account, and there only `organization.operators`
  and the management account's own bootstrap role;
- the break-glass role, in every account: trusts only the management account's break-glass principal,
  with MFA, for one-hour sessions (runbooks/break-glass.md);
- the key administrators and key readers roles, in each account that holds the toolkit's keys (the log
  archive and the trail account): administrators manage the keys but cannot use them; readers decrypt
  and read the logs. The key readers role also trusts the security-audit permission set's sessions in every
  member account that set is assigned in (a second statement: `blueprints.audit_trust`).

A role of one of these names that exists without the toolkit's tags is adopted (its trust and policies are
set to the spec's, its tags stamped): the name is exempt from every guardrail, so whoever else controls it
holds the keys to the organization. AWS creates the bootstrap role in every account the toolkit creates
(`RoleName` of CreateAccount), untagged, which is adopted the same way. The guardrail
`protect-landing-zone-roles`, at the root, keeps everyone but the bootstrap role from changing them.

The template is one per kind (`landing-zone-roles` for every account, `key-roles` for key accounts), the
form a service-managed StackSet deploys; the engine places a copy of each role in each account.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from troposphere import Template
from troposphere.iam import Policy, Role

from blueprints.audit_trust import ORGANIZATION_SKIPS, AuditTrust, audit_trust
from blueprints.binding import bind, engine_dependencies, location_bindings
from blueprints.common import Blueprint, tags
from blueprints.keys import ADMIN_ACTIONS, READER_ACTIONS
from bootstrap.names import (
    BOOTSTRAP,
    BREAK_GLASS,
    KEY_ADMINISTRATORS,
    KEY_READERS,
    logical_id,
    role_address,
    role_logical_id,
)
from bootstrap.resources import GLOBAL, Location, Resource
from bootstrap.spec.log_archive import log_bucket_name, log_group_name, logging_enabled
from bootstrap.spec.model import MANAGEMENT, LandingZoneSpec
from bootstrap.spec.roles import (
    break_glass_principal,
    key_administrator_principals,
    key_reader_principals,
    operator_patterns,
)

KEYS = "arn:aws:kms:*:*:key/*"
ALIASES = "arn:aws:kms:*:*:alias/*"
_LIST_ACTIONS = ("kms:ListAliases", "kms:ListKeys")
"""KMS list calls take no resource. Which keys a role may manage or use is the key policies' decision."""
SESSION_SECONDS = 3600
"""One hour: the shortest session IAM allows."""


def accounts(spec: LandingZoneSpec) -> list[str]:
    """Every account of the landing zone by spec name, the management account first."""
    return [MANAGEMENT, *(a.name for a in spec.accounts)]


def key_accounts(spec: LandingZoneSpec) -> list[str]:
    """Accounts holding the toolkit's keys: the log archive (logs key) and the trail account (monitoring key)."""
    if not logging_enabled(spec):
        return []
    return list(dict.fromkeys([spec.logging.account, spec.logging.trail_account]))


def _trust(spec: LandingZoneSpec, principals: list[str], *, mfa: bool = False) -> dict[str, Any]:
    """Only the management account, and there only `principals` (`aws:PrincipalArn` patterns)."""
    condition: dict[str, Any] = {"ArnLike": {"aws:PrincipalArn": principals}}
    if mfa:
        condition["Bool"] = {"aws:MultiFactorAuthPresent": "true"}
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OnlyFromTheManagementAccount",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{spec.organization.management_account_id}:root"},
                "Action": "sts:AssumeRole",
                "Condition": condition,
            }
        ],
    }


def audit_sessions(spec: LandingZoneSpec) -> AuditTrust:
    """The key readers role's statement for the security-audit set's sessions in member accounts, and its
    Parameters (`blueprints.audit_trust`)."""
    return audit_trust(spec, _trust(spec, key_reader_principals(spec)))


def _key_reader_trust(spec: LandingZoneSpec) -> dict[str, Any]:
    trust = _trust(spec, key_reader_principals(spec))
    audit = audit_sessions(spec).statement
    if audit is not None:
        trust["Statement"].append(audit)
    return trust


def _administrator() -> Policy:
    return Policy(
        PolicyName="landing-zone-administrator",
        PolicyDocument={
            "Version": "2012-10-17",
            "Statement": [{"Sid": "Administer", "Effect": "Allow", "Action": "*", "Resource": "*"}],
        },
    )


def _key_administration() -> Policy:
    return Policy(
        PolicyName="manage-landing-zone-keys",
        PolicyDocument={
            "Version": "2012-10-17",
            "Statement": [
                # The key policies decide which keys; this grants no cryptographic action at all.
                {
                    "Sid": "ManageKeys",
                    "Effect": "Allow",
                    "Action": [a for a in ADMIN_ACTIONS if a not in _LIST_ACTIONS],
                    "Resource": [KEYS, ALIASES],
                },
                {"Sid": "ListKeys", "Effect": "Allow", "Action": list(_LIST_ACTIONS), "Resource": "*"},
            ],
        },
    )


def _log_reading(spec: LandingZoneSpec) -> Policy:
    bucket = log_bucket_name(spec)
    group = log_group_name(spec)
    return Policy(
        PolicyName="read-landing-zone-logs",
        PolicyDocument={
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "DecryptLogs", "Effect": "Allow", "Action": READER_ACTIONS, "Resource": KEYS},
                {
                    "Sid": "ReadLogArchive",
                    "Effect": "Allow",
                    "Action": ["s3:GetBucketLocation", "s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"],
                    "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                },
                {
                    "Sid": "ReadTrailLogGroup",
                    "Effect": "Allow",
                    "Action": ["logs:DescribeLogStreams", "logs:FilterLogEvents", "logs:GetLogEvents"],
                    "Resource": f"arn:aws:logs:*:*:log-group:{group}:*",
                },
            ],
        },
    )


_ADMIN_SKIPS = {
    "checkov": {
        "skip": [
            {"id": id_, "comment": "An administrator role by design: it trusts only named principals of the "
             "management account (with MFA for break-glass), and the root guardrail protects it."}
            for id_ in ("CKV_AWS_60", "CKV_AWS_61", "CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_109", "CKV_AWS_110",
                        "CKV_AWS_111", "CKV_AWS_107", "CKV_AWS_108", "CKV_AWS_286", "CKV_AWS_287",
                        "CKV_AWS_288", "CKV_AWS_289", "CKV_AWS_290", "CKV_AWS_355")
        ]
    }
}  # fmt: skip


def _role(spec: LandingZoneSpec, purpose: str, address: str) -> Role:
    org, logging = spec.organization, spec.logging
    if purpose == BOOTSTRAP:
        name, trust, policy = org.bootstrap_role, _trust(spec, operator_patterns(spec)), _administrator()
        description = "The landing zone toolkit runs as this role; exempt from every guardrail."
    elif purpose == BREAK_GLASS:
        trust = _trust(spec, [break_glass_principal(spec)], mfa=True)
        name, policy = org.break_glass_role, _administrator()
        description = "Emergency access with MFA, exempt from the guardrails; see runbooks/break-glass.md."
    elif purpose == KEY_ADMINISTRATORS:
        name, trust, policy = (
            logging.key_administrators_role,
            _trust(spec, key_administrator_principals(spec)),
            (_key_administration()),
        )
        description = "Manages the landing zone's KMS keys; cannot use them."
    else:
        name, trust, policy = logging.key_readers_role, _key_reader_trust(spec), _log_reading(spec)
        description = "Reads and decrypts the landing zone's logs, and nothing else."
    extra: dict[str, Any] = {"Metadata": _ADMIN_SKIPS} if purpose in (BOOTSTRAP, BREAK_GLASS) else {}
    if purpose == KEY_READERS and audit_sessions(spec).organization:
        extra = {"Metadata": ORGANIZATION_SKIPS}
    return Role(
        logical_id("Role", purpose),
        RoleName=name,
        Description=description,
        AssumeRolePolicyDocument=trust,
        Policies=[policy],
        ManagedPolicyArns=[],
        MaxSessionDuration=SESSION_SECONDS,
        Tags=tags(address),
        **extra,
    )


def _place(bp: Blueprint, spec: LandingZoneSpec, purpose: str, account: str) -> None:
    """The engine's copy of a role in one account (the template holds the role once)."""
    address = role_address(purpose, account)
    role = _role(spec, purpose, address)
    resource = Resource.from_troposphere(
        role,
        address=address,
        location=Location(account, GLOBAL),
        import_id=str(role.properties["RoleName"]),  # adopted when it exists: see the module's docstring
    )
    depends = engine_dependencies(resource.location)
    if purpose != BOOTSTRAP:
        depends += (role_logical_id(BOOTSTRAP, account),)
    bindings = location_bindings(
        spec, resource.location, **(audit_sessions(spec).bindings if purpose == KEY_READERS else {})
    )
    bp.add_native(
        replace(
            resource,
            logical_id=role_logical_id(purpose, account),
            depends_on=depends,
            properties=bind(dict(resource.properties), bindings),
        )
    )


def _template(spec: LandingZoneSpec, purposes: tuple[str, ...], what: str, where: str) -> Template:
    template = Template(
        Description=f"Landing zone '{spec.organization.name}': {what}. Deploy in {where} (a service-managed "
        "StackSet for member accounts, a stack in the management account). In the engine each role's "
        "bootstrap:address tag also names its account.",
    )
    if KEY_READERS in purposes:
        for parameter in audit_sessions(spec).parameters:
            template.add_parameter(parameter)
    for purpose in purposes:
        template.add_resource(_role(spec, purpose, f"iam/role/{purpose}"))
    return template


def build(spec: LandingZoneSpec) -> list[Blueprint]:
    every = Blueprint(
        "landing-zone-roles",
        _template(spec, (BOOTSTRAP, BREAK_GLASS), "the bootstrap and break-glass roles", "every account"),
    )
    for account in accounts(spec):
        for purpose in (BOOTSTRAP, BREAK_GLASS):
            _place(every, spec, purpose, account)
    holders = key_accounts(spec)
    if not holders:
        return [every]
    keys = Blueprint(
        "key-roles",
        _template(
            spec, (KEY_ADMINISTRATORS, KEY_READERS), "the key administrators and readers roles",
            f"the accounts holding the landing zone's keys ({', '.join(holders)})",
        ),
    )  # fmt: skip
    for account in holders:
        for purpose in (KEY_ADMINISTRATORS, KEY_READERS):
            _place(keys, spec, purpose, account)
    return [every, keys]
