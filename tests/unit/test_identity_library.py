"""The permission-set library and the identity section's meaning: every library set is one AWS accepts, the
security-audit set reaches the log archive through the key readers role (which trusts its sessions in every
account it is assigned in), the administrator set's sessions are operators the bootstrap role trusts, and OU
targets expand to every account below them."""

from __future__ import annotations

import json
from typing import Any

from variants import identity_spec, spec_variants

from blueprints.audit_trust import SESSIONS, TRUST_POLICY_MAX_CHARS
from blueprints.identity import owned_description, owner_of
from blueprints.roles import _role, audit_sessions
from blueprints.roles import build as build_roles
from bootstrap.names import BOOTSTRAP, KEY_READERS, account_logical_id, role_address
from bootstrap.plan.refs import Registry
from bootstrap.resources import Resource
from bootstrap.spec.identity_checks import (
    INLINE_POLICY_MAX_CHARS,
    MAX_MANAGED_POLICIES,
    MAX_SESSION_SECONDS,
    MIN_SESSION_SECONDS,
    NAME,
    assignment_accounts,
    compact_policy,
    policy_problem,
    session_seconds,
    sso_role_pattern,
)
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.spec.permission_set_library import load_permission_sets, spec_permission_sets


def test_every_library_set_is_one_aws_accepts() -> None:
    library = load_permission_sets()
    assert {"administrator", "power-user", "read-only", "security-audit", "billing", "break-glass-viewer"} <= set(
        library
    )
    for name, ps in library.items():
        assert NAME.match(name) and ps.title and ps.description and ps.job_function
        seconds = session_seconds(ps.session_duration)
        assert seconds is not None and MIN_SESSION_SECONDS <= seconds <= MAX_SESSION_SECONDS, name
        assert len(ps.managed_policies) <= MAX_MANAGED_POLICIES
        if ps.inline_policy is not None:
            assert policy_problem(ps.inline_policy) is None, name
            assert len(compact_policy(ps.inline_policy)) <= INLINE_POLICY_MAX_CHARS
    assert library["administrator"].session_duration == "PT1H"
    assert "arn:aws:iam::aws:policy/job-function/Billing" in library["billing"].managed_policies


def test_the_power_user_set_denies_iam_and_organizations_writes() -> None:
    inline = load_permission_sets()["power-user"].inline_policy
    assert isinstance(inline, dict)
    denied = {a for s in inline["Statement"] if s["Effect"] == "Deny" for a in s["Action"]}
    assert {"iam:Create*", "iam:Attach*", "iam:Put*", "organizations:Create*", "organizations:Move*"} <= denied
    assert not any(s["Effect"] == "Allow" for s in inline["Statement"])


def test_security_audit_assumes_the_key_readers_role_which_trusts_it() -> None:
    spec = identity_spec(spec_variants()["default"])
    (audit,) = [d for d in spec_permission_sets(spec) if d.name == "security-audit"]
    assert isinstance(audit.inline_policy, dict)
    (statement,) = audit.inline_policy["Statement"]
    assert statement["Resource"] == f"arn:aws:iam::*:role/{spec.logging.key_readers_role}"
    trust = _role(spec, KEY_READERS, role_address(KEY_READERS, "log-archive")).properties["AssumeRolePolicyDocument"]
    assert sso_role_pattern(spec, "security-audit") in str(trust)


def _key_readers(spec: LandingZoneSpec) -> tuple[dict[str, Any], list[Resource]]:
    """The key-roles template as rendered, and the engine's copies of the key readers role."""
    (keys,) = [bp for bp in build_roles(spec) if bp.name == "key-roles"]
    return keys.template.to_dict(), [r for r in keys.resources if r.address.startswith("iam/role/key-readers/")]


def _resolved_trust(role: Resource, **attributes: dict[str, str]) -> dict[str, Any]:
    """The role's trust as the engine sends it, with the given logical ids' attributes known."""
    registry = Registry()
    for logical, values in attributes.items():
        registry.set(logical, None, values)
    trust: dict[str, Any] = registry.resolve(role.properties["AssumeRolePolicyDocument"])
    assert len(json.dumps(trust, separators=(",", ":"))) <= TRUST_POLICY_MAX_CHARS
    return trust


