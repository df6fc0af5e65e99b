"""One botocore client class per service for all the toolkit's sessions, instead of one per client.

botocore builds a new Python class for every client it creates: a method and a docstring object for each of the
service's operations (about 1.5 ms of CPU for IAM's 160 operations, 10 ms for EC2's 600), the same class every
time for sessions with the same event handlers. The toolkit creates a client per service in every account and
region it reads (an organization of 200 accounts read in 4 regions needs 800 EC2 clients), so it tells botocore's
client creator to reuse the class it built first, for sessions that registered themselves here (`share`).

Only the class is shared: every client still gets its own credentials, endpoint, connection pool, retry quota and
copy of the event handlers. A class depends on the service's model (one per service: every session the toolkit
builds shares one loader) and on the handlers of the `creating-client-class` event, so each family of sessions
that share their event handlers shares a cache (`ClassCache`); sessions that did not register themselves, such
as a plain boto3 session in the same process, are left to botocore. The hook is botocore's private
`ClientCreator._create_client_class`: should a botocore release drop it, nothing is replaced and clients are
built as before (only slower).
"""

from __future__ import annotations

import threading
from typing import Any
from weakref import WeakKeyDictionary

from botocore.client import ClientCreator

ClassCache = dict[tuple[str, str], type]
"""(service name, API version) -> the client class botocore built for it."""

_lock = threading.Lock()
_families: WeakKeyDictionary[Any, ClassCache] = WeakKeyDictionary()
"""A session's event emitter -> its family's cache (weakly: a session that is dropped leaves no entry)."""
_HOOK = "_create_client_class"
_original: Any = getattr(ClientCreator, _HOOK, None)


def share(emitter: Any, cache: ClassCache) -> None:
    """Clients created through the session whose event emitter is `emitter` (`session.get_component(
    "event_emitter")`) take their classes from `cache`, shared with the sessions of the same handlers."""
    with _lock:
        if _original is not None and getattr(ClientCreator, _HOOK) is _original:
            setattr(ClientCreator, _HOOK, _create_client_class)  # once, the first time it is needed
        _families[emitter] = cache


def _create_client_class(creator: Any, service_name: str, service_model: Any) -> Any:
    emitter = getattr(creator, "_event_emitter", None)
    with _lock:
        cache = None if emitter is None else _families.get(emitter)
    if cache is None:
        return _original(creator, service_name, service_model)
    key = (service_name, str(service_model.api_version))
    with _lock:
        found = cache.get(key)
    if found is None:
        built = _original(creator, service_name, service_model)
        with _lock:
            found = cache.setdefault(key, built)
    return found
