"""One session factory: the caller's session, cached clients, assume-role into member accounts.

Every client shares one botocore config (retry mode, connection pool) and one `CallStats`. Member
accounts get their own botocore session, whose credentials are the assumed role's, refreshed through
botocore's credential provider chain before they expire; all sessions share one loader, so the
service models are parsed once per run rather than once per account, and member sessions share one set of
event handlers (botocore's and the toolkit's) registered once. Clients reuse one class per service
(`bootstrap.aws.client_classes`): a client per service, account and region then costs about 1.5 ms of CPU
(EC2 included) instead of 3-7 ms. Roles are assumed outside the shared lock, so that many accounts are entered
at once; clients are created one at a time per session (botocore sessions are not thread-safe; clients are),
under a lock of the account's, not the shared one. When an endpoint override is in use (the sandbox, or
`--endpoint-url`), the s3control account-id host prefix is stripped because `<account>.127.0.0.1` does not
resolve.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit
from urllib.request import getproxies

import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialProvider, CredentialResolver, RefreshableCredentials
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
)
from botocore.hooks import HierarchicalEmitter

from bootstrap.aws import client_classes
from bootstrap.aws.not_aws import ResponseParserError, check_answer, not_aws_error
from bootstrap.aws.retry import error_code
from bootstrap.aws.stats import CallStats
from bootstrap.aws.waiter import wait_for
from bootstrap.errors import AwsError, InputError, SafetyError

MEMBER_ROLE = "OrganizationAccountAccessRole"
SIMULATED_ENV = "BOOTSTRAP_SANDBOX"
"""Set (to 1) by the sandbox in the environment it gives out: the endpoint is a local simulation."""
DEFAULT_PARALLELISM = 32
"""Calls in flight at once: enough to hide real AWS latency (20-150 ms) behind one another, and few
enough that per-account, per-region throttling is rarely reached."""
RetryMode = Literal["standard", "adaptive"]
RETRY_MODE: RetryMode = "standard"
"""botocore's retry mode. Measured with benchmarks/latency.py under random throttling (README): adaptive
mode slows every thread sharing a client after one throttle, which multiplied a plan's wall time."""
CALLER_ATTEMPTS = 5
"""Attempts at the first call (who is the caller): enough to ride out a flaky network, while an
unreachable endpoint (refused at once) still fails within seconds."""
_ACCOUNT_HOST = re.compile(r"^\d{12}\.(.+)$")


