"""Paginated listings, flattened: every item of `key` across the pages of `operation`."""

from __future__ import annotations

from typing import Any


def pages(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    return [item for page in client.get_paginator(operation).paginate(**kwargs) for item in page[key]]
