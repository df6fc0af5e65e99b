"""The apply lock: one apply at a time per organization, respected by every machine that runs the toolkit.

Two applies at once both plan the same creates and both make them (two keys for one purpose, an alias moved
between them, one journal written by both). The journal is a local file, so it cannot be the lock; the lock
lives where every operator's apply looks: an SSM parameter in the management account's home region, created
with `Overwrite=False`, which AWS makes atomic. Its value says who holds it (the caller's ARN), where (host
and process id) and since when, with a lease. An apply that finds it held refuses, naming the holder.

A lock whose holder died is broken in two ways. On the same host, a holder process that no longer exists
cannot be applying, so the lock is taken over (and said so). Elsewhere only a person can tell: past its lease
the refusal says the lock looks stale; either way `bootstrap apply --force-unlock ID` removes it, as
`terraform force-unlock` does. `plan` only reads and takes no lock.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bootstrap.aws.retry import error_code
from bootstrap.errors import AwsError, InputError, SafetyError
from bootstrap.render.permissions import LOCK_ACTIONS, LOCK_PARAMETER

PARAMETER = LOCK_PARAMETER
LEASE = timedelta(hours=2)
"""How long a lock is trusted without question: longer than an apply that creates accounts takes."""


@dataclass(frozen=True)
class LockInfo:
    id: str
    who: str
    host: str
    pid: int
    since: str
    lease_until: str

    def describe(self) -> str:
        return f"{self.who} on {self.host} (process {self.pid}) since {self.since}"

    def expired(self, now: datetime) -> bool:
        return now >= _parse(self.lease_until)

    def holder_gone(self) -> bool:
        """Whether the holder is a process of this host that no longer runs (it was killed)."""
        if self.host != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False  # it runs, as another user
        return False


def _parse(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class ApplyLock:
    """Takes, reads and releases the lock through an SSM client of the management account."""

    def __init__(self, ssm: Any, who: str, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.ssm = ssm
        self.who = who or "unknown caller"
        self.clock = clock

    def holder(self) -> LockInfo | None:
        try:
            value = self.ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"]
        except ClientError as err:
            if error_code(err) == "ParameterNotFound":
                return None
            raise
        try:
            return LockInfo(**json.loads(value))
        except (ValueError, TypeError):
            return LockInfo("unreadable", str(value)[:80], "?", 0, "?", "1970-01-01T00:00:00Z")

    def acquire(self) -> LockInfo:
        now = self.clock()
        mine = LockInfo(
            id=uuid.uuid4().hex[:12],
            who=self.who,
            host=socket.gethostname(),
            pid=os.getpid(),
            since=_stamp(now),
            lease_until=_stamp(now + LEASE),
        )
        for _ in range(2):  # a second try only after a dead holder's lock was removed
            try:
                self.ssm.put_parameter(
                    Name=PARAMETER,
                    Value=json.dumps(asdict(mine)),
                    Type="String",
                    Overwrite=False,
                    Description="Held by a running `bootstrap apply`; see `bootstrap apply --force-unlock`.",
                )
                return mine
            except ClientError as err:
                if error_code(err) != "ParameterAlreadyExists":
                    raise
            held = self.holder()
            if held is None:
                continue  # released between our put and our read
            if held.holder_gone():
                self._delete_if(held.id)
                continue
            raise _held(held, now)
        raise SafetyError(
            "another apply took the lock as this one started", "Wait for it to finish, then run apply again."
        )

    def release(self, info: LockInfo) -> None:
        """Remove the lock if it is still ours (a force-unlock may have given it to someone else)."""
        self._delete_if(info.id)

    def force_unlock(self, lock_id: str) -> LockInfo:
        held = self.holder()
        if held is None:
            raise InputError("the apply lock is not held; nothing to unlock", "Run `bootstrap apply`.")
        if held.id != lock_id:
            raise InputError(
                f"the apply lock is held with id {held.id} ({held.describe()}), not {lock_id}",
                f"Check that apply is not running, then run `bootstrap apply --force-unlock {held.id}`.",
            )
        self._delete_if(held.id)
        return held

    def _delete_if(self, lock_id: str) -> None:
        held = self.holder()
        if held is None or held.id != lock_id:
            return
        try:
            self.ssm.delete_parameter(Name=PARAMETER)
        except ClientError as err:
            if error_code(err) != "ParameterNotFound":
                raise


def _held(held: LockInfo, now: datetime) -> SafetyError:
    unlock = f"`bootstrap apply --force-unlock {held.id}`"
    if held.expired(now):
        return SafetyError(
            f"another apply holds the lock: {held.describe()}; its lease ran out at {held.lease_until}, "
            "so it has probably stopped without releasing it",
            f"If no apply is running there, break the lock with {unlock} and run apply again.",
        )
    return SafetyError(
        f"another apply is running: {held.describe()} holds the lock (lease until {held.lease_until})",
        f"Wait for it to finish and run apply again. If you are sure it stopped, {unlock} breaks the lock.",
    )


@contextmanager
def holding(lock: ApplyLock) -> Iterator[LockInfo]:
    """Hold the lock for the block: released on success, on failure and on Ctrl-C."""
    info = _acquire(lock)
    try:
        yield info
    except BaseException:
        # The error in flight says more than a failed release; a lock this process leaves behind is taken
        # over by the next apply on this host, and named (with --force-unlock) on any other.
        with suppress(ClientError, BotoCoreError):
            lock.release(info)
        raise
    try:
        lock.release(info)
    except (ClientError, BotoCoreError) as err:
        raise AwsError(
            f"could not release the apply lock ({err})",
            f"Run `bootstrap apply --force-unlock {info.id}` before the next apply.",
        ) from None


def _acquire(lock: ApplyLock) -> LockInfo:
    try:
        return lock.acquire()
    except (ClientError, BotoCoreError) as err:
        raise AwsError(
            f"could not take the apply lock (SSM parameter {PARAMETER}): {err}",
            f"The caller needs {', '.join(LOCK_ACTIONS)} in the management account's home region "
            "(`bootstrap permissions` grants them).",
        ) from None
