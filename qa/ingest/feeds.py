"""RSS 2.0, RSS 1.0 and Atom feeds: told apart from pages by their content, read with feedparser.

A feed gives entries: the address of each article page, and the metadata the feed knows about it
(title, date, author), used where the page itself says nothing.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from qa.errors import ArticleError
from qa.text.clean import one_line

_FEED_ROOT = re.compile(rb"<(?:[A-Za-z0-9_-]+:)?(rss|feed|RDF)[\s>/]")
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE)


def looks_like_feed(data: bytes, media_type: str) -> bool:
    """True for an RSS/Atom document: by its root element, whatever the server calls it (many
    serve feeds as text/html or text/xml, and pages as application/xml)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if _HTML_ROOT.search(head[:512]):
        return False
    root = _FEED_ROOT.search(head)
    return root is not None or media_type in ("application/rss+xml", "application/atom+xml")


@dataclass(frozen=True)
class Entry:
    link: str
    title: str = ""
    published: str = ""  # ISO date, "" when the feed gives none
    author: str = ""
    feed_title: str = ""

    def fallback(self) -> dict[str, str]:
        """Metadata for the entry's page where the page has none of its own."""
        return {"title": self.title, "published": self.published, "source": self.feed_title, "author": self.author}


def feed_entries(data: bytes, url: str) -> list[Entry]:
    """The entries of a feed, in the feed's order, links made absolute; ArticleError if it has none."""
    import feedparser

    # bytes, never str: feedparser fetches a str that looks like an address
    parsed = feedparser.parse(data, response_headers={"content-location": url, "content-type": "application/xml"})
    if not parsed.entries:
        if not parsed.get("version"):
            raise ArticleError(f"looks like a feed but cannot be read ({one_line(parsed.get('bozo_exception'))})")
        raise ArticleError("the feed has no entries")
    feed_title = one_line(parsed.feed.get("title", ""))
    entries, seen = [], set()
    for item in parsed.entries:
        link = one_line(item.get("link", ""))
        if not link or link in seen:
            continue
        seen.add(link)
        stamp = item.get("published_parsed") or item.get("updated_parsed")
        published = time.strftime("%Y-%m-%d", stamp) if stamp else ""
        entries.append(Entry(link, one_line(item.get("title", "")), published, one_line(item.get("author", "")),
                             feed_title))
    if not entries:
        raise ArticleError("the feed's entries have no links to article pages")
    return entries
