"""The account-region observer: every desired resource not in the organization tree is read here, by its
type's bulk reader (`bootstrap.types`), one `AccountRegionScope` per account and region.

Scopes are started by `bootstrap.observe.account_regions`, alongside the organization's walk: member accounts
are reached by assuming a role into them, with the ids the walk finds. An account that does not exist yet holds
nothing, so everything desired in it is simply absent (to be created). Scopes are read in parallel on a bounded
pool (AWS throttles per account and region, so the pool is what bounds the load on any one of them); within a
scope, readers run in the registry's order and share a per-scope cache so two readers needing the same listing
(aliases for keys and aliases) make the call once, and the scopes of one account share a cache of
account-wide reads (`account_once`). An account-region whose reads fail is reported as a `ReadFailure` and the
others are read as usual (`bootstrap.observe.isolation`).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bootstrap.aws.session import Sessions
from bootstrap.names import account_address
from bootstrap.observe.isolation import ISOLATED_ERRORS, OnceCache, read_failure
from bootstrap.observed import Finding, ObservedResource, ObservedState, ReadFailure
from bootstrap.resources import GLOBAL, DesiredState, Location, Resource
from bootstrap.spec.model import MANAGEMENT
from bootstrap.types.base import Reader
from bootstrap.types.ec2_regions import enabled_regions
from bootstrap.types.registry import TYPES

_CALL_THREAD = "observe-call"
CALLS_PER_SCOPE = 8
"""Reads of one account-region in flight at once (a bucket's settings, a key's policy and rotation)."""


@dataclass
class AccountRegionScope:
    """One account-region as a reader sees it: its clients, the desired state, findings, and a cache."""

    sessions: Sessions
    location: Location
    account_id: str | None
    desired: DesiredState
    findings: list[Finding] = field(default_factory=list)
    facts: list[tuple[str, Any]] = field(default_factory=list)
    skipped: set[str] = field(default_factory=set)
    """Desired addresses left unread: the account has not enabled the region (`_not_enabled`)."""
    _cache: dict[str, Any] = field(default_factory=dict)
    _key_locks: dict[str, threading.Lock] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _calls: ThreadPoolExecutor | None = None
    account_cache: OnceCache = field(default_factory=OnceCache)
    """Shared by every scope of this account (`account_once`)."""

    def client(self, service: str) -> Any:
        region = None if self.location.region == GLOBAL else self.location.region
        return self.sessions.client(service, account_id=self.account_id, region=region)

    def account_client(self, service: str) -> Any:
        """A client of this scope's account in the run's default region (the home region), which is always
        enabled: for account-wide reads such as which regions the account has enabled."""
        return self.sessions.client(service, account_id=self.account_id)

    @property
    def simulated(self) -> bool:
        return self.sessions.target.simulated

    def account_once(self, key: str, read: Callable[[], Any]) -> Any:
        """`read()` once per account, whichever of its scopes asks first."""
        return self.account_cache.once(key, read)

    def once(self, key: str, read: Callable[[], Any]) -> Any:
        """`read()` once per scope, whichever reader asks first (readers of different services run at once)."""
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            if key not in self._cache:
                self._cache[key] = read()
            return self._cache[key]

    def note(self, kind: str, value: Any) -> None:
        """Record something seen beyond the desired resources (every VPC's block), for `ObservedState.facts`."""
        with self._lock:
            self.facts.append((kind, value))

    def gather(self, calls: Sequence[Callable[[], Any]]) -> list[Any]:
        """Independent reads at once, on a small pool of this scope's; results in the order given."""
        if len(calls) <= 1 or threading.current_thread().name.startswith(_CALL_THREAD):
            return [call() for call in calls]  # one call, or a gather within a gathered call: never wait on itself
        with self._lock:
            if self._calls is None:
                self._calls = ThreadPoolExecutor(max_workers=CALLS_PER_SCOPE, thread_name_prefix=_CALL_THREAD)
            pool = self._calls
        return list(pool.map(lambda call: call(), calls))

    def close(self) -> None:
        if self._calls is not None:
            self._calls.shutdown(wait=True)

    def logical(self, value: Any) -> Resource | None:
        """The desired resource a `{"Ref": id}` names, if any."""
        if isinstance(value, dict) and set(value) == {"Ref"}:
            return self.desired.by_logical_id.get(str(value["Ref"]))
        return None


def account_id_of(name: str, known: ObservedState) -> tuple[bool, str | None]:
    """(exists, id): the management account is the caller (id None); a member account exists once the
    organization's walk found it."""
    if name == MANAGEMENT:
        return True, None
    found = known.resources.get(account_address(name))
    if found is None or found.physical_id is None:
        return False, None
    return True, found.physical_id


def _read_scope(
    scope: AccountRegionScope, resources: list[Resource]
) -> tuple[dict[str, ObservedResource], list[Finding], ReadFailure | None]:
    """Each service's readers in the registry's order (keys before aliases, buckets before their policies),
    different services' readers at once: they share nothing but the scope's cache. A scope whose reads fail
    is one failure, with nothing observed (half a scope's state would plan wrong changes)."""

    def readers_of(disabled: bool) -> dict[str, list[tuple[Reader, list[Resource]]]]:
        """Each service's readers, of the types desired here and those read beside them; in a region the account
        has not enabled, only those of the types that observe such a region themselves."""
        by_service: dict[str, list[tuple[Reader, list[Resource]]]] = defaultdict(list)
        present = {r.type for r in resources}
        for name, type_ in TYPES.items():
            of_type = [r for r in resources if r.type == name]
            if disabled and not type_.reads_disabled_regions:
                continue
            if (of_type or type_.read_beside in present) and callable(type_.reader):
                by_service[type_.service].append((type_.reader, of_type))
        return by_service

    def read_service(readers: list[tuple[Reader, list[Resource]]]) -> dict[str, ObservedResource]:
        found: dict[str, ObservedResource] = {}
        for read, of_type in readers:
            found.update(read(scope, of_type))
        return found

    found: dict[str, ObservedResource] = {}
    try:
        by_service = readers_of(_not_enabled(scope, resources))
        if len(by_service) <= 1:
            for readers in by_service.values():
                found.update(read_service(readers))
        else:
            with ThreadPoolExecutor(max_workers=len(by_service), thread_name_prefix="observe-service") as pool:
                for part in pool.map(read_service, by_service.values()):
                    found.update(part)
    except ISOLATED_ERRORS as err:
        return {}, [], read_failure(scope.location, resources, err)
    finally:
        scope.close()
    return found, scope.findings, None


def _not_enabled(scope: AccountRegionScope, resources: list[Resource]) -> bool:
    """Whether the scope's region is one its account has not enabled (nothing can exist there, and calls to it
    fail): its resources are then skipped, but for the types whose readers say so themselves, and one note per
    account names the regions and what was skipped. The run's own region is always enabled: asked nothing."""
    region = scope.location.region
    if region in (GLOBAL, scope.sessions.region) or region in enabled_regions(scope):
        return False
    left = [r for r in resources if not TYPES[r.type].reads_disabled_regions]
    scope.skipped.update(r.address for r in left)
    if left:
        scope.account_once("skipped-regions", lambda: _note_skipped(scope))
    return True


def _note_skipped(scope: AccountRegionScope) -> None:
    account = scope.location.account
    enabled = enabled_regions(scope)
    held: dict[str, list[str]] = defaultdict(list)
    for r in scope.desired.resources:
        where = r.location
        outside = where.region not in (GLOBAL, scope.sessions.region, *enabled)
        if where.account == account and outside and not TYPES[r.type].reads_disabled_regions:
            held[where.region].append(r.type.rsplit("::", 1)[-1])
    listed = "; ".join(f"{region}: {', '.join(sorted(set(kinds)))}" for region, kinds in sorted(held.items()))
    scope.findings.append(
        Finding(
            account_address(account),
            f"region(s) not enabled in this account, nothing read or planned there: {listed}. Once a region is "
            "enabled, the next run makes what the spec asks there",
        )
    )
