"""Keyset pagination: stable, index-friendly pages ("after this row"), never OFFSET.

A cursor is an opaque url-safe token holding the ordering values of the last row shown.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet

M = TypeVar("M", bound=Model)


class BadCursorError(ValueError):
    pass


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([v if isinstance(v, (int, str)) or v is None else str(v) for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str, size: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError) as exc:
        raise BadCursorError(token) from exc
    if not isinstance(values, list) or len(values) != size:
        raise BadCursorError(token)
    return values


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None
    base_query: dict[str, str] = field(default_factory=dict)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return "after" in self.base_query

    @property
    def next_url(self) -> str | None:
        if self.next_cursor is None:
            return None
        query = {k: v for k, v in self.base_query.items() if k != "after"}
        return "?" + urlencode({**query, "after": self.next_cursor})

    @property
    def previous_url(self) -> str | None:
        """Back to the first page (keyset pages go forward; the first page is one click away)."""
        if not self.has_previous:
            return None
        query = {k: v for k, v in self.base_query.items() if k != "after"}
        return "?" + urlencode(query)


def keyset_page(
    qs: QuerySet[M],
    *,
    order: tuple[str, ...],
    after: str | None,
    limit: int,
    base_query: dict[str, str] | None = None,
) -> Page[M]:
    """One page of `qs` ordered by `order` (the last field must be unique, e.g. "id"; a leading
    "-" orders that field descending, e.g. ("-id",) for newest first).

    Fetches limit + 1 rows in a single query to know whether there is a next page.
    Raises BadCursorError for a malformed token (views answer 400).
    """
    qs = qs.order_by(*order)
    if after:
        values = decode_cursor(after, len(order))
        condition = Q()
        fields = [name.removeprefix("-") for name in order]
        for i, name in enumerate(order):
            beyond = "lt" if name.startswith("-") else "gt"
            step = Q(**{f"{fields[i]}__{beyond}": values[i]})
            for prev_field, prev_value in zip(fields[:i], values[:i], strict=True):
                step &= Q(**{prev_field: prev_value})
            condition |= step
        try:
            qs = qs.filter(condition)
        except (ValueError, TypeError, ValidationError) as exc:  # a value of the wrong type
            raise BadCursorError(after) from exc
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([_value(last, name.removeprefix("-")) for name in order])
    return Page(items=rows, next_cursor=next_cursor, base_query=dict(base_query or {}))


def _value(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj
