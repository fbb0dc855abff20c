"""What a `Filters` value admits, said once: conditions on a chunk's article id and published day.

Dense retrieval turns them into a Chroma `where` clause (below), BM25 into a mask over its
chunks (qa/retrieval/lexical.py), so both sides always admit the same chunks.

`checked_filters` is the gate in front of them: a filter that is misspelt, of the wrong type or
impossible (2025-02-30, a range that ends before it starts) is a `FilterError`, never a filter
that silently admits everything or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from qa.errors import FilterError
from qa.store.records import day_number
from qa.types import Filters

FILTER_KEYS = ("article_ids", "published_from", "published_to")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def checked_filters(
    filters: Filters | Mapping[str, Any] | None, names: Mapping[str, str] | None = None
) -> Filters | None:
    """`filters` (a `Filters` or a dict with the keys in FILTER_KEYS) checked and normalised;
    None when it filters nothing. A single string for `article_ids` is one id (not its letters);
    dates are ISO days ('YYYY-MM-DD', or `datetime.date`). `names`: how the caller calls each
    field in messages (the CLI says --since for published_from)."""
    if filters is None:
        return None
    if isinstance(filters, Filters):
        fields = {key: getattr(filters, key) for key in FILTER_KEYS}
    elif isinstance(filters, Mapping):
        unknown = [str(key) for key in filters if key not in FILTER_KEYS]
        if unknown:
            raise FilterError(
                f"unknown filter key{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
                f"the filter keys are {', '.join(FILTER_KEYS)}"
            )
        fields = dict(filters)
    else:
        raise FilterError(
            f"filters must be a Filters or a dict with keys {', '.join(FILTER_KEYS)}, not {type(filters).__name__}"
        )
    label = {key: key for key in FILTER_KEYS} | dict(names or {})
    checked = Filters(
        _article_ids(fields.get("article_ids"), label["article_ids"]),
        iso_day(fields.get("published_from"), label["published_from"]),
        iso_day(fields.get("published_to"), label["published_to"]),
    )
    if checked.published_from and checked.published_to and checked.published_from > checked.published_to:
        raise FilterError(
            f"{label['published_from']} {checked.published_from} is after {label['published_to']} "
            f"{checked.published_to}: no article can match; swap the dates"
        )
    return None if checked.empty else checked


def _article_ids(value: Any, name: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):  # one id: tuple("abc") would be three one-letter ids
        return (value,)
    if isinstance(value, Iterable) and not isinstance(value, (bytes, Mapping)):
        ids = list(value)
        if all(isinstance(i, str) and i for i in ids):
            return tuple(dict.fromkeys(ids))  # in order, once each
    raise FilterError(f"{name} must be an article id or a list of article ids (strings), not {value!r}")


def iso_day(value: Any, name: str) -> str:
    """'YYYY-MM-DD' for a real day ('' for none): day_number would misread anything else."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):  # a datetime too: its day
        return value.isoformat()[:10]
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value.strip()):
        raise FilterError(f"{name}: cannot read date {value!r}; use YYYY-MM-DD, e.g. 2025-07-08")
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError as exc:
        raise FilterError(f"{name}: there is no day {value.strip()} ({exc}); use a real date as YYYY-MM-DD") from None


@dataclass(frozen=True)
class Condition:
    field: str  # a chunk metadata key: "article_id" or "published_day" (see records.chunk_meta)
    op: str  # a Chroma operator: "$in", "$gt", "$gte" or "$lte"
    value: Any


def excluded_by(filters: Filters | None, article_id: str, published: str) -> str:
    """Why an article (its id and ISO published day) lies outside the filters, or "" when it is
    inside: the same rule `conditions` gives retrieval, for checking what was cited."""
    if filters is None or filters.empty:
        return ""
    if filters.article_ids and article_id not in filters.article_ids:
        return f"cites article {article_id!r}, outside the requested articles"
    if filters.published_from or filters.published_to:
        if not published:
            return f"cites article {article_id!r}, whose date is unknown"
        if filters.published_from and published < filters.published_from:
            return f"cites article {article_id!r} of {published}, before {filters.published_from}"
        if filters.published_to and published > filters.published_to:
            return f"cites article {article_id!r} of {published}, after {filters.published_to}"
    return ""


def conditions(filters: Filters | None) -> list[Condition]:
    """What a chunk must satisfy, all of it (none for no filters)."""
    if filters is None or filters.empty:
        return []
    found: list[Condition] = []
    if filters.article_ids:
        found.append(Condition("article_id", "$in", list(filters.article_ids)))
    if filters.published_from or filters.published_to:
        found.append(Condition("published_day", "$gt", 0))  # undated articles never match a date range
    if filters.published_from:
        found.append(Condition("published_day", "$gte", day_number(filters.published_from)))
    if filters.published_to:
        found.append(Condition("published_day", "$lte", day_number(filters.published_to)))
    return found


def chroma_where(filters: Filters | None) -> dict[str, Any] | None:
    """Filters as a Chroma `where` clause (None when there are none)."""
    parts = [{c.field: {c.op: c.value}} for c in conditions(filters)]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}
