"""One botocore client class and one service model per service for all the toolkit's sessions, instead of one per
client.

botocore builds a new Python class for every client it creates: a method and a docstring object for each of the
service's operations (about 1.5 ms of CPU for IAM's 160 operations, 10 ms for EC2's 600), the same class every
time for sessions with the same event handlers. The toolkit creates a client per service in every account and
region it reads (an organization of 200 accounts read in 4 regions needs 800 EC2 clients), so it tells botocore's
client creator to reuse the class it built first, for sessions that registered themselves here (`share`).

The service model is shared the same way. botocore parses a new `ServiceModel` for every client, and its caches
(operation models, shapes) start empty each time: creating an EC2 client walks all 600 operations to look for
endpoint discovery (`ServiceModel.endpoint_discovery_operation`), about 40 % of the client's cost, and every
client resolves again the shapes of the calls it makes. A model is read-only once built, and its caches fill with
the same values whichever client fills them. Both are built under a lock per service, so the first
clients of a service, created at once by many threads, build it once instead of each parsing the service's
JSON model (EC2's is 5 MB) in parallel.

The event handlers' aliasing is shared too (`SharedAliases`): botocore renames old event names on every event a
client emits (about 15 per call), and caches the result per copy of the handlers, that is per client. A client
of one account-region makes a handful of calls, so nearly every event missed that cache: about a tenth of a
plan's CPU. The renaming depends only on the event's name, so one cache serves every client.

And each client copies fewer handlers: botocore's built-in handlers include 29 that only write documentation
(`docs.*`) and about 30 for services the toolkit never calls (RDS, Glacier, Route 53, ...). Every client copies
every handler of its session when it is created (a tree of about 170 nodes), which was a third of a plan's CPU
at 20 accounts x 17 regions; `register_builtin_handlers` registers the others only (56 of 116 in botocore 1.35),
and the copy costs 0.07 ms instead of 0.19 ms.

Only the class, the model and the cache of event names are shared: every client still gets its own credentials,
endpoint, connection pool, retry quota and copy of the event handlers. A class depends on the service's model
(one per service: every session the toolkit builds shares one loader) and on the handlers of the
`creating-client-class` event, so each family of sessions that share their event handlers shares a cache
(`ClassCache`); sessions that did not register themselves, such as a plain boto3 session in the same process,
are left to botocore. The hooks are botocore's private `ClientCreator._create_client_class` and
`ClientCreator._load_service_model`: should a botocore release drop one, it is not replaced and clients are
built as before (only slower).
"""

from __future__ import annotations

import copy
import threading
from typing import Any
from weakref import WeakKeyDictionary

from botocore import handlers
from botocore.client import ClientCreator
from botocore.hooks import EventAliaser, HierarchicalEmitter

ClassCache = dict[tuple[str, ...], Any]
"""(service name, API version) -> the client class botocore built for it; ("model", service name, API version) ->
its service model."""

_lock = threading.Lock()
_building: dict[tuple[int, tuple[str, ...]], threading.Lock] = {}
"""One lock per family and entry being built: the first creator builds it, the others wait for it."""
_families: WeakKeyDictionary[Any, ClassCache] = WeakKeyDictionary()
"""A session's event emitter -> its family's cache (weakly: a session that is dropped leaves no entry)."""
_CLASS_HOOK = "_create_client_class"
_MODEL_HOOK = "_load_service_model"
_original_class: Any = getattr(ClientCreator, _CLASS_HOOK, None)
_original_model: Any = getattr(ClientCreator, _MODEL_HOOK, None)


def share(emitter: Any, cache: ClassCache) -> None:
    """Clients created through the session whose event emitter is `emitter` (`session.get_component(
    "event_emitter")`) take their classes and service models from `cache`, shared with the sessions of the same
    handlers and data loader."""
    with _lock:
        if _original_class is not None and getattr(ClientCreator, _CLASS_HOOK) is _original_class:
            setattr(ClientCreator, _CLASS_HOOK, _create_client_class)  # once, the first time it is needed
        if _original_model is not None and getattr(ClientCreator, _MODEL_HOOK) is _original_model:
            setattr(ClientCreator, _MODEL_HOOK, _load_service_model)
        _families[emitter] = cache


def _family(creator: Any) -> ClassCache | None:
    emitter = getattr(creator, "_event_emitter", None)
    with _lock:
        return None if emitter is None else _families.get(emitter)


def _shared(cache: ClassCache, key: tuple[str, ...], build: Any) -> Any:
    """`cache[key]`, built by `build()` once: concurrent first askers wait for the one building it."""
    with _lock:
        found = cache.get(key)
        if found is not None:
            return found
        building = _building.setdefault((id(cache), key), threading.Lock())
    with building:
        with _lock:
            found = cache.get(key)
        if found is None:
            built = build()
            with _lock:
                found = cache.setdefault(key, built)
                _building.pop((id(cache), key), None)
    return found


def _create_client_class(creator: Any, service_name: str, service_model: Any) -> Any:
    cache = _family(creator)
    if cache is None:
        return _original_class(creator, service_name, service_model)
    key = (service_name, str(service_model.api_version))
    return _shared(cache, key, lambda: _original_class(creator, service_name, service_model))


def _load_service_model(creator: Any, service_name: str, api_version: str | None = None) -> Any:
    cache = _family(creator)
    if cache is None:
        return _original_model(creator, service_name, api_version)
    key = ("model", service_name, str(api_version))
    return _shared(cache, key, lambda: _original_model(creator, service_name, api_version))


NEVER_CALLED = frozenset(
    {
        "apigateway", "autoscaling", "cloudformation", "cloudsearchdomain", "cognito-identity", "docdb", "dsql",
        "glacier", "iot-data", "lex-runtime-v2", "machinelearning", "mturk", "neptune", "polly", "qbusiness", "rds",
        "route53",
    }
)  # fmt: skip
"""Services the toolkit never calls (event names spell them by service id): their built-in handlers are left out.
A handler of any other service, or of every service, is kept, whatever later botocore releases add."""


def needed(event_name: str) -> bool:
    """Whether a built-in handler of `event_name` can matter to the toolkit's clients."""
    parts = event_name.split(".")
    return parts[0] != "docs" and not (len(parts) > 1 and parts[1] in NEVER_CALLED)


def register_builtin_handlers(emitter: HierarchicalEmitter) -> None:
    """What botocore's session registers with `include_builtin_handlers=True`, but for the handlers no client of
    the toolkit's can use (`needed`): the session is then made with `include_builtin_handlers=False`."""
    events = EventAliaser(emitter)  # as botocore registers them: old event names renamed
    for spec in handlers.BUILTIN_HANDLERS:
        event_name, handler = spec[0], spec[1]
        if not needed(event_name):
            continue
        if len(spec) == 2:
            events.register(event_name, handler)
        elif spec[2] is handlers.REGISTER_FIRST:
            events.register_first(event_name, handler)
        elif spec[2] is handlers.REGISTER_LAST:
            events.register_last(event_name, handler)


class SharedAliases(EventAliaser):  # type: ignore[misc,unused-ignore]  # typed only with botocore-stubs
    """botocore's event aliaser over `emitter`, whose copies (one per client: `copy.copy` in botocore's client
    creation) copy the handlers but share its cache of renamed event names. Register it as a session's
    `event_emitter` component."""

    def __init__(self, emitter: HierarchicalEmitter, event_aliases: Any = None, names: dict[str, str] | None = None):
        super().__init__(emitter, event_aliases)
        self._handlers_of, self._renames = emitter, event_aliases
        if names is not None:
            self._alias_name_cache = names

    def __copy__(self) -> SharedAliases:
        return SharedAliases(copy.copy(self._handlers_of), self._renames, self._alias_name_cache)
