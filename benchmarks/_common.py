"""Helpers shared by the benchmarks: build a spec of N accounts, seed the sandbox so it matches, fresh clients.

Imported as `_common` by the scripts next to it (`python benchmarks/<name>.py` puts this folder on sys.path).
"""

from __future__ import annotations

import dataclasses
import os
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bootstrap.apply.journal import Journal
from bootstrap.aws.session import AwsTarget, Sessions
from bootstrap.aws.stats import CallStats
from bootstrap.changes import Change
from bootstrap.sandbox.server import SANDBOX_ACCOUNT_ID, SANDBOX_REGION
from bootstrap.spec.answers import DEFAULT_OUS, AccountAnswer, Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.workflow import apply_changes, plan_live

ACCOUNT_TYPE = "AWS::Organizations::Account"
SEED_MODES = ("engine", "direct")


class QuietReporter:
    """Apply reporter that counts failures and prints nothing: 1000 progress lines would drown the figures."""

    def __init__(self) -> None:
        self.failures: dict[str, str] = {}

    def started(self, change: Change) -> None:
        del change

    def finished(self, change: Change, error: str | None) -> None:
        if error:
            self.failures[change.address] = error


def spec_answers(n: int) -> Answers:
    """The default landing zone plus N accounts `acct-0001`... spread round-robin over the default OUs."""
    accounts = [
        AccountAnswer(name=f"acct-{i:04d}", ou=DEFAULT_OUS[(i - 1) % len(DEFAULT_OUS)]) for i in range(1, n + 1)
    ]
    return Answers(management_account_id=SANDBOX_ACCOUNT_ID, accounts=accounts)


def build_spec(n: int) -> LandingZoneSpec:
    """The spec of `spec_answers(n)`."""
    return parse_spec(render_spec_yaml(spec_answers(n)))


def seed_engine(spec: LandingZoneSpec, sessions: Sessions, journal_dir: Path, *, skip_accounts: bool) -> None:
    """Apply the spec through the toolkit's own plan/apply (optionally leaving out the accounts and
    everything that waits on them, such as each account's roles and baseline)."""
    live, ctx = plan_live(spec, sessions)
    plan = live.plan
    if skip_accounts:
        plan = dataclasses.replace(plan, changes=_without_accounts(plan.changes))
    reporter = QuietReporter()
    result = apply_changes(plan, ctx, Journal(journal_dir / "journal.jsonl"), reporter, allow_destroy=False)
    if result.failed or reporter.failures:
        failed = result.failed or reporter.failures
        sample = "; ".join(f"{a}: {e}" for a, e in list(failed.items())[:5])
        raise SystemExit(f"seeding failed for {len(failed)} change(s): {sample}")


def _without_accounts(changes: tuple[Change, ...]) -> tuple[Change, ...]:
    """The changes that neither create an account nor depend (transitively) on one that does."""
    skipped = {c.address for c in changes if c.type == ACCOUNT_TYPE}
    grew = True
    while grew:
        more = {c.address for c in changes if c.address not in skipped and skipped.intersection(c.depends_on)}
        skipped |= more
        grew = bool(more)
    return tuple(c for c in changes if c.address not in skipped)


def seed_direct(spec: LandingZoneSpec, sessions: Sessions, workers: int = 16) -> None:
    """Create and move the spec's accounts straight through boto3, in parallel, tagging nothing."""
    client = sessions.client("organizations")
    root_id = client.list_roots()["Roots"][0]["Id"]
    ou_ids = _ou_ids(client, root_id)

    def create(name: str, email: str, ou: str) -> None:
        status = client.create_account(AccountName=name, Email=email)["CreateAccountStatus"]
        while status["State"] == "IN_PROGRESS":
            time.sleep(0.2)
            status = client.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
        if status["State"] != "SUCCEEDED":
            raise SystemExit(f"creating {name} failed: {status.get('FailureReason')}")
        client.move_account(AccountId=status["AccountId"], SourceParentId=root_id, DestinationParentId=ou_ids[ou])

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(create, a.name, spec.account_email(a), a.ou) for a in spec.accounts]
        for future in futures:
            future.result()


def seed(spec: LandingZoneSpec, mode: str, journal_dir: Path) -> float:
    """Make live state match the spec (`engine`: the toolkit's apply; `direct`: the engine without the
    accounts, the accounts through boto3, then the engine again for what lives in each account).
    Returns the seconds it took."""
    sessions, _ = fresh_sessions()
    if mode == "engine":
        return timed(lambda: seed_engine(spec, sessions, journal_dir, skip_accounts=False))

    def both() -> None:
        seed_engine(spec, sessions, journal_dir, skip_accounts=True)
        seed_direct(spec, sessions)
        seed_engine(spec, sessions, journal_dir, skip_accounts=False)

    return timed(both)


def _ou_ids(client: Any, root_id: str) -> dict[str, str]:
    """OU path -> id, walking the tree from the root."""
    ids: dict[str, str] = {}
    queue = [(root_id, "")]
    while queue:
        parent_id, parent_path = queue.pop(0)
        for page in client.get_paginator("list_organizational_units_for_parent").paginate(ParentId=parent_id):
            for ou in page["OrganizationalUnits"]:
                path = f"{parent_path}/{ou['Name']}" if parent_path else ou["Name"]
                ids[path] = ou["Id"]
                queue.append((ou["Id"], path))
    return ids


def timed(action: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def fresh_sessions(**target: Any) -> tuple[Sessions, CallStats]:
    """New clients and a new counter, so nothing the seeding warmed up (or counted) leaks into a figure.
    `target`: `AwsTarget` fields (default: 3 attempts, the toolkit's parallelism and retry mode)."""
    stats = CallStats()
    settings: dict[str, Any] = {"max_attempts": 3, **target}
    return Sessions(AwsTarget(**settings), default_region=SANDBOX_REGION, stats=stats), stats


def isolate_environment(*, iam_managed_policies: bool) -> None:
    """Forget the caller's AWS profile and endpoint; keep moto from loading managed policies per account
    (over a second of CPU and ~30 MB per account created) unless asked to."""
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(key, None)
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true" if iam_managed_policies else "false"
