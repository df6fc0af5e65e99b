"""Read every account-region while the organization is still being walked.

The management account's account-regions need nothing from the walk, so they are read from the start; a member
account's are read as soon as the walk lists the account (its role is assumed then, not once the whole tree is
read). At real AWS latency the walk is a chain of round trips (the OU tree level by level) that leaves the
client mostly idle: the member accounts' role assumptions, client creation and reads fill that time instead of
following it. Every scope runs on one bounded pool of `sessions.parallelism` threads.

Every desired resource outside the organization tree is read, whatever its layer or address: a resource left
unread would be planned for creation on every run (an unknown type fails here, loudly). What is read does not
depend on when it started: an account is started early only when the listing names the id or e-mail the walk's
own matching uses (`observe.organizations`), and once the walk is done every account-region of an account the
walk matched is read, whether or not it was started early.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from bootstrap.aws.session import Sessions
from bootstrap.names import account_address
from bootstrap.observe.isolation import OnceCache
from bootstrap.observe.scope import AccountRegionScope, _read_scope, account_id_of
from bootstrap.observed import Finding, ObservedResource, ObservedState, ReadFailure
from bootstrap.resources import DesiredState, Location, Resource
from bootstrap.spec.model import MANAGEMENT
from bootstrap.types.base import ORGANIZATION_TREE
from bootstrap.types.registry import type_for

ACCOUNT = "AWS::Organizations::Account"
_Read = tuple[dict[str, ObservedResource], list[Finding], ReadFailure | None]


class AccountRegionReads:
    """The account-region reads of one observation: started per account (`start`, `listed`), then gathered once
    the walk is done (`finish`). Use as a context manager: leaving it stops whatever is still queued."""

    def __init__(self, sessions: Sessions, desired: DesiredState) -> None:
        self._sessions = sessions
        self._desired = desired
        self._by_account: dict[str, dict[Location, list[Resource]]] = defaultdict(dict)
        for resource in desired.resources:
            if type_for(resource.type).reader != ORGANIZATION_TREE:
                self._by_account[resource.location.account].setdefault(resource.location, []).append(resource)
        self._wanted = self._listing_keys(desired, self._by_account)
        self._lock = threading.Lock()
        self._started: dict[str, str | None] = {}
        """Account name -> the id its scopes were started with (None: the management account)."""
        self._futures: list[tuple[AccountRegionScope, Future[_Read]]] = []
        self._unread: Counter[str] = Counter()
        self._pool = ThreadPoolExecutor(max_workers=max(1, sessions.parallelism), thread_name_prefix="observe")

    @staticmethod
    def _listing_keys(desired: DesiredState, accounts: dict[str, Any]) -> dict[str, str]:
        """What identifies each member account with account-regions to read in an Organizations listing, as the
        walk matches it: the id the spec imports, else the e-mail (lower case). `id:<id>` / `email:<e-mail>` ->
        the account's name in the spec."""
        keys = {}
        for name in accounts:
            r = desired.by_address.get(account_address(name))
            if r is not None and r.type == ACCOUNT:
                keys[f"id:{r.import_id}" if r.import_id else f"email:{str(r.properties['Email']).lower()}"] = name
        return keys

    def __enter__(self) -> AccountRegionReads:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def start(self, account: str, account_id: str | None) -> None:
        """Read `account`'s account-regions (the management account's with `account_id` None), once."""
        locations = self._by_account.get(account)
        with self._lock:
            if not locations or account in self._started:
                return
            self._started[account] = account_id
            shared = OnceCache()  # the account's scopes share its account-wide reads (enabled regions)
            for location, resources in sorted(locations.items()):
                scope = AccountRegionScope(self._sessions, location, account_id, self._desired, account_cache=shared)
                if account_id is not None:
                    self._unread[account_id] += 1
                self._futures.append((scope, self._pool.submit(self._read, scope, resources)))

    def listed(self, accounts: list[dict[str, Any]]) -> None:
        """A page of the walk's account listings: start every desired account it names (by the walk's keys)."""
        for account in accounts:
            for key in (f"id:{account['Id']}", f"email:{str(account.get('Email', '')).lower()}"):
                name = self._wanted.get(key)
                if name is not None:
                    self.start(name, str(account["Id"]))

    def _read(self, scope: AccountRegionScope, resources: list[Resource]) -> _Read:
        try:
            return _read_scope(scope, resources)
        finally:
            self._read_one(scope.account_id)

    def _read_one(self, account_id: str | None) -> None:
        """Release a member account's clients once its last account-region is read."""
        if account_id is None:
            return
        with self._lock:
            self._unread[account_id] -= 1
            done = not self._unread[account_id]
        if done:
            self._sessions.release(account_id)

    def finish(self, known: ObservedState) -> ObservedState:
        """Once the walk is done (`known` holds its accounts): start what it matched and was not started yet,
        then wait for every read. An account started early must be the one the walk matched."""
        for account in self._by_account:
            exists, account_id = account_id_of(account, known)
            with self._lock:
                started = account in self._started
                if started and (not exists or self._started[account] != account_id):
                    raise AssertionError(f"{account}: read as {self._started[account]}, matched as {account_id}")
            if exists and not started:
                self.start(account, account_id)
        state = ObservedState()
        with self._lock:
            futures = list(self._futures)
        for scope, future in futures:
            found, findings, failure = future.result()
            for address, live in found.items():  # a reader may report its type's orphans (a VPC dropped from the spec)
                (state.resources if address in self._desired.by_address else state.orphans)[address] = live
            state.findings.extend(findings)
            if failure is not None:
                state.failures.append(failure)
            for kind, value in scope.facts:
                state.facts.setdefault(kind, []).append(value)
            state.skipped |= scope.skipped
        state.findings.sort(key=lambda f: (f.address, f.message))  # the same order whichever scope finished first
        state.failures.sort(key=lambda f: (f.account, f.region))
        return state


def observe_with_walk(
    sessions: Sessions,
    desired: DesiredState,
    walk: Callable[[Callable[[list[dict[str, Any]]], None]], ObservedState],
) -> ObservedState:
    """The organization's walk (`walk(on_listed)`, which reports each account listing as it arrives) with every
    account-region read alongside it: the organization's state merged with the account-regions'."""
    with AccountRegionReads(sessions, desired) as reads:
        reads.start(MANAGEMENT, None)
        state = walk(reads.listed)
        state.merge(reads.finish(state))
    return state
