"""What one source (a file, a web page, a group of in-memory articles) gives the ingest pipeline."""

from __future__ import annotations

from dataclasses import dataclass

from qa.types import Article


@dataclass(frozen=True)
class Loaded:
    """A source's articles, the ids they would get without ids of their own (by position; an
    article whose id is one of these may be given another when that one is taken, see
    qa/ingest/ids.py), and the source as the store remembers it ("" for articles from no source)."""

    articles: list[Article]
    default_ids: tuple[str, ...] = ()
    source: str = ""

    def derived(self, position: int) -> bool:
        return position < len(self.default_ids) and self.articles[position].id == self.default_ids[position]
