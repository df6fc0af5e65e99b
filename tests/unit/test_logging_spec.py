"""The `logging` section of the spec and what is derived from it without AWS: validation and warnings,
the desired state of the log archive and trail blueprints, the log-bucket guardrail, the runbook."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from blueprints.binding import MEMBER_ACCESS_ROLE
from blueprints.cis import FILTERS
from blueprints.keys import ADMIN_ACTIONS, CRYPTO_ACTIONS
from bootstrap.desired import build_blueprints, desired_state
from bootstrap.errors import SpecError
from bootstrap.guardrails.library import load_library
from bootstrap.guardrails.packing import pack_all
from bootstrap.plan.refs import Registry
from bootstrap.render.runbooks import render_runbooks
from bootstrap.render.steps import manual_steps
from bootstrap.spec.answers import AccountAnswer, Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.log_archive import log_bucket_name, logging_enabled, management_trail_warning, warnings
from bootstrap.spec.model import LandingZoneSpec

MANAGEMENT_ID = "123456789012"
DEFAULT_YAML = render_spec_yaml(Answers(management_account_id=MANAGEMENT_ID, identity=False))


def data() -> dict[str, Any]:
    loaded = yaml.safe_load(DEFAULT_YAML)
    assert isinstance(loaded, dict)
    return loaded


def spec_with(**logging: Any) -> LandingZoneSpec:
    d = data()
    d["logging"].update(logging)
    return parse_spec(yaml.safe_dump(d, sort_keys=False))


def test_default_spec_has_the_layer_and_is_quiet_but_for_nothing() -> None:
    spec = parse_spec(DEFAULT_YAML)
    assert logging_enabled(spec)
    assert spec.logging.object_lock.mode == "GOVERNANCE" and spec.logging.object_lock.days == 365
    assert spec.logging.alarm_emails == ["aws+security-alarms@example.com"]
    assert spec.logging.trail_account == "management", "--defaults and the demo target the sandbox"
    assert warnings(spec) == [management_trail_warning(spec)], "only what the management trail gives up"
    assert log_bucket_name(spec) == "acme-logs-123456789012-us-east-1"


def test_a_spec_without_logging_section_still_validates() -> None:
    d = data()
    del d["logging"]
    spec = parse_spec(yaml.safe_dump(d))
    assert logging_enabled(spec), "the defaults apply: log-archive is declared"


def test_compliance_mode_is_allowed_with_a_clear_warning() -> None:
    spec = spec_with(object_lock={"enabled": True, "mode": "COMPLIANCE", "days": 30}, trail_account="audit")
    (warning,) = warnings(spec)
    assert "COMPLIANCE" in warning and "cannot be undone" in warning and "30 days" in warning


@pytest.mark.parametrize(
    ("logging", "field", "says"),
    [
        ({"log_group_retention_days": 42}, "logging.log_group_retention_days", "retention CloudWatch Logs accepts"),
        ({"object_lock": {"mode": "LEGAL"}}, "logging.object_lock.mode", "GOVERNANCE"),
        ({"object_lock": {"days": 0}}, "logging.object_lock.days", "must be at least 1"),
        ({"account": "logs"}, "logging.account", "not in accounts"),
        ({"trail_account": "security"}, "logging.trail_account", "neither 'management' nor in accounts"),
        ({"alarm_emails": ["not-an-address"]}, "logging.alarm_emails[0]", "exactly one '@'"),
        ({"bucket_name": "Bad_Name"}, "logging.bucket_name", "not an S3 bucket name"),
        ({"access_log_bucket_name": "acme-logs-123456789012-us-east-1"}, "logging.access_log_bucket_name", "differ"),
        ({"key_readers_role": "no spaces"}, "logging.key_readers_role", "not an IAM role name"),
        ({"retention": 1}, "logging.retention", "unknown field"),
    ],
)
def test_bad_logging_settings_are_refused_naming_the_field(logging: dict[str, Any], field: str, says: str) -> None:
    with pytest.raises(SpecError) as raised:
        spec_with(**logging)
    assert f": {field}: " in raised.value.message and says in raised.value.message
    assert raised.value.remediation


def test_derived_bucket_names_too_long_for_s3_are_refused() -> None:
    d = data()
    d["organization"]["name"] = "a-very-long-organization-name-for-a-landing-zone"
    with pytest.raises(SpecError) as raised:
        parse_spec(yaml.safe_dump(d))
    assert "logging.bucket_name" in raised.value.message and "S3 bucket names are 3-63" in raised.value.message


def test_without_the_log_archive_account_there_is_no_layer_and_a_warning() -> None:
    text = render_spec_yaml(
        Answers(
            management_account_id=MANAGEMENT_ID, accounts=[AccountAnswer(name="audit", ou="Security")], identity=False
        )
    )
    assert "logging:" not in text
    spec = parse_spec(text)
    assert not logging_enabled(spec)
    assert [bp.name for bp in build_blueprints(spec)] == [
        "organization",
        "accounts",
        "landing-zone-roles",
        "account-baseline",
        "network-baseline",
        "billing",
    ]
    assert "no log archive" in warnings(spec)[0]
    assert "mfa-delete" not in {s.id for s in manual_steps(spec)}
    assert "has no log archive" in render_runbooks(spec)["mfa-delete.md"]


def test_resources_in_the_log_archive_wait_for_its_account_and_data_is_protected() -> None:
    desired = desired_state(parse_spec(DEFAULT_YAML))
    archive = [r for r in desired.resources if r.location.account == "log-archive"]
    assert archive and all("AccountLogArchive" in r.depends_on for r in archive)
    protected = {r.address for r in desired.resources if r.protected and r.address.startswith("logging/")}
    assert protected >= {
        "logging/key/logs",
        "logging/key/monitoring",
        "logging/bucket/logs",
        "logging/bucket/access-logs",
        "logging/trail",
        "logging/log-group",
    }
    trail = desired.by_address["logging/trail"]
    assert {"LogBucketPolicy", "CloudTrailTrustedAccess"} <= set(trail.depends_on)
    assert trail.properties["KMSKeyId"] == {"Fn::GetAtt": ["LogsKey", "Arn"]}, "bound to the key in the archive"


def test_templates_stand_alone_and_the_engine_sees_live_references() -> None:
    """The template names other accounts' values through Parameters; the engine through Fn::GetAtt."""
    blueprints = {bp.name: bp for bp in build_blueprints(parse_spec(DEFAULT_YAML))}
    template = json.loads(blueprints["log-archive"].template.to_json())
    assert set(template["Parameters"]) == {"OrganizationId"}
    policy = next(r for r in blueprints["log-archive"].resources if r.logical_id == "LogBucketPolicy")
    rendered = json.dumps(policy.properties)
    assert '"Ref": "OrganizationId"' not in rendered and '"Organization", "Id"' in rendered
    assert '"Ref": "OrganizationId"' in json.dumps(template["Resources"]["LogBucketPolicy"])


