"""One session factory: the caller's session, cached clients, assume-role into member accounts.

Every client shares one botocore config (adaptive retries) and one `CallStats`. When an endpoint
override is in use (the sandbox, or `--endpoint-url`), the s3control account-id host prefix is stripped
because `<account>.127.0.0.1` does not resolve.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ProfileNotFound,
)

from bootstrap.aws.retry import error_code
from bootstrap.aws.stats import CallStats
from bootstrap.errors import AwsError, InputError, SafetyError

MEMBER_ROLE = "OrganizationAccountAccessRole"
SIMULATED_ENV = "BOOTSTRAP_SANDBOX"
"""Set (to 1) by the sandbox in the environment it gives out: the endpoint is a local simulation."""
_ACCOUNT_HOST = re.compile(r"^\d{12}\.(.+)$")


@dataclass(frozen=True)
class AwsTarget:
    """Where to send calls: AWS CLI habits (`--profile`, `--region`, `--endpoint-url`, `AWS_ENDPOINT_URL`)."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    max_attempts: int = 8

    @property
    def endpoint(self) -> str | None:
        return self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None

    @property
    def simulated(self) -> bool:
        """The endpoint is the sandbox (a capability flag it sets, never guessed from a host name): steps AWS
        would show but the simulation cannot are reported as unavailable there, never as done."""
        return os.environ.get(SIMULATED_ENV) == "1" and self.endpoint is not None


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
        self.region = target.region or default_region
        self.stats = stats or CallStats()
        self._lock = threading.RLock()
        self._clients: dict[tuple[str, str | None, str], Any] = {}
        self._sessions: dict[str | None, boto3.Session] = {}
        self.caller_arn = ""
        """The caller's ARN, once `caller_account` has asked who it is."""
        self._entered: dict[str, str] = {}
        """Member account id -> the ARN of the role its session was entered with."""
        self._config = Config(
            retries={"mode": "adaptive", "max_attempts": target.max_attempts},
            max_pool_connections=32,
            connect_timeout=10,
            read_timeout=60,
        )
        try:
            self._base = boto3.Session(profile_name=target.profile, region_name=self.region)
        except ProfileNotFound as err:
            raise InputError(str(err), "Check --profile against `aws configure list-profiles`.") from None
        self._instrument(self._base)
        self._sessions[None] = self._base

    def _instrument(self, session: boto3.Session) -> None:
        events = session.events
        events.register("before-call", self.stats.on_call)
        if self.target.endpoint:
            events.register("before-send.s3-control.*", _strip_account_host_prefix)

    def client(self, service: str, *, account_id: str | None = None, region: str | None = None) -> Any:
        """A client for `service` in the caller's account (`account_id=None`) or a member account."""
        key = (service, account_id, region or self.region)
        with self._lock:
            if key not in self._clients:
                session = self._session_for(account_id)
                self._clients[key] = session.client(
                    service, region_name=key[2], endpoint_url=self.target.endpoint, config=self._config
                )
            return self._clients[key]

    def _session_for(self, account_id: str | None) -> boto3.Session:
        if account_id in self._sessions:
            return self._sessions[account_id]
        role_arn, first = self._enter(str(account_id))
        return self._build(str(account_id), role_arn, first)

    def _build(self, account_id: str, role_arn: str, first: dict[str, str]) -> boto3.Session:
        # Refreshable: an apply that waits on slow AWS work can outlive one set of role credentials.
        credentials = RefreshableCredentials.create_from_metadata(
            metadata=first, refresh_using=partial(_assume, self.client("sts"), role_arn), method="sts-assume-role"
        )
        core = botocore.session.get_session()
        core._credentials = credentials  # the documented way to give a botocore session refreshable credentials
        session = boto3.Session(botocore_session=core, region_name=self.region)
        self._instrument(session)
        self._sessions[account_id] = session
        self._entered[account_id] = role_arn
        return session

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
        deadline = time.monotonic() + timeout
        delay = 1.0
        while True:
            try:
                first = _assume(self.client("sts"), role_arn)
                break
            except ClientError as err:
                if error_code(err) not in ("AccessDenied", "AccessDeniedException") or time.monotonic() > deadline:
                    raise
            sleep(delay)
            delay = min(delay * 1.5, 10.0)
        with self._lock:
            if role not in self.member_roles:  # the first choice from now on, in every account
                self.member_roles = (role, *self.member_roles)
            for key in [k for k in self._clients if k[1] == account_id]:
                del self._clients[key]
            self._build(account_id, role_arn, first)

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
        deadline = time.monotonic() + timeout
        delay = 2.0
        while True:
            try:
                self._enter(account_id)  # one STS call; the session is built when something needs it
                return
            except AwsError:
                if time.monotonic() > deadline:
                    raise
            sleep(delay)
            delay = min(delay * 1.5, 30.0)

    def caller_account(self) -> str:
        """Who the caller is. The first call of every command, so it fails fast: an unreachable endpoint or
        missing credentials should take seconds to report, not a minute of retries."""
        sts = self._base.client(
            "sts",
            region_name=self.region,
            endpoint_url=self.target.endpoint,
            config=Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=5, read_timeout=15),
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
        except (ClientError, BotoCoreError) as err:
            raise AwsError(f"cannot identify the caller: {err}", "Check your credentials and network.") from None

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


def _strip_account_host_prefix(request: Any, **_: Any) -> None:
    """s3control sends to `<account-id>.<endpoint host>`; a local endpoint only answers on its own host."""
    parts = urlsplit(request.url)
    match = _ACCOUNT_HOST.match(parts.netloc)
    if match:
        request.url = urlunsplit(parts._replace(netloc=match.group(1)))
