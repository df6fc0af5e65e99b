"""Reads of `bootstrap status` that fan out over many accounts (or topics, or regions), in parallel and
each on its own: one that fails is reported for itself, the others still answer.

A check that reads every account (alternate contacts, a topic per account-region, ...) calls `each` with
one function per item; it gets back, per item, the answer or the reason it could not be read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from bootstrap.aws.retry import error_code
from bootstrap.aws.session import Sessions
from bootstrap.errors import AwsError

Item = TypeVar("Item")
Answer = TypeVar("Answer")


@dataclass(frozen=True)
class Read(Generic[Item, Answer]):
    """One item's read: `answer` when it succeeded, else `failure` (why it could not be read)."""

    item: Item
    answer: Answer | None = None
    failure: str | None = None


def reason(err: ClientError | BotoCoreError | AwsError) -> str:
    """Why a read failed, in one line: the AWS error code and message, or the toolkit's own message."""
    if isinstance(err, ClientError):
        return f"{error_code(err)}: {err.response.get('Error', {}).get('Message', '')}".rstrip(": ")
    if isinstance(err, AwsError):
        return err.message
    return str(err)


def each(sessions: Sessions, items: Sequence[Item], read: Callable[[Item], Answer]) -> list[Read[Item, Answer]]:
    """`read(item)` for every item, at most `sessions.parallelism` at once, in the items' order."""

    def one(item: Item) -> Read[Item, Answer]:
        try:
            return Read(item, answer=read(item))
        except (ClientError, BotoCoreError, AwsError) as err:
            return Read(item, failure=reason(err))

    if len(items) <= 1:
        return [one(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(sessions.parallelism, len(items)), thread_name_prefix="status") as pool:
        return list(pool.map(one, items))