def test_cis_patterns_are_the_published_ones_but_4_1() -> None:
    by_control = {f.control: f.pattern for f in FILTERS}
    assert sorted(by_control, key=lambda c: int(c.split(".")[1])) == [f"4.{n}" for n in range(1, 16)]
    assert by_control["4.1"] == '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }'
    assert "HeadBucket" not in by_control["4.1"], "the published ||-joined negations would match every event"
    assert by_control["4.3"] == (
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'
    )


def test_cis_alarms_can_be_switched_off() -> None:
    desired = desired_state(spec_with(cis_alarms=False))
    types = {r.type for r in desired.resources if r.address.startswith("logging/")}
    assert "AWS::CloudWatch::Alarm" not in types and "AWS::Logs::MetricFilter" not in types
    assert "AWS::CloudTrail::Trail" in types


def test_log_bucket_guardrail_names_the_buckets_and_the_default_spec_still_packs() -> None:
    spec = parse_spec(DEFAULT_YAML)
    library = load_library()
    assert {"protect-log-archive", "protect-kms-keys"} <= set(library)
    policies = pack_all(spec)
    assert all(p.size <= spec.organization.policy_limits.scp_max_chars for p in policies)
    security = [p for p in policies if p.ou_path == "Security"]
    assert len(security) <= spec.organization.policy_limits.scps_per_target - 1
    statement = next(s for p in security for s in p.document["Statement"] if s["Sid"] == "DenyLogBucketTampering")
    assert statement["Resource"] == [
        "arn:aws:s3:::acme-logs-123456789012-us-east-1",
        "arn:aws:s3:::acme-access-logs-123456789012-us-east-1",
    ]
    assert {
        "s3:PutBucketPolicy",
        "s3:PutBucketVersioning",
        "s3:PutBucketObjectLockConfiguration",
        "s3:PutEncryptionConfiguration",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutBucketLogging",
        "s3:PutBucketOwnershipControls",
        "s3:PutBucketAcl",
    } <= set(statement["Action"])
    keys = next(s for p in policies for s in p.document["Statement"] if s["Sid"] == "DenyManagedKmsKeyTampering")
    assert keys["Condition"]["StringEquals"] == {"aws:ResourceTag/bootstrap:managed": "true"}
    assert {"kms:DisableKey", "kms:ScheduleKeyDeletion"} <= set(keys["Action"])
    trail_guard = library["protect-security-services"].statements[0]["Action"]
    assert {"cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail"} <= set(trail_guard)


