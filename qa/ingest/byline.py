"""The author of a news page from its byline, for pages whose <meta> and JSON-LD name none.

Bylines come in many shapes: `<span itemprop="author">`, `<a rel="author">`, a "byline" or
"author" class ("By Ana Ruiz", "Ana Ruiz · 4 Mar"), "Posted on March 4, 2025 by Ana Ruiz",
or a bare "Ana Ruiz | 2025-03-04" line under the headline. A name is a few capitalised words;
anything else (a date, "Staff", a sentence) is not taken.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from qa.text.clean import one_line

# class/id words of an element holding the byline (an "author-bio" box at the foot is not one)
_BYLINE_CLASS = re.compile(r"(?:^|[\s_-])(?:byline|by-line|author|authors|by|writer|credit)(?:$|[\s_-])", re.I)
_NOT_BYLINE_CLASS = re.compile(r"bio|info|about|box|avatar|photo|image", re.I)
_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’.-]*"
_NAME = rf"{_WORD}(?:\s+(?:(?:van|von|de|da|del|der|di|du|la|le|bin|al)\s+)?{_WORD}){{1,3}}"
_LEADING_BY = re.compile(r"^\s*(?:written\s+)?by\s+", re.I)
_SEPARATORS = re.compile(r",\s+|\s+(?:[|·•–—-]|and)\s+|\.\s+|\s{2,}")
_LINES_AFTER_HEADING = 12  # a bare byline sits right under the <h1>
_MAX_BYLINE_CHARS = 120


def byline_author(soup: BeautifulSoup, title: str = "") -> str:
    """The author named in the page's byline, "" when none is found (`title`: the page's
    headline, to find the lines under it when it is not an <h1>)."""
    for tag in soup.find_all(None, attrs={"itemprop": "author"}, limit=3):
        named = tag.find(None, attrs={"itemprop": "name"})
        if name := _name_in(one_line((named or tag).get_text(" "))):
            return name
    for tag in soup.find_all("a", rel="author", limit=3):
        if name := _name_in(one_line(tag.get_text(" "))):
            return name
    for tag in soup.find_all(_marked_byline, limit=6):
        if name := _name_in(one_line(tag.get_text(" "))):
            return name
    return _after_heading(soup, title)


def _marked_byline(tag: Tag) -> bool:
    marks = " ".join([*(tag.get("class") or []), str(tag.get("id") or "")])
    return bool(_BYLINE_CLASS.search(marks)) and not _NOT_BYLINE_CLASS.search(marks)


def _name_in(text: str) -> str:
    """The first name in a short byline text ("By Ana Ruiz. Published ..." -> "Ana Ruiz")."""
    if not text or len(text) > _MAX_BYLINE_CHARS:
        return ""
    posted = re.search(rf"\bby\s+({_NAME})", text)  # "Posted on 4 March by Ana Ruiz"
    if posted:
        return posted[1].rstrip(".")
    for part in _SEPARATORS.split(_LEADING_BY.sub("", text)):
        found = re.fullmatch(_NAME, part.strip().rstrip("."))
        if found and not any(ch.isdigit() for ch in part):
            return found[0]
    return ""


def _after_heading(soup: BeautifulSoup, title: str) -> str:
    """A byline with no markup, in the few lines under the headline (the <h1>, else the element
    whose text is the title): "By NAME ...", "Posted on DATE by NAME", "NAME | DATE", or a bare
    name set in italics or small print."""
    heading = soup.find("h1") or (soup.find(string=lambda s: one_line(str(s)) == title) if title else None)
    if heading is None:
        return ""
    for count, node in enumerate(heading.find_all_next(string=True)):
        if count > _LINES_AFTER_HEADING:
            break
        text = one_line(str(node))
        parent = node.parent.name if node.parent is not None else ""
        if not text or text == title or parent in ("script", "style"):
            continue
        byline = (_LEADING_BY.match(text) or re.search(rf"\bby\s+{_NAME}\.?$", text)
                  or re.match(rf"^{_NAME}\s+[|·•]\s+\S*\d", text)
                  or (parent in ("i", "em", "small", "address") and re.fullmatch(_NAME, text)))
        if byline and len(text) <= _MAX_BYLINE_CHARS and (name := _name_in(text)):
            return name
    return ""