@dataclass(frozen=True)
class AwsTarget:
    """Where to send calls: AWS CLI habits (`--profile`, `--region`, `--endpoint-url`, `AWS_ENDPOINT_URL`),
    and how hard to push (`--parallelism`: calls in flight at once, also each client's connection pool)."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    max_attempts: int = 8
    parallelism: int = DEFAULT_PARALLELISM
    retry_mode: RetryMode = RETRY_MODE

    def __post_init__(self) -> None:
        if self.parallelism < 1:
            raise InputError(
                f"parallelism must be at least 1, not {self.parallelism}",
                f"Pass --parallelism N (or BOOTSTRAP_PARALLELISM) with N >= 1; the default is {DEFAULT_PARALLELISM}.",
            )

    @property
    def endpoint(self) -> str | None:
        return self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None

    @property
    def endpoint_source(self) -> str | None:
        """Where the endpoint override comes from, as the user set it (None: AWS's own endpoints)."""
        if self.endpoint_url:
            return "--endpoint-url"
        return "AWS_ENDPOINT_URL" if self.endpoint else None

    @property
    def simulated(self) -> bool:
        """The endpoint is the sandbox (a capability flag it sets, never guessed from a host name): steps AWS
        would show but the simulation cannot are reported as unavailable there, never as done."""
        return os.environ.get(SIMULATED_ENV) == "1" and self.endpoint is not None


class _AssumedRole(CredentialProvider):  # type: ignore[misc,unused-ignore]  # typed only with botocore-stubs
    """The credential provider of a member account's session: the role it entered as, refreshable."""

    METHOD = "sts-assume-role"
    CANONICAL_NAME = "bootstrap-assume-role"

    def __init__(self, credentials: RefreshableCredentials) -> None:
        super().__init__()
        self._role_credentials = credentials

    def load(self) -> RefreshableCredentials:
        return self._role_credentials


class Sessions:
    """Clients by (service, account, region), cached and thread-safe to obtain."""

    def __init__(
        self,
        target: AwsTarget,
        *,
        default_region: str,
        stats: CallStats | None = None,
        member_roles: tuple[str, ...] = (MEMBER_ROLE,),
    ) -> None:
        """`member_roles`: roles to assume in member accounts, in order of preference. The toolkit creates
        accounts with its bootstrap role (exempt from the guardrails) and falls back to AWS's
        OrganizationAccountAccessRole for accounts it adopted."""
        self.member_roles = member_roles
        self.target = target
        self.parallelism = target.parallelism
        """How many calls to have in flight at once: readers and the apply engine size their pools by it."""
        self.region = target.region or default_region
        self.stats = stats or CallStats()
        self._lock = threading.RLock()
        self._clients: dict[tuple[str, str | None, str], Any] = {}
        self._creating: dict[str | None, threading.Lock] = {}
        """Per account: held while one of its session's clients is created. Creating a client takes milliseconds
        of CPU, so never under `_lock`: other accounts' clients are created and used meanwhile."""
        self._sessions: dict[str | None, botocore.session.Session] = {}
        self._entering: dict[str, threading.Lock] = {}
        """Per member account: held while its role is assumed, so each account is entered once."""
        self.caller_arn = ""
        """The caller's ARN, once `caller_account` has asked who it is."""
        self._entered: dict[str, str] = {}
        """Member account id -> the ARN of the role its session was entered with."""
        self._config = Config(
            retries={"mode": target.retry_mode, "max_attempts": target.max_attempts},
            max_pool_connections=target.parallelism,
            connect_timeout=10,
            read_timeout=60,
            # No proxy in the environment: said once here, instead of botocore scanning the environment for one
            # at every client it creates (one per service, account and region). With a proxy, botocore decides.
            proxies=None if getproxies() else {},
        )
        base_events = HierarchicalEmitter()
        client_classes.register_builtin_handlers(base_events)
        self._base = botocore.session.Session(
            profile=target.profile, event_hooks=base_events, include_builtin_handlers=False
        )
        if target.profile is not None and target.profile not in self._base.available_profiles:
            raise InputError(
                f"The config profile ({target.profile}) could not be found",
                "Check --profile against `aws configure list-profiles`.",
            )
        self._instrument(self._base)
        self._sessions[None] = self._base
        base_emitter = client_classes.SharedAliases(base_events)
        self._base.register_component("event_emitter", base_emitter)
        client_classes.share(base_emitter, {})
        self._member_events = HierarchicalEmitter()
        """Event handlers every member session uses: botocore's built-in ones and ours, registered once here
        (registering them is most of what creating a session costs) and shared, never registered to again
        (each client copies them when it is created)."""
        client_classes.register_builtin_handlers(self._member_events)
        self._instrument(botocore.session.Session(event_hooks=self._member_events, include_builtin_handlers=False))
        self._member_emitter = client_classes.SharedAliases(self._member_events)
        """The `event_emitter` of every member session: its clients share one cache of event names."""
        client_classes.share(self._member_emitter, {})
        self._regional_sts: Any = None
        """`regional_sts`'s client, once made."""

    def _instrument(self, session: botocore.session.Session) -> None:
        session.register("before-call", self.stats.on_call)
        session.register("before-parse", check_answer)
        if self.target.endpoint:
            session.register("before-send.s3-control.*", _strip_account_host_prefix)

    def client(self, service: str, *, account_id: str | None = None, region: str | None = None) -> Any:
        """A client for `service` in the caller's account (`account_id=None`) or a member account."""
        key = (service, account_id, region or self.region)
        with self._lock:
            found = self._clients.get(key)
            if found is not None:
                return found
            creating = self._creating.setdefault(account_id, threading.Lock())
        session = self._session_for(account_id)  # may assume a role: not under the shared lock
        with creating:  # a botocore session is not thread-safe: its clients are made one at a time
            with self._lock:
                found = self._clients.get(key)
            if found is None:
                found = session.create_client(
                    service, region_name=key[2], endpoint_url=self.target.endpoint, config=self._config
                )
                with self._lock:
                    self._clients[key] = found
        return found

    def regional_sts(self) -> Any:
        """An STS client on the home region's own endpoint, never the global one: `sts:AssumeRoot` is served only
        by regional endpoints, and this botocore sends us-east-1's (and other older regions') STS calls to the
        global endpoint unless told otherwise. Made once, from a session of the caller's own credentials."""
        with self._lock:
            if self._regional_sts is None:
                session = botocore.session.Session(profile=self.target.profile)
                session.set_config_variable("sts_regional_endpoints", "regional")
                self._instrument(session)
                self._regional_sts = session.create_client(
                    "sts", region_name=self.region, endpoint_url=self.target.endpoint, config=self._config
                )
            return self._regional_sts

    def client_with(self, service: str, credentials: Mapping[str, Any]) -> Any:
        """A client for `service` signed with short-lived credentials the caller obtained (STS's `Credentials`,
        e.g. a root session from `sts:AssumeRoot`). Not cached: they expire within minutes; close it after use."""
        return self._base.create_client(
            service,
            region_name=self.region,
            endpoint_url=self.target.endpoint,
            config=self._config,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )

    def _session_for(self, account_id: str | None) -> botocore.session.Session:
        with self._lock:
            if account_id in self._sessions:
                return self._sessions[account_id]
            entering = self._entering.setdefault(str(account_id), threading.Lock())
        with entering:  # one thread enters this account; others wait for its session, not for every account
            with self._lock:
                if account_id in self._sessions:
                    return self._sessions[account_id]
            role_arn, first = self._enter(str(account_id))
            sts = self.client("sts")  # made before taking the lock: a client is never created under it
            with self._lock:
                return self._build(str(account_id), role_arn, first, sts)

    def _build(self, account_id: str, role_arn: str, first: dict[str, str], sts: Any) -> botocore.session.Session:
        """A member account's session (call under the lock). Refreshable: an apply that waits on slow AWS
        work can outlive one set of role credentials; botocore refreshes them before they expire."""
        credentials = RefreshableCredentials.create_from_metadata(
            metadata=first, refresh_using=partial(_assume, sts, role_arn), method="sts-assume-role"
        )
        session = botocore.session.Session(event_hooks=self._member_events, include_builtin_handlers=False)
        session.register_component("data_loader", self._base.get_component("data_loader"))
        session.register_component("event_emitter", self._member_emitter)  # shares classes, models, event names
        session.register_component("credential_provider", CredentialResolver([_AssumedRole(credentials)]))
        self._sessions[account_id] = session
        self._entered[account_id] = role_arn
        return session

    def release(self, account_id: str) -> None:
        """Forget a member account's clients and session (their connection pools and models), e.g. once its
        account-regions have been read: an organization of thousands of accounts need not hold a client per
        account for the whole run. The role it was entered with is kept; a later call enters it again."""
        with self._lock:
            released = [self._clients.pop(key) for key in [k for k in self._clients if k[1] == account_id]]
            self._sessions.pop(account_id, None)
        for client in released:  # closing connection pools needs no lock, and must not hold up other threads
            client.close()

    def entered_role(self, account_id: str) -> str | None:
        """The ARN of the role a member account was entered with, if it has been entered."""
        with self._lock:
            return self._entered.get(account_id)

    def enter_as(self, account_id: str, role: str, *, timeout: float, sleep: Callable[[float], None]) -> None:
        """From now on, enter `account_id` as `role` (the bootstrap role, once the toolkit has created it
        in an account it first entered as OrganizationAccountAccessRole). A role just created takes a few
        seconds to be assumable; until `timeout` the account keeps the session it had."""
        role_arn = f"arn:aws:iam::{account_id}:role/{role}"
        with self._lock:
            if self._entered.get(account_id) == role_arn:
                return
        refusals: list[ClientError] = []

        def assumed() -> dict[str, str] | None:
            try:
                return _assume(self.client("sts"), role_arn)
            except ClientError as err:
                if error_code(err) not in ("AccessDenied", "AccessDeniedException"):
                    raise
                refusals.append(err)
                return None

        first = wait_for(
            assumed, timeout=timeout, sleep=sleep, first_delay=1.0, max_delay=10.0, on_timeout=lambda: refusals[-1]
        )
        sts = self.client("sts")
        with self._lock:
            if role not in self.member_roles:  # the first choice from now on, in every account
                self.member_roles = (role, *self.member_roles)
            for key in [k for k in self._clients if k[1] == account_id]:
                del self._clients[key]
            self._build(account_id, role_arn, first, sts)

    def _enter(self, account_id: str) -> tuple[str, dict[str, str]]:
        """Assume the first member role that lets us in: its ARN and its first credentials."""
        sts = self.client("sts")
        refusals = []
        for role in self.member_roles:
            role_arn = f"arn:aws:iam::{account_id}:role/{role}"
            try:
                return role_arn, _assume(sts, role_arn)
            except ClientError as err:
                if error_code(err) not in ("AccessDenied", "AccessDeniedException"):
                    raise
                refusals.append(f"{role_arn}: {err.response['Error'].get('Message', 'access denied')}")
        raise AwsError(
            f"cannot assume a role in account {account_id}: " + "; ".join(refusals),
            "New accounts take a few minutes to become usable; run the command again. Otherwise create one "
            f"of the roles ({', '.join(self.member_roles)}) there, trusting the management account.",
        )

    def wait_usable(self, account_id: str, *, timeout: float, sleep: Callable[[float], None]) -> None:
        """Wait until a new account can be entered: AWS reports SUCCEEDED minutes before its role works."""
        refusals: list[AwsError] = []

        def entered() -> bool | None:
            try:
                self._enter(account_id)  # one STS call; the session is built when something needs it
                return True
            except AwsError as err:
                refusals.append(err)
                return None

        wait_for(
            entered, timeout=timeout, sleep=sleep, first_delay=2.0, max_delay=30.0, on_timeout=lambda: refusals[-1]
        )

    def caller_account(self) -> str:
        """Who the caller is. The first call of every command, so it fails fast: an unreachable endpoint or
        missing credentials should take seconds to report, not a minute of retries."""
        with self._lock:
            sts: Any = self._base.create_client(
                "sts",
                region_name=self.region,
                endpoint_url=self.target.endpoint,
                config=Config(
                    retries={"mode": "standard", "max_attempts": CALLER_ATTEMPTS}, connect_timeout=5, read_timeout=15
                ),
            )
        try:
            identity = sts.get_caller_identity()
            self.caller_arn = str(identity["Arn"])
            return str(identity["Account"])
        except NoCredentialsError:
            raise AwsError(
                "no AWS credentials found",
                "Configure credentials (aws configure / aws sso login, or --profile), or try the sandbox: "
                "`bootstrap sandbox`.",
            ) from None
        except EndpointConnectionError as err:
            raise AwsError(
                f"cannot reach AWS: {err}",
                "Check the network, or --endpoint-url / AWS_ENDPOINT_URL if you point at a local endpoint "
                "(is `bootstrap sandbox` running?).",
            ) from None
        except ClientError as err:
            raise AwsError(f"cannot identify the caller: {err}", "Check your credentials.") from None
        except ResponseParserError as err:  # the endpoint answered, but not as AWS does (see not_aws)
            raise not_aws_error(
                err, endpoint_url=self.target.endpoint, call="sts:GetCallerIdentity", flag=self.target.endpoint_source
            ) from None
        except BotoCoreError as err:
            raise AwsError(
                f"cannot identify the caller after {CALLER_ATTEMPTS} attempts: {err}",
                "Check the network, then run the command again.",
            ) from None

    def require_management_account(self, expected: str) -> None:
        """The account pin: refuse to act from any account but the spec's management account."""
        actual = self.caller_account()
        if actual != expected:
            raise SafetyError(
                f"these credentials belong to account {actual}, but the spec's management account is {expected}",
                "Use credentials of the management account (--profile), or fix "
                "organization.management_account_id in the spec.",
            )


def _assume(sts: Any, role_arn: str) -> dict[str, str]:
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="landing-zone-bootstrap")["Credentials"]
    return {
        "access_key": creds["AccessKeyId"],
        "secret_key": creds["SecretAccessKey"],
        "token": creds["SessionToken"],
        "expiry_time": creds["Expiration"].isoformat(),
    }


def _strip_account_host_prefix(**event: Any) -> None:
    """s3control sends to `<account-id>.<endpoint host>`; a local endpoint only answers on its own host."""
    request = event["request"]
    parts = urlsplit(request.url)
    match = _ACCOUNT_HOST.match(parts.netloc)
    if match:
        request.url = urlunsplit(parts._replace(netloc=match.group(1)))
