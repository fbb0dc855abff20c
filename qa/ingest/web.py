"""Web addresses as ingest sources: a page gives one article, a feed gives one source per entry.

Pages are fetched by a small pool of threads ahead of the pipeline, in order: the addresses the
user gave a window at a time, a feed's entry pages as the pipeline reaches them. Each source's
`load()` waits for its own page only, so a slow server holds up its own line, not the others.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from urllib.parse import parse_qsl, urljoin, urlsplit

from qa.errors import ArticleError
from qa.ingest.feeds import Entry, feed_entries, looks_like_feed
from qa.ingest.fetch import TEXT_TYPES, Fetched, Fetcher, FetchOptions, normal_url
from qa.ingest.formats import html_article, slug, text_article
from qa.ingest.sources import Loaded

WORKERS = 4  # pages fetched at once
WINDOW = 16  # addresses given by the user fetched ahead of the pipeline
_GENERIC = {"index", "article", "articles", "story", "stories", "news", "post", "posts", "default", "amp",
            "print", "view", "show", "item", "detail", "content", "page", "home", "feed", "rss"}

_FILE_NAMES = {"index", "default", "amp", "print", "view", "show", "article", "story", "post"}

Source = tuple[str, Callable[[], Loaded]]


def url_id(url: str) -> str:
    """An article id from a page address: its last meaningful path segment
    (".../2025/03/storm-hits-coast.html" -> "storm-hits-coast"); with the segment before it and
    the query's values when that alone says nothing (".../news/12345", "article.php?id=7")."""
    parts = urlsplit(url)
    segments = [s.rsplit(".", 1)[0] if "." in s else s for s in parts.path.split("/")]
    named = [slug(s) for s in segments if any(c.isalnum() for c in s)]
    last = named[-1] if named else ""
    if last and last not in _GENERIC and any(c.isalpha() for c in last) and len(last) > 3:
        return last[:100]
    words = [n for n in named[-2:] if n not in _FILE_NAMES]
    words += [slug(v) for _, v in parse_qsl(parts.query) if any(c.isalnum() for c in v)][:2]
    found = "-".join(words)[:100]
    host = slug(parts.hostname or "page")
    return found if any(c.isalpha() for c in found) else f"{host}-{found}" if found else host


def page_loaded(fetched: Fetched, entry: Entry | None = None) -> Loaded:
    """The article of a fetched page (`entry`: what a feed said about it)."""
    if looks_like_feed(fetched.data, fetched.content_type):
        raise ArticleError("a feed, where a feed entry's article page was expected")
    source, default = normal_url(fetched.url), url_id(fetched.final_url)
    if fetched.content_type in TEXT_TYPES:
        article = text_article(source, fetched.data, default, fetched.charset)
    else:
        article = html_article(source, fetched.data, default, fetched.charset, entry.fallback() if entry else None)
    url = urljoin(fetched.final_url, article.url) if article.url else fetched.final_url
    return Loaded([replace(article, url=url if re.match(r"https?://", url) else fetched.final_url)], (default,), source)


class WebReader:
    """Fetches the pages of one ingest. `start(urls)` with the addresses the user gave, then
    `sources(url)` for each of them in the same order."""

    def __init__(self, options: FetchOptions, workers: int = WORKERS, window: int = WINDOW):
        self.fetcher = Fetcher(options)
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="qa-fetch")
        self.window = window
        self._waiting: deque[str] = deque()
        self._ahead: deque[tuple[str, Future[Fetched]]] = deque()

    def close(self) -> None:
        for _, future in self._ahead:
            future.cancel()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.fetcher.close()

    def start(self, urls: list[str]) -> None:
        self._waiting.extend(urls)
        self._top_up()

    def _top_up(self) -> None:
        while self._waiting and len(self._ahead) < self.window:
            url = self._waiting.popleft()
            self._ahead.append((url, self.pool.submit(self.fetcher.fetch, url)))

    def sources(self, url: str, on_found: Callable[[int], None] | None = None) -> Iterator[Source]:
        """The sources behind one address the user gave: the page, or a feed's entry pages."""
        given, future = self._ahead.popleft()
        assert given == url, "sources() must follow the order given to start()"
        self._top_up()
        try:
            fetched = future.result()
        except ArticleError as exc:
            yield url, _failing(exc)
            return
        if not looks_like_feed(fetched.data, fetched.content_type):
            yield url, lambda: page_loaded(fetched)
            return
        try:
            entries = feed_entries(fetched.data, fetched.final_url)
        except ArticleError as exc:
            yield url, _failing(exc)
            return
        if on_found is not None and len(entries) > 1:
            on_found(len(entries) - 1)  # the feed itself was counted as one source
        for entry in entries:
            yield entry.link, _entry_loader(self.pool.submit(self.fetcher.fetch, entry.link), entry)


def _entry_loader(page: Future[Fetched], entry: Entry) -> Callable[[], Loaded]:
    return lambda: page_loaded(page.result(), entry)


def _failing(error: ArticleError) -> Callable[[], Loaded]:
    def load() -> Loaded:
        raise error

    return load