@pytest.mark.parametrize("trail_account", ["management", "audit"])
def test_every_key_is_administered_by_key_admins_bootstrap_and_break_glass_in_its_own_account(
    trail_account: str,
) -> None:
    """Nobody is locked out of a key (the break-glass role is an administrator), the toolkit keeps managing
    it as the role it enters every account as (the bootstrap role, not OrganizationAccountAccessRole), and
    administrators still cannot use it."""
    spec = spec_with(trail_account=trail_account)
    desired = desired_state(spec)
    keys = [k for k in desired.of_type("AWS::KMS::Key") if k.address.startswith("logging/")]
    assert {k.location.account for k in keys} == {"log-archive", trail_account}
    ids = {"log-archive": "111122223333", "audit": "444455556666", "management": MANAGEMENT_ID}
    for key in keys:
        registry = Registry()
        registry.set("AccountLogArchive", "111122223333", {"AccountId": "111122223333"})
        registry.set("AccountAudit", "444455556666", {"AccountId": "444455556666"})
        statement = registry.resolve(key.properties["KeyPolicy"]["Statement"][0])
        assert statement["Sid"] == "KeyAdministration"
        account = ids[key.location.account]
        assert statement["Condition"]["ArnLike"]["aws:PrincipalArn"] == [
            f"arn:aws:iam::{account}:role/LandingZoneKeyAdmin",
            f"arn:aws:iam::{account}:role/LandingZoneBootstrap",
            f"arn:aws:iam::{account}:role/LandingZoneBreakGlass",
        ], key.address
        assert MEMBER_ACCESS_ROLE not in json.dumps(key.properties["KeyPolicy"])
        assert statement["Action"] == ADMIN_ACTIONS
        assert not set(ADMIN_ACTIONS) & set(CRYPTO_ACTIONS)
        assert not any(a.startswith(("kms:GenerateDataKey", "kms:ReEncrypt", "kms:CreateGrant")) for a in ADMIN_ACTIONS)


def _resolved(spec: LandingZoneSpec, address: str, prop: str) -> Any:
    registry = Registry()
    registry.set("Organization", "o-abcdefghij", {"Id": "o-abcdefghij"})
    registry.set("AccountLogArchive", "111122223333", {"AccountId": "111122223333"})
    registry.set("AccountAudit", "444455556666", {"AccountId": "444455556666"})
    return registry.resolve(desired_state(spec).by_address[address].properties[prop])


