"""Which id an article is stored under, so that one source never replaces another's article.

An article's id comes from its source (the file name, or the page's URL) unless the source gives
one. Two sources can derive the same id ("a/report.txt" and "b/report.txt", "A b.txt" and
"a-b.txt"). The rule, applied to every article before it is written:

- The id is free, or its article came from this same source: use it.
- Its article came from a source that is no longer there (a file moved, deleted, or a web upload's
  temporary copy): the source took its place, so use it (the result line says what it replaces).
- Its article came from another source that still exists (a file on disk, a URL, or an earlier
  source of this same ingest):
  - a derived id gets a suffix made from this source's own location: `report-3fa2b1`. The suffix
    is fixed for that source, so every later ingest finds the same id ("unchanged"), and the
    first source keeps its plain id.
  - an id the source gives itself (front matter, a JSON field) is the user's choice: the source
    fails with a message naming the other source, unless its article is identical.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum

SUFFIX_CHARS = 6  # 16.7 million suffixes per name: a clash between two sources is not a concern


class Holder(Enum):
    FREE = "free"  # nobody has the id (or an article that came from no source, e.g. the Python API)
    SAME = "same"  # this source's own article
    GONE = "gone"  # a source that no longer exists
    OTHER = "other"  # another source that still exists


def is_url(location: str) -> bool:
    return location[:8].lower().startswith(("http://", "https://"))


def source_key(path: str) -> str:
    """How a source is remembered in the store: a file by its real absolute path (the same file
    reached from another folder, or through a link, is the same source), a URL as it is."""
    return path if is_url(path) else os.path.realpath(path)


def suffixed(article_id: str, source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{article_id}-{digest[:SUFFIX_CHARS]}"


def holder(stored_source: str | None, source: str) -> Holder:
    """How the source an id's article came from relates to `source` (both as `source_key` gives them;
    older stores may hold paths as they were typed)."""
    if not stored_source:
        return Holder.FREE
    if stored_source == source:
        return Holder.SAME
    if is_url(stored_source):
        return Holder.OTHER
    if os.path.realpath(stored_source) == source:
        return Holder.SAME
    return Holder.OTHER if os.path.lexists(stored_source) else Holder.GONE


@dataclass(frozen=True)
class IdChoice:
    """The id to store an article under, or why it cannot be stored (`clash`)."""

    article_id: str
    note: str = ""  # said on the result line (an id taken over or suffixed)
    clash: str = ""  # another existing source holds the id the source gave: fails unless identical


def candidates(article_id: str, source: str, derived: bool) -> tuple[str, ...]:
    """The ids `choose` may look at (to fetch their records in one call)."""
    return (article_id, suffixed(article_id, source)) if derived and source else (article_id,)


def choose(article_id: str, source: str, derived: bool, owner_of: Callable[[str], str | None]) -> IdChoice:
    """The id for an article from `source`; `owner_of(id)` is the source the id's current
    article came from (None when no article has the id)."""
    if not source:  # an article from no source keeps its id, as the Python API always did
        return IdChoice(article_id)
    if derived:
        alternative = suffixed(article_id, source)
        if holder(owner_of(alternative), source) is Holder.SAME:
            return IdChoice(alternative)  # settled on an earlier ingest
    current = owner_of(article_id)
    held = holder(current, source)
    if held in (Holder.FREE, Holder.SAME):
        return IdChoice(article_id)
    if held is Holder.GONE:
        return IdChoice(article_id, note=f"takes the place of article '{article_id}' from {current}, which is gone")
    if not derived:
        return IdChoice(article_id, clash=f"{current}")
    if holder(owner_of(alternative), source) is Holder.OTHER:  # two sources, one 24-bit suffix
        return IdChoice(alternative, clash=f"{owner_of(alternative)}")
    return IdChoice(alternative, note=f"id '{article_id}' belongs to {current}; stored as '{alternative}'")


def owners(records: Mapping[str, tuple | None]) -> dict[str, str]:
    """{id: source} from the store's records (`ArticleStore.records_of`)."""
    return {article_id: record[0].path for article_id, record in records.items() if record is not None}