def test_the_key_readers_role_trusts_security_audit_sessions_in_every_account_the_set_is_assigned_in() -> None:
    spec = identity_spec(spec_variants()["default"])  # security-audit assigned to the Security OU
    template, roles = _key_readers(spec)
    assert {p: template["Parameters"][p]["Description"] for p in ("AccountIdLogArchive", "AccountIdAudit")} == {
        "AccountIdLogArchive": "The id of account log-archive.",
        "AccountIdAudit": "The id of account audit.",
    }
    rendered = template["Resources"]["RoleKeyReaders"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Sid"] for s in rendered] == ["OnlyFromTheManagementAccount", "SecurityAuditSessions"]
    assert {"Ref": "AccountIdAudit"} in rendered[1]["Principal"]["AWS"][1]["Fn::Join"][1]
    ids = {"log-archive": "111111111111", "audit": "222222222222"}
    accounts = {account_logical_id(name): {"AccountId": i} for name, i in ids.items()}
    assert [r.location.account for r in roles] == ["log-archive", "management"]
    assert audit_sessions(spec).accounts == ("log-archive", "audit") and not audit_sessions(spec).organization
    for role in roles:
        first, audit = _resolved_trust(role, **accounts)["Statement"]
        assert sso_role_pattern(spec, "security-audit") in first["Condition"]["ArnLike"]["aws:PrincipalArn"]
        assert audit["Principal"]["AWS"] == [f"arn:aws:iam::{i}:root" for i in ids.values()]
        assert audit["Condition"] == {"ArnLike": {"aws:PrincipalArn": SESSIONS}}
    assert SESSIONS == "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_security-audit_*"
    template, roles = _key_readers(identity_spec(spec_variants()["default"], assignments=[]))
    assert "Parameters" not in template
    assert [s["Sid"] for s in roles[0].properties["AssumeRolePolicyDocument"]["Statement"]] == [
        "OnlyFromTheManagementAccount"
    ]


def test_too_many_accounts_for_iams_trust_quota_are_named_by_the_organization() -> None:
    base = identity_spec(spec_variants()["default"])
    data = base.model_dump(mode="json", exclude_none=True)
    data["accounts"] += [
        {"name": f"sec-{n:02d}", "ou": "Security", "email": f"sec-{n:02d}@example.com"} for n in range(45)
    ]
    spec = type(base).model_validate(data)
    template, roles = _key_readers(spec)
    assert list(template["Parameters"]) == ["OrganizationId"] and audit_sessions(spec).organization
    (audit,) = _resolved_trust(roles[0], Organization={"Id": "o-abcdefghij"})["Statement"][1:]
    assert audit["Principal"] == {"AWS": "*"}
    assert audit["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"},
        "ArnLike": {"aws:PrincipalArn": SESSIONS},
    }


def test_the_administrator_sets_sessions_may_assume_the_bootstrap_role() -> None:
    spec = identity_spec(spec_variants()["default"])
    trust = _role(spec, BOOTSTRAP, role_address(BOOTSTRAP, "audit")).properties["AssumeRolePolicyDocument"]
    pattern = "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_administrator_*"
    assert pattern in str(trust)
    off = identity_spec(spec_variants()["default"], enabled=False)
    assert pattern not in str(_role(off, BOOTSTRAP, role_address(BOOTSTRAP, "audit")).properties)


def test_an_ou_target_is_every_account_below_it_also_accounts_added_later() -> None:
    spec = identity_spec(spec_variants()["default"])
    admins = [a.group for a in spec.identity.assignments].index("platform-admins")
    assert assignment_accounts(spec, admins) == ["app-prod", "app-dev"]
    data = spec.model_dump(mode="json", exclude_none=True)
    data["accounts"].append({"name": "app-new", "ou": "Workloads/NonProd", "email": "app-new@example.com"})
    grown = type(spec).model_validate(data)
    assert assignment_accounts(grown, admins) == ["app-prod", "app-dev", "app-new"]


def test_the_ownership_mark_round_trips_and_fits_aws_limits() -> None:
    address = "identity/permission-set/read-only"
    text = owned_description("x" * 900, address)
    assert len(text) <= 700 and owner_of(text) == address
    assert owner_of("Someone else's set") is None and owner_of(None) is None
