"""Faults at the calls that create things: answers lost after the create took effect, server errors,
throttling, a kill between a create and its tagging, a resumed saved plan whose journal lost its last
lines. After each, the landing zone converges with exactly one object per address, and no message blames
the user for what the toolkit did itself.

The faults are injected around moto's stubber (`tests/faults.py`), so they hit the toolkit's calls as a
network or AWS would: botocore sees a dropped connection or a 5xx in the service's own error shape.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from faults import Fault, inject

from bootstrap.apply.journal import Journal
from bootstrap.aws.session import Sessions
from bootstrap.changes import Action
from bootstrap.plan.saved import plan_from_json, plan_to_json
from bootstrap.resources import ADDRESS_TAG, MANAGED_TAG
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import plan_live, resume_saved_plan

ARCHIVE_KEY = "logging/key/logs"
LOG_BUCKET = "logging/bucket/logs"


def key_holders(kms: Any) -> Counter[str]:
    """How many keys of one account carry the toolkit's tags for each address."""
    held: Counter[str] = Counter()
    for key in kms.list_keys()["Keys"]:
        tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key["KeyId"])["Tags"]}
        if tags.get(MANAGED_TAG) == "true":
            held[tags[ADDRESS_TAG]] += 1
    return held


def assert_converged_once(spec: LandingZoneSpec, sessions: Sessions, log_outsider: Any) -> None:
    """One key per address in every account that holds keys, one account per e-mail, one SCP per name,
    and an empty plan that nothing blocks."""
    for account in (None, spec.logging.account):
        duplicated = {a: n for a, n in key_holders(log_outsider.client("kms", account)).items() if n > 1}
        assert not duplicated, f"keys made twice in {account or 'management'}: {duplicated}"
    emails = Counter(a["Email"] for a in log_outsider.org.list_accounts()["Accounts"])
    assert max(emails.values()) == 1, emails
    names = Counter(p["Name"] for p in log_outsider.org.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"])
    assert max(names.values()) == 1, names
    live, _ = plan_live(spec, sessions)
    assert not live.plan.blocked, live.plan.blocked
    assert live.plan.empty, [(c.address, c.action.value) for c in live.plan.changes]


@pytest.mark.parametrize(
    "fault",
    [
        Fault("kms:CreateKey", "reset-after"),
        Fault("kms:CreateKey", "500"),
        Fault("kms:CreateKey", "503"),
        Fault("organizations:CreatePolicy", "reset-after"),
        Fault("organizations:CreatePolicy", "500"),
        Fault("organizations:CreateAccount", "reset-after"),
    ],
    ids=lambda f: f"{f.operation}-{f.kind}",
)
def test_a_create_whose_answer_is_lost_is_not_made_twice(
    fault: Fault,
    spec: LandingZoneSpec,
    sessions: Sessions,
    apply: Any,
    log_outsider: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The create took effect and its answer was lost: botocore would send it again (a second key, a second
    account, or "a policy named ... already exists and is not the toolkit's"). The toolkit looks first."""
    inject(monkeypatch, fault)
    apply(spec, sessions)
    assert fault.hits == 1
    assert_converged_once(spec, sessions, log_outsider)


@pytest.mark.parametrize(
    "fault",
    [Fault("kms:CreateKey", "throttle", times=2), Fault("organizations:CreateAccount", "reset-before")],
    ids=lambda f: f"{f.operation}-{f.kind}",
)
def test_a_create_that_never_took_effect_is_still_retried(
    fault: Fault,
    spec: LandingZoneSpec,
    sessions: Sessions,
    apply: Any,
    log_outsider: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Throttling (AWS refused the request) and a connection dropped before the request left are safe to
    resend: the run is not failed for them."""
    inject(monkeypatch, fault)
    result = apply(spec, sessions)
    assert not result.failed
    assert fault.calls > fault.times  # it was sent again after the fault
    assert_converged_once(spec, sessions, log_outsider)


def test_two_keys_holding_one_address_block_the_plan_naming_both(
    applied: LandingZoneSpec, sessions: Sessions, log_outsider: Any
) -> None:
    kms = log_outsider.archive_kms()
    first = log_outsider.key(kms, "logs")["KeyId"]
    tags = kms.list_resource_tags(KeyId=first)["Tags"]
    second = kms.create_key(Tags=tags)["KeyMetadata"]["KeyId"]

    live, _ = plan_live(applied, sessions)

    (note,) = [n for n in live.plan.blocked if first in n.message]
    assert second in note.message
    assert "2 KMS keys" in note.message


def test_a_bucket_cut_off_before_its_tags_is_finished_not_blocked(
    applied: LandingZoneSpec, sessions: Sessions, run_plan: Any, journal: Journal, log_outsider: Any
) -> None:
    """Killed between CreateBucket and PutBucketTagging: the bucket has no tags and none of its settings.
    Alone it is indistinguishable from someone else's bucket (the plan is blocked, never "matches"); with
    the journal showing the toolkit's create of it began and never finished, it is finished."""
    s3 = log_outsider.s3()
    bucket = log_outsider.bucket
    s3.delete_bucket_tagging(Bucket=bucket)
    s3.delete_public_access_block(Bucket=bucket)
    s3.delete_bucket_encryption(Bucket=bucket)
    s3.delete_bucket_policy(Bucket=bucket)  # made after the bucket: not there yet either
    address = LOG_BUCKET

    blind, _ = plan_live(applied, sessions)
    assert any(n.address == address for n in blind.plan.blocked)  # without the journal: not the toolkit's

    journal.begin("killed-run", 40)
    journal.started(address, Action.CREATE.value)
    live, ctx = plan_live(applied, sessions, journal)
    assert not live.plan.blocked
    assert [(c.address, c.action) for c in live.plan.changes] == [
        (address, Action.CREATE),
        ("logging/bucket-policy/logs", Action.CREATE),
    ]
    run_plan(live.plan, ctx)

    assert {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}[MANAGED_TAG] == "true"
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"]
    assert plan_live(applied, sessions)[0].plan.empty


def test_a_resumed_saved_plan_runs_only_what_live_state_still_needs(
    spec: LandingZoneSpec,
    sessions: Sessions,
    run_plan: Any,
    journal: Journal,
    log_outsider: Any,
    tmp_path: Path,
) -> None:
    """The apply of a saved plan made every change, then was killed before journaling half of them. The
    resumed saved plan must not make those again (a second key, "already exists" refusals)."""
    live, ctx = plan_live(spec, sessions)
    saved = plan_from_json(plan_to_json(live.plan), "plan.json")
    run_plan(saved, ctx)
    lines = journal.path.read_text().splitlines()
    done = [i for i, line in enumerate(lines) if '"event": "done"' in line]
    journal.path.write_text("\n".join(lines[: done[len(done) // 2]]) + "\n")  # killed: the rest never written
    assert ARCHIVE_KEY in {c.address for c in saved.changes} - journal.last_run().done  # type: ignore[union-attr]

    fresh, fresh_ctx = plan_live(spec, sessions, journal)
    chosen = resume_saved_plan(saved, fresh, journal)

    assert chosen.plan.changes == ()
    assert chosen.run_id == saved.plan_id
    assert chosen.resumed_from is not None and chosen.resumed_from.plan_id == saved.plan_id
    run_plan(chosen.plan, fresh_ctx)
    assert_converged_once(spec, sessions, log_outsider)
