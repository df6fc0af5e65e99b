"""Integration fixtures: the Organizations layer against in-process moto, and an outsider to tamper with it.

Every test gets its own `mock_aws()` (so tests never share state), dummy credentials with any endpoint
override or profile removed (so nothing can reach a real AWS account), the toolkit's `Sessions`, and an
`apply` helper that plans live state and applies it with a journal, a recording reporter and a sleep
that never waits. `outsider` is plain boto3, outside the toolkit's sessions: changes made through it are
not counted in `sessions.stats`, as a colleague's console clicks would not be.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from iam_actions import iam_action
from moto import mock_aws
from variants import without_billing, without_network

from bootstrap.apply.context import ApplyContext
from bootstrap.apply.engine import ApplyResult
from bootstrap.apply.journal import Journal
from bootstrap.aws.session import AwsTarget, Sessions
from bootstrap.aws.stats import CallStats
from bootstrap.changes import Change, Plan
from bootstrap.render.permissions import LOCK_ACTIONS, STATUS_ACTIONS
from bootstrap.spec.answers import Answers, render_spec_yaml
from bootstrap.spec.load import parse_spec
from bootstrap.spec.model import LandingZoneSpec
from bootstrap.types.registry import TYPES
from bootstrap.workflow import apply_changes, plan_live

MOTO_ACCOUNT = "123456789012"
"""moto's default account: the caller, hence the management account of every test organization."""


@functools.cache
def _default_spec_yaml() -> str:
    """What `bootstrap init --defaults` writes for moto's account, cut down to the Organizations layer.

    Layers built on top of the organization (the `logging:`, `baseline:`, `network:` and `identity:` sections) are
    switched off: they have tests of their own, and these tests assert exactly what the Organizations layer plans.
    """
    data = yaml.safe_load(render_spec_yaml(Answers(management_account_id=MOTO_ACCOUNT)))
    for layer in ("logging", "baseline", "identity"):
        if isinstance(data.get(layer), dict):
            data[layer]["enabled"] = False
    data["network"] = without_network(data.get("network"))
    data["billing"] = without_billing(data.get("billing"))
    return yaml.safe_dump(data, sort_keys=False)


DECLARED = frozenset(
    {
        "sts:AssumeRole",
        *STATUS_ACTIONS,
        *LOCK_ACTIONS,
        *(a for t in TYPES.values() for a in (*t.read_actions, *t.write_actions)),
    }
)
"""Every IAM action some type (or `bootstrap status`, the apply lock, or entering an account) declares it needs."""


