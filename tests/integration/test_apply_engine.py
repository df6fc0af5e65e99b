"""The apply engine against moto where moto can play AWS, and stubbed responses where it cannot:
accounts AWS refuses to create, interrupted and resumed runs, saved plans, throttling, and account
creations already under way.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber

from bootstrap.apply.journal import Journal
from bootstrap.aws.session import Sessions
from bootstrap.changes import Action, Plan
from bootstrap.errors import ApplyInterrupted, AwsError, StalePlanError
from bootstrap.plan.saved import plan_from_json, plan_to_json
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import check_saved_plan, plan_live

REQUESTED = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def assert_landing_zone_complete(spec: LandingZoneSpec, sessions: Sessions, outsider: Any) -> None:
    """Everything exactly once (no OU, SCP or account made twice by a resumed or retried run), and
    nothing left to do."""
    tree = outsider.ou_tree()
    assert sorted(tree) == sorted(spec.all_ou_paths())
    for path in tree:
        outsider.ou_id(path)  # asserts exactly one OU of that name at each level
    management = outsider.org.describe_organization()["Organization"]["MasterAccountId"]
    members = [a["Name"] for a in outsider.accounts() if a["Id"] != management]
    assert sorted(members) == sorted(a.name for a in spec.accounts)
    live, _ = plan_live(spec, sessions)
    assert live.plan.empty, [(c.address, c.action.value) for c in live.plan.changes]


@pytest.fixture
def with_dev(variant: Any) -> LandingZoneSpec:
    """The default landing zone plus one more account, `dev`: applying the default first leaves
    exactly that account to create."""
    spec: LandingZoneSpec = variant(lambda d: d["accounts"].append({"name": "dev", "ou": "Workloads/NonProd"}))
    return spec


def test_account_aws_refuses_to_create_names_it_and_says_what_to_do(
    spec: LandingZoneSpec,
    with_dev: LandingZoneSpec,
    sessions: Sessions,
    apply: Any,
    run_plan: Any,
    journal: Journal,
    outsider: Any,
) -> None:
    apply(spec, sessions)
    live, ctx = plan_live(with_dev, sessions)
    assert [(c.address, c.action) for c in live.plan.changes] == [
        ("organizations/account/dev", Action.CREATE),
        ("iam/role/bootstrap/dev", Action.CREATE),  # the landing zone's roles, in the new account
        ("iam/role/break-glass/dev", Action.CREATE),
    ]

    with Stubber(sessions.client("organizations")) as stub:
        stub.add_response(
            "create_account",
            {
                "CreateAccountStatus": {
                    "Id": "car-1",
                    "AccountName": "dev",
                    "State": "IN_PROGRESS",
                    "RequestedTimestamp": REQUESTED,
                }
            },
        )
        stub.add_response(
            "describe_create_account_status",
            {
                "CreateAccountStatus": {
                    "Id": "car-1",
                    "AccountName": "dev",
                    "State": "FAILED",
                    "RequestedTimestamp": REQUESTED,
                    "CompletedTimestamp": REQUESTED,
                    "FailureReason": "EMAIL_ALREADY_EXISTS",
                }
            },
            {"CreateAccountRequestId": "car-1"},
        )
        # Before blaming the e-mail, the handler checks the organization holds no account with it (one that a
        # repeated request of its own made): here the address is another organization's.
        stub.add_response("list_accounts", {"Accounts": []}, {})
        with pytest.raises(AwsError) as err:
            run_plan(live.plan, ctx)
        stub.assert_no_pending_responses()

    assert "organizations/account/dev" in err.value.message
    assert "account dev <aws+dev@example.com>" in err.value.message
    assert "EMAIL_ALREADY_EXISTS" in err.value.message
    assert "another e-mail" in err.value.remediation
    assert "accounts[].id" in err.value.remediation
    run = journal.last_run()
    assert run is not None and run.status == "failed" and run.done == set()
    assert "car-1" in journal.path.read_text()  # the request is journaled, so a rerun could await it
    assert "dev" not in {a["Name"] for a in outsider.accounts()}


def test_interrupted_apply_records_what_finished_and_a_fresh_apply_finishes_the_rest(
    spec: LandingZoneSpec, sessions: Sessions, run_plan: Any, interrupting: Any, journal: Journal, outsider: Any
) -> None:
    live, ctx = plan_live(spec, sessions)
    planned = {c.address for c in live.plan.changes}
    ctrl_c = interrupting(5)

    with pytest.raises(ApplyInterrupted, match="interrupted"):
        run_plan(live.plan, ctx, recorder=ctrl_c)

    run = journal.last_run()
    assert run is not None
    assert run.status == "interrupted"
    assert run.plan_id == live.plan.plan_id
    assert run.done == ctrl_c.succeeded
    assert 0 < len(run.done) < len(planned)

    fresh, fresh_ctx = plan_live(spec, sessions)
    assert {c.address for c in fresh.plan.changes} == planned - run.done
    run_plan(fresh.plan, fresh_ctx)

    last = journal.last_run()
    assert last is not None and last.status == "complete"
    assert_landing_zone_complete(spec, sessions, outsider)


def roundtrip(plan: Plan) -> Plan:
    """What `plan --out FILE` then `apply FILE` hands the engine."""
    return plan_from_json(plan_to_json(plan), "plan.json")


def test_saved_plan_is_refused_once_live_state_has_changed(
    spec: LandingZoneSpec, sessions: Sessions, apply: Any, journal: Journal, outsider: Any
) -> None:
    apply(spec, sessions)
    security = outsider.ou_id("Security")
    outsider.org.detach_policy(PolicyId=outsider.policy_id("acme-security-1"), TargetId=security)
    saved = roundtrip(plan_live(spec, sessions)[0].plan)
    assert [c.address for c in saved.changes] == ["organizations/scp/acme-security-1"]

    assert check_saved_plan(saved, plan_live(spec, sessions)[0], journal) == frozenset()

    outsider.org.update_organizational_unit(OrganizationalUnitId=outsider.ou_id("Sandbox"), Name="Playground")
    with pytest.raises(StalePlanError, match="live state has changed"):
        check_saved_plan(saved, plan_live(spec, sessions)[0], journal)


def test_saved_plan_refused_when_the_spec_changed(
    spec: LandingZoneSpec, with_dev: LandingZoneSpec, sessions: Sessions, journal: Journal
) -> None:
    saved = roundtrip(plan_live(spec, sessions)[0].plan)
    with pytest.raises(StalePlanError, match="spec has changed"):
        check_saved_plan(saved, plan_live(with_dev, sessions)[0], journal)


@pytest.mark.parametrize("interruptions", [(5,), (5, 3)], ids=["once", "twice"])
def test_interrupted_saved_plan_resumes_where_it_stopped(
    interruptions: tuple[int, ...],
    spec: LandingZoneSpec,
    sessions: Sessions,
    run_plan: Any,
    interrupting: Any,
    journal: Journal,
    outsider: Any,
) -> None:
    live, ctx = plan_live(spec, sessions)
    saved = roundtrip(live.plan)
    finished: set[str] = set()
    done: frozenset[str] = frozenset()
    for n in interruptions:
        ctrl_c = interrupting(n)
        with pytest.raises(ApplyInterrupted):
            run_plan(saved, ctx, recorder=ctrl_c, already_done=done)
        finished |= ctrl_c.succeeded
        resumed, ctx = plan_live(spec, sessions)
        done = check_saved_plan(saved, resumed, journal)
        assert done == finished  # every change any interrupted run of this plan finished

    run_plan(saved, ctx, already_done=done)

    assert_landing_zone_complete(spec, sessions, outsider)


def test_throttled_ou_creation_is_retried_until_it_succeeds(
    spec: LandingZoneSpec, sessions: Sessions, apply: Any, intercept: Any, sleeps: list[float], outsider: Any
) -> None:
    """AWS answers ConcurrentModificationException while another Organizations change is in flight;
    the first two OU creations get it and must be retried with backoff, not reported as failures."""
    lock = threading.Lock()
    refused: list[str] = []

    def busy_twice(params: dict[str, Any]) -> str | None:
        with lock:
            if len(refused) < 2:
                refused.append(params["Name"])
                return "ConcurrentModificationException"
        return None

    intercept(sessions.client("organizations"), "CreateOrganizationalUnit", busy_twice)

    result = apply(spec, sessions)

    assert len(refused) == 2
    assert not result.failed
    assert len(sleeps) >= 2  # it backed off (without sleeping: the test's sleep returns at once)
    assert_landing_zone_complete(spec, sessions, outsider)


def test_account_creation_under_way_is_awaited_not_repeated(
    spec: LandingZoneSpec,
    with_dev: LandingZoneSpec,
    sessions: Sessions,
    apply: Any,
    run_plan: Any,
    intercept: Any,
    sleeps: list[float],
    outsider: Any,
) -> None:
    """A previous run asked AWS for the dev account and stopped before AWS finished: the next plan
    sees the request in progress, and apply waits for it rather than asking for a second account."""
    apply(spec, sessions)
    sleeps.clear()
    client = sessions.client("organizations")
    request = {"Id": "car-0123456789abcdef", "AccountName": "dev", "RequestedTimestamp": REQUESTED}
    polls: list[str] = []
    created: dict[str, str] = {}

    def in_progress(_: dict[str, Any]) -> dict[str, Any] | None:
        return None if created else {"CreateAccountStatuses": [{**request, "State": "IN_PROGRESS"}]}

    def status(params: dict[str, Any]) -> dict[str, Any] | None:
        if params["CreateAccountRequestId"] != request["Id"]:
            return None  # another account's request: moto answers
        polls.append(params["CreateAccountRequestId"])
        if len(polls) < 3:
            return {"CreateAccountStatus": {**request, "State": "IN_PROGRESS"}}
        if not created:  # AWS finishes the request
            finished = outsider.org.create_account(Email="aws+dev@example.com", AccountName="dev")
            created["id"] = finished["CreateAccountStatus"]["AccountId"]
        return {"CreateAccountStatus": {**request, "State": "SUCCEEDED", "AccountId": created["id"]}}

    intercept(client, "ListCreateAccountStatus", in_progress)
    intercept(client, "DescribeCreateAccountStatus", status)

    live, ctx = plan_live(with_dev, sessions)
    change = live.plan.changes[0]
    assert [c.address for c in live.plan.changes[1:]] == ["iam/role/bootstrap/dev", "iam/role/break-glass/dev"]
    assert (change.address, change.action, change.pending) == (
        "organizations/account/dev",
        Action.CREATE,
        request["Id"],
    )
    assert "under way" in change.reason
    sessions.stats.reset()
    run_plan(live.plan, ctx)

    assert len(polls) == 3 and len(sleeps) == 2  # polled until done, waiting between polls
    assert "organizations:CreateAccount" not in sessions.stats.snapshot()
    assert outsider.parent_of(created["id"]) == outsider.ou_id("Workloads/NonProd")
    assert_landing_zone_complete(with_dev, sessions, outsider)