@pytest.mark.parametrize("trail_account", ["management", "audit"])
def test_the_trail_is_named_by_the_management_account_arn_even_when_delegated(trail_account: str) -> None:
    """An organization trail is owned by the management account even when a delegated administrator
    creates it (CloudTrail user guide, "Organization delegated administrator"): every condition naming
    the trail must carry the management account's id, or CloudTrail is refused on real AWS."""
    spec = spec_with(trail_account=trail_account)
    trail = f"arn:aws:cloudtrail:us-east-1:{MANAGEMENT_ID}:trail/acme-organization-trail"
    bucket = {s["Sid"]: s for s in _resolved(spec, "logging/bucket-policy/logs", "PolicyDocument")["Statement"]}
    assert bucket["AllowCloudTrailAclCheck"]["Condition"]["StringEquals"] == {"aws:SourceArn": trail}
    write = bucket["AllowCloudTrailWriteForThisOrganization"]
    assert write["Condition"]["StringEquals"]["aws:SourceArn"] == trail
    assert sorted(write["Resource"]) == [
        f"arn:aws:s3:::acme-logs-{MANAGEMENT_ID}-us-east-1/AWSLogs/{MANAGEMENT_ID}/*",
        f"arn:aws:s3:::acme-logs-{MANAGEMENT_ID}-us-east-1/AWSLogs/o-abcdefghij/*",
    ], "the trail's owner and the organization's accounts; never the delegated account's own prefix"
    key = {s["Sid"]: s for s in _resolved(spec, "logging/key/logs", "KeyPolicy")["Statement"]}
    assert key["AllowCloudTrailToEncryptForThisTrail"]["Condition"] == {"StringEquals": {"aws:SourceArn": trail}}
    (trust,) = _resolved(spec, "logging/role/cloudtrail-to-cloudwatch", "AssumeRolePolicyDocument")["Statement"]
    assert trust["Condition"] == {"StringEquals": {"aws:SourceArn": trail}}
    assert "444455556666" not in json.dumps(bucket) + json.dumps(key) + json.dumps(trust)


def test_mfa_delete_runbook_has_the_real_command_in_the_right_order() -> None:
    spec = parse_spec(DEFAULT_YAML)
    ids = [s.id for s in manual_steps(spec)]
    assert ids.index("mfa-delete") > ids.index("root-mfa") and ids.index("mfa-delete") > ids.index("root-access-keys")
    text = render_runbooks(spec)["mfa-delete.md"]
    assert (
        "aws s3api put-bucket-versioning --bucket acme-logs-123456789012-us-east-1 "
        '--versioning-configuration Status=Enabled,MFADelete=Enabled --mfa "SERIAL CODE"'
    ) in text
    assert '<a id="mfa-delete"></a>' in text
    assert "lifecycle" in text.lower() and "deny-root-user" in text and "move-account" in text


def test_a_log_archive_outside_the_guarded_ous_is_warned_about() -> None:
    d = data()
    d["accounts"][0]["ou"] = "Infrastructure"  # protect-log-archive is recommended for Security only
    spec = parse_spec(yaml.safe_dump(d))
    assert any("protect-log-archive" in w for w in warnings(spec))


def test_a_delegated_trail_account_owns_the_trail_and_is_registered_first() -> None:
    spec = spec_with(trail_account="audit")
    desired = desired_state(spec)
    trail = desired.by_address["logging/trail"]
    assert trail.location.account == "audit"
    assert {"AccountAudit", "CloudTrailDelegatedAdmin", "LogBucketPolicy"} <= set(trail.depends_on)
    admin = desired.by_address["organizations/delegated-admin/cloudtrail.amazonaws.com"]
    assert admin.properties["AccountId"] == {"Fn::GetAtt": ["AccountAudit", "AccountId"]}
    key = desired.by_address["logging/key/monitoring"]
    assert key.location.account == "audit"
    admins = key.properties["KeyPolicy"]["Statement"][0]["Condition"]["ArnLike"]["aws:PrincipalArn"]
    assert json.dumps(admins).count("role/LandingZoneBootstrap") == 1, "the toolkit's role in a member account"
    write = desired.by_address["logging/bucket-policy/logs"].properties["PolicyDocument"]["Statement"][3]
    assert "arn:aws:s3:::acme-logs-123456789012-us-east-1/AWSLogs/123456789012/*" in write["Resource"]