@pytest.fixture(autouse=True)
def _every_call_is_declared(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every AWS call the toolkit makes in an integration test (through its sessions, whose `CallStats` sees
    each one) needs an IAM action some resource type declares: `bootstrap permissions` grants exactly those."""
    calls: set[str] = set()
    counted = CallStats.on_call

    def on_call(self: CallStats, model: Any = None, **kwargs: Any) -> None:
        if model is not None:
            calls.add(f"{model.service_model.service_name}:{model.name}")
        counted(self, model=model, **kwargs)

    monkeypatch.setattr(CallStats, "on_call", on_call)
    yield
    undeclared = sorted(c for c in calls if (action := iam_action(c)) is not None and action not in DECLARED)
    assert not undeclared, f"calls no resource type declares (bootstrap permissions would not grant): {undeclared}"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials, and nothing that could point a client at a real endpoint or profile."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ORGANIZATIONS", "AWS_ENDPOINT_URL_STS", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")


_MOTO = threading.Lock()


@pytest.fixture
def aws(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In-process moto, answering one request at a time. The toolkit reads with many threads at once, and
    moto's in-process backends are not thread-safe (a backend's dict changing size while another request
    iterates it, seen in IAM): serialising moto's own work keeps the toolkit's concurrency and makes the
    suite deterministic. Real AWS and the sandbox's HTTP server are unaffected."""
    from moto.core.botocore_stubber import BotocoreStubber

    process = BotocoreStubber.process_request

    def one_at_a_time(self: BotocoreStubber, request: Any) -> Any:
        with _MOTO:
            return process(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", one_at_a_time)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # as the sandbox does: 0.3 s per account-region
    with mock_aws():
        yield


@pytest.fixture
def sessions(aws: None) -> Sessions:
    return Sessions(AwsTarget(max_attempts=2), default_region="us-east-1")


@pytest.fixture
def sandbox_sessions(aws: None, monkeypatch: pytest.MonkeyPatch) -> Sessions:
    """Sessions that treat in-process moto as the sandbox it is (`AwsTarget.simulated`), for the tests of layers
    that call APIs moto lacks: their readers say so instead of calling them (moto answers HTTP 500, retried)."""
    monkeypatch.setattr(AwsTarget, "simulated", property(lambda self: True))
    return Sessions(AwsTarget(max_attempts=2), default_region="us-east-1")


@pytest.fixture
def spec() -> LandingZoneSpec:
    """The default landing zone: nested OUs (Workloads/Prod, Workloads/NonProd), an SCP per guarded
    top-level OU, and the log-archive and audit accounts in Security."""
    return parse_spec(_default_spec_yaml())


@pytest.fixture
def variant(spec: LandingZoneSpec) -> Callable[[Callable[[dict[str, Any]], None]], LandingZoneSpec]:
    """Derive a spec from the default one: `edit` changes its plain-data form, which is then fully
    validated again (as if the user had edited landing-zone.yaml)."""

    def _variant(edit: Callable[[dict[str, Any]], None]) -> LandingZoneSpec:
        data = spec.model_dump(mode="json", exclude_none=True)
        edit(data)
        return parse_spec(yaml.safe_dump(data, sort_keys=False))

    return _variant


@dataclass
class RecordingReporter:
    """Records what the engine reports; raises KeyboardInterrupt from the `interrupt_at`-th start."""

    interrupt_at: int | None = None
    begun: list[str] = field(default_factory=list)
    outcomes: dict[str, str | None] = field(default_factory=dict)

    def started(self, change: Change) -> None:
        self.begun.append(change.address)
        if self.interrupt_at is not None and len(self.begun) == self.interrupt_at:
            raise KeyboardInterrupt

    def finished(self, change: Change, error: str | None) -> None:
        self.outcomes[change.address] = error

    @property
    def succeeded(self) -> set[str]:
        return {a for a, e in self.outcomes.items() if e is None}


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "journal.jsonl")


@pytest.fixture
def reporter() -> RecordingReporter:
    return RecordingReporter()


@pytest.fixture
def interrupting() -> Callable[[int], RecordingReporter]:
    """`interrupting(n)`: a recording reporter that presses Ctrl-C as the n-th change starts."""
    return lambda n: RecordingReporter(interrupt_at=n)


@pytest.fixture
def sleeps() -> list[float]:
    """Every wait the engine asked for; nothing actually sleeps."""
    return []


RunPlan = Callable[..., ApplyResult]


@pytest.fixture
def run_plan(journal: Journal, reporter: RecordingReporter, sleeps: list[float]) -> RunPlan:
    """Apply an already-made plan with the test journal, a recording reporter and a no-op sleep."""

    def _run(
        plan: Plan,
        ctx: ApplyContext,
        *,
        allow_destroy: bool = False,
        recorder: RecordingReporter | None = None,
        already_done: frozenset[str] = frozenset(),
    ) -> ApplyResult:
        ctx.sleep = sleeps.append  # records the delay, returns at once
        return apply_changes(
            plan,
            ctx,
            journal,
            recorder or reporter,
            allow_destroy=allow_destroy,
            already_done=already_done,
        )

    return _run


Apply = Callable[..., ApplyResult]


@pytest.fixture
def apply(run_plan: RunPlan) -> Apply:
    """`apply(spec, sessions, allow_destroy=False)`: plan live state, then apply that plan."""

    def _apply(spec: LandingZoneSpec, sessions: Sessions, allow_destroy: bool = False) -> ApplyResult:
        live, ctx = plan_live(spec, sessions)
        return run_plan(live.plan, ctx, allow_destroy=allow_destroy)

    return _apply


class Outsider:
    """Someone else's view of the organization: plain boto3 calls, no toolkit code."""

    def __init__(self) -> None:
        self.org = boto3.client("organizations", region_name="us-east-1")

    def root_id(self) -> str:
        return str(self.org.list_roots()["Roots"][0]["Id"])

    def root(self) -> dict[str, Any]:
        return dict(self.org.list_roots()["Roots"][0])

    def child_ous(self, parent_id: str) -> list[dict[str, Any]]:
        pages = self.org.get_paginator("list_organizational_units_for_parent").paginate(ParentId=parent_id)
        return [ou for page in pages for ou in page["OrganizationalUnits"]]

    def ou_id(self, path: str) -> str:
        """The id of the OU at `path`; fails if there is not exactly one OU of that name at each level."""
        parent = self.root_id()
        for name in path.split("/"):
            matches = [ou["Id"] for ou in self.child_ous(parent) if ou["Name"] == name]
            assert len(matches) == 1, f"expected one OU {name!r} under {parent}, found {len(matches)}"
            parent = matches[0]
        return parent

    def ou_tree(self) -> dict[str, str]:
        """Every OU by path -> id."""
        tree: dict[str, str] = {}
        queue = [(self.root_id(), "")]
        while queue:
            parent_id, prefix = queue.pop(0)
            for ou in self.child_ous(parent_id):
                path = f"{prefix}/{ou['Name']}" if prefix else ou["Name"]
                tree[path] = ou["Id"]
                queue.append((ou["Id"], path))
        return tree

    def policies(self) -> dict[str, dict[str, Any]]:
        """Customer-managed policies by name: SCPs, RCPs and AI services opt-out policies."""
        found: dict[str, dict[str, Any]] = {}
        for policy_type in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY", "AISERVICES_OPT_OUT_POLICY"):
            pages = self.org.get_paginator("list_policies").paginate(Filter=policy_type)
            found.update({p["Name"]: p for page in pages for p in page["Policies"] if not p.get("AwsManaged")})
        return found

    def attached(self, target_id: str, policy_type: str) -> list[str]:
        """Names of the policies of one type attached directly to a root, OU or account."""
        pages = self.org.get_paginator("list_policies_for_target").paginate(TargetId=target_id, Filter=policy_type)
        return sorted(p["Name"] for page in pages for p in page["Policies"])

    def policy_id(self, name: str) -> str:
        return str(self.policies()[name]["Id"])

    def policy_content(self, name: str) -> str:
        return str(self.org.describe_policy(PolicyId=self.policy_id(name))["Policy"]["Content"])

    def policy_document(self, name: str) -> Any:
        return json.loads(self.policy_content(name))

    def policy_targets(self, name: str) -> list[str]:
        targets = self.org.list_targets_for_policy(PolicyId=self.policy_id(name))["Targets"]
        return sorted(t["TargetId"] for t in targets)

    def tags(self, resource_id: str) -> dict[str, str]:
        return {t["Key"]: t["Value"] for t in self.org.list_tags_for_resource(ResourceId=resource_id)["Tags"]}

    def accounts(self) -> list[dict[str, Any]]:
        pages = self.org.get_paginator("list_accounts").paginate()
        return [a for page in pages for a in page["Accounts"]]

    def account_id(self, name: str) -> str:
        matches = [a["Id"] for a in self.accounts() if a["Name"] == name]
        assert len(matches) == 1, f"expected one account named {name!r}, found {len(matches)}"
        return str(matches[0])

    def parent_of(self, child_id: str) -> str:
        return str(self.org.list_parents(ChildId=child_id)["Parents"][0]["Id"])

    def move_account(self, account_id: str, destination: str) -> None:
        self.org.move_account(
            AccountId=account_id, SourceParentId=self.parent_of(account_id), DestinationParentId=destination
        )


@pytest.fixture
def outsider(aws: None) -> Outsider:
    return Outsider()


Respond = Callable[[dict[str, Any]], "dict[str, Any] | str | None"]


class _Http:
    """The little of an HTTP response botocore reads when a `before-call` handler answers for AWS."""

    def __init__(self, status_code: int) -> None:
        self.status_code = status_code
        self.headers: dict[str, str] = {}
        self.content = b""


@pytest.fixture
def intercept() -> Callable[[Any, str, Respond], None]:
    """`intercept(client, "CreateOrganizationalUnit", respond)`: before each call of that operation on
    that client, `respond(params)` (the call's parameters) may answer in AWS's place, with a parsed response
    (a dict) or an error code (a str), or return None to let the call through to moto. Errors take
    botocore's real error path, so the toolkit sees the same `ClientError` subclass AWS would raise.
    JSON-protocol services only (Organizations is one)."""

    def _intercept(client: Any, operation: str, respond: Respond) -> None:
        service_id = client.meta.service_model.service_id.hyphenize()

        def handler(params: dict[str, Any], **_: Any) -> tuple[_Http, dict[str, Any]] | None:
            body = params.get("body") or b"{}"
            answer = respond(json.loads(body))
            if answer is None:
                return None
            if isinstance(answer, str):
                error = {"Error": {"Code": answer, "Message": f"{answer} (injected by the test)"}}
                return _Http(400), {"ResponseMetadata": {"HTTPStatusCode": 400}, **error}
            return _Http(200), {"ResponseMetadata": {"HTTPStatusCode": 200}, **answer}

        client.meta.events.register(f"before-call.{service_id}.{operation}", handler)

    return _intercept
