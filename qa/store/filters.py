"""What a `Filters` value admits, said once: conditions on a chunk's article id and published day.

Dense retrieval turns them into a Chroma `where` clause (below), BM25 into a mask over its
chunks (qa/retrieval/lexical.py), so both sides always admit the same chunks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qa.store.records import day_number
from qa.types import Filters


@dataclass(frozen=True)
class Condition:
    field: str  # a chunk metadata key: "article_id" or "published_day" (see records.chunk_meta)
    op: str  # a Chroma operator: "$in", "$gt", "$gte" or "$lte"
    value: Any


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
