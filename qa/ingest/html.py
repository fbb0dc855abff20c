"""Main text and metadata of a news web page: the article, not its navigation, ads or scripts.

The text is one line per block (paragraph, heading, list item, quote, or a div's own text), in
document order, with whitespace inside a line collapsed. Only `extract_article` is public.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

from qa.text.clean import one_line

# Elements that never hold article text.
_DROP_TAGS = (
    "script style noscript template svg iframe form nav header footer aside button figure figcaption "
    "select input textarea dialog object"
).split()
_DROP_ROLES = {"navigation", "complementary", "banner", "contentinfo", "search", "menu", "dialog"}
# class/id words that mark page furniture; matched against whole words of the attribute
_BOILERPLATE_WORDS = set(
    (
        "nav navbar navigation menu sidebar related share sharing social comment comments advert "
        "advertisement ad ads cookie cookies newsletter subscribe promo breadcrumb breadcrumbs footer "
        "masthead paywall popup"
    ).split()
)
# Each of these starts a new line of text; other elements (a, span, b, ...) are inline.
_BLOCK_TAGS = set(
    (
        "p h1 h2 h3 h4 h5 h6 li blockquote pre div section article main body html ul ol dl dt dd table "
        "tr caption address hr br details summary"
    ).split()
)
_CELL_TAGS = {"td", "th"}  # cells of one row share a line, separated by a space
_CONTAINER_MIN_WORD_CHARS = 20


def extract_article(html: str) -> tuple[dict[str, str], str]:
    """(metadata, main text). Metadata keys: title, source, url, published (raw); "" when absent."""
    soup = BeautifulSoup(html, "lxml")
    metadata = _metadata(soup)  # before cleaning: <time> and <h1> may sit in dropped parts
    _drop_furniture(soup)
    return metadata, "\n".join(_lines(_container(soup)))


# ----- metadata -----------------------------------------------------------------------------
def _meta_values(soup: BeautifulSoup) -> dict[str, str]:
    """First non-empty content of each <meta> by its lower-cased property/name/itemprop."""
    values: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        content = one_line(tag.get("content") or "")
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = tag.get(attr)
            if isinstance(key, str) and key.strip():
                values.setdefault(key.strip().lower(), content)
    return values


def _first(values: dict[str, str], *keys: str) -> str:
    return next((values[k] for k in keys if values.get(k)), "")


def _metadata(soup: BeautifulSoup) -> dict[str, str]:
    meta = _meta_values(soup)
    title = _first(meta, "og:title", "twitter:title")
    for tag_name in ("title", "h1"):
        if not title:
            heading = soup.find(tag_name)
            if heading:
                title = one_line(heading.get_text(" "))
    canonical = soup.find("link", rel="canonical")
    url = one_line(canonical.get("href") or "") if canonical else ""
    published = _first(meta, "article:published_time", "date", "pubdate", "publishdate", "datepublished")
    if not published:
        marked = soup.find(None, attrs={"itemprop": "datePublished"})  # e.g. <time itemprop=...>
        if marked is not None:
            published = one_line(marked.get("datetime") or marked.get("content") or marked.get_text(" "))
    if not published:
        time_tag = soup.find("time", attrs={"datetime": True})
        published = one_line(time_tag["datetime"]) if time_tag else ""
    return {
        "title": title,
        "source": _first(meta, "og:site_name", "application-name"),
        "url": url or _first(meta, "og:url"),
        "published": published,
    }


# ----- cleaning -----------------------------------------------------------------------------
def _paragraph_chars(tag: Tag) -> int:
    return sum(len(p.get_text()) for p in tag.find_all("p"))


def _marked_as_furniture(tag: Tag) -> bool:
    role = tag.get("role")
    if isinstance(role, str) and role.strip().lower() in _DROP_ROLES:
        return True
    classes: str | list[str] = tag.get("class") or []
    words = re.split(r"[^a-z0-9]+", " ".join([*classes, str(tag.get("id") or "")]).lower())
    return not _BOILERPLATE_WORDS.isdisjoint(words)


def _drop_furniture(soup: BeautifulSoup) -> None:
    for tag in soup.find_all([*_DROP_TAGS, "link", "meta", "title"]):
        tag.decompose()
    for tag in soup.find_all(None, attrs={"hidden": True}):
        tag.decompose()
    total = _paragraph_chars(soup)
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in ("html", "body") or not _marked_as_furniture(tag):
            continue
        # A page wrapper such as <div class="page has-sidebar"> also matches; keep any element
        # that holds the article itself or most of the page's paragraph text.
        if tag.name in ("article", "main") or tag.find(["article", "main"]):
            continue
        if total and _paragraph_chars(tag) * 2 > total:
            continue
        tag.decompose()


# ----- container and lines ------------------------------------------------------------------
def _own_paragraph_chars(tag: Tag) -> int:
    return sum(len(p.get_text()) for p in tag.find_all("p", recursive=False))


def _word_chars(tag: Tag) -> int:
    return len(re.findall(r"\w", tag.get_text(" ")))


def _container(soup: BeautifulSoup) -> Tag | BeautifulSoup:
    """The element holding the article: <article>, <main>, [role=main], the densest paragraph
    parent, else <body>. A candidate with almost no text (e.g. an empty teaser card) is skipped."""
    candidates: list[Tag | None] = []
    articles = soup.find_all("article")
    if articles:
        candidates.append(max(articles, key=_paragraph_chars))  # max keeps the first on ties
    candidates += [soup.find("main"), soup.find(None, attrs={"role": "main"})]
    parents = {id(p.parent): p.parent for p in soup.find_all("p") if isinstance(p.parent, Tag)}
    if parents:
        candidates.append(max(parents.values(), key=_own_paragraph_chars))
    for candidate in candidates:
        if candidate is not None and _word_chars(candidate) >= _CONTAINER_MIN_WORD_CHARS:
            return candidate
    return soup.body or soup


def _line_key(node: NavigableString, container: Tag | BeautifulSoup) -> tuple[int, int]:
    """Identity of the nearest block (and table cell) around a text node: text nodes with the
    same key belong to one line. Walks up iteratively, so deep nesting cannot overflow."""
    cell = 0
    parent = node.parent
    while parent is not None and parent is not container:
        if parent.name in _CELL_TAGS and not cell:
            cell = id(parent)
        if parent.name in _BLOCK_TAGS:
            return id(parent), cell
        parent = parent.parent
    return id(container), cell


def _lines(container: Tag | BeautifulSoup) -> list[str]:
    lines: list[str] = []
    current: list[str] = []
    key: tuple[int, int] | None = None

    def flush() -> None:
        text = one_line("".join(current))
        if text:
            lines.append(text)
        current.clear()

    for node in container.descendants:
        if isinstance(node, Tag):
            if node.name in ("br", "hr"):  # a line break inside a block still ends the line
                flush()
            continue
        if type(node) is not NavigableString:  # comments, doctype, CDATA, processing instructions
            continue
        new_key = _line_key(node, container)
        if key is not None and new_key[0] != key[0]:
            flush()
        elif key is not None and new_key[1] != key[1]:
            current.append(" ")
        key = new_key
        current.append(str(node))
    flush()
    return lines
