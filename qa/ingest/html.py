"""Main text and metadata of a news web page: the article, not its navigation, ads or scripts.

The text is one line per block (paragraph, heading, list item, quote, or a div's own text), in
document order, with whitespace inside a line collapsed. Only `extract_article` is public.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

from qa.ingest.byline import byline_author
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
        "masthead paywall popup contact"
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
    container = _container(soup)
    _drop_tail(container)
    return metadata, "\n".join(line for line in _lines(container) if not _BOILERPLATE_LINE.match(line))


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


_DATE_KEYS = ("article:published_time", "date", "pubdate", "publishdate", "datepublished", "dc.date",
              "dc.date.issued", "dcterms.created", "sailthru.date", "parsely-pub-date", "og:published_time")
# " | Site", " - Site", " — Site", ":: Site" around a headline in <title> or og:title
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—·•»]|::)\s+")


def _metadata(soup: BeautifulSoup) -> dict[str, str]:
    meta = _meta_values(soup)
    linked = _json_ld(soup)
    site = _first(meta, "og:site_name", "application-name") or linked.get("publisher", "")
    heading = _heading(soup, site)
    given = _first(meta, "og:title", "twitter:title") or linked.get("headline", "")
    page_title = soup.find("title")
    titles = [given, one_line(page_title.get_text(" ")) if page_title else ""]
    if heading and (headline := _headline_under_site_heading(soup, heading, titles)):
        site, heading = site or heading, headline
    title = next((_without_site(t, heading, site) for t in titles if t), "") or heading
    if not heading and title:
        title = _shown_part(soup, title)
    canonical = soup.find("link", rel="canonical")
    url = one_line(canonical.get("href") or "") if canonical else ""
    published = _first(meta, *_DATE_KEYS) or linked.get("published", "")
    if not published:
        marked = soup.find(None, attrs={"itemprop": "datePublished"})  # e.g. <time itemprop=...>
        if marked is not None:
            published = one_line(marked.get("datetime") or marked.get("content") or marked.get_text(" "))
    if not published:
        time_tag = soup.find("time", attrs={"datetime": True})
        published = one_line(time_tag["datetime"]) if time_tag else ""
    if not published:
        published = _byline_date(soup)
    return {
        "title": title,
        "source": site,
        "url": url or _first(meta, "og:url") or linked.get("url", ""),
        "published": published,
        "author": _first(meta, "author", "article:author", "byl", "parsely-author") or linked.get("author", "")
        or byline_author(soup, title),
    }


def _heading(soup: BeautifulSoup, site: str) -> str:
    """The page's <h1>, unless it is the site's name in a logo."""
    for h1 in soup.find_all("h1", limit=3):
        text = one_line(h1.get_text(" "))
        if text and text.lower() != site.lower():
            return text
    return ""


def _headline_under_site_heading(soup: BeautifulSoup, heading: str, titles: list[str]) -> str:
    """A page whose <h1> is the site's name in its banner (so also a part at either end of
    <title>: "Avalen Borough Council | News | Headline") and whose headline is an <h2>/<h3>
    that is another part of the title: that headline ("" when the page is not like that)."""
    for title in titles:
        parts = [p for p in _TITLE_SEPARATORS.split(title) if p]
        if len(parts) < 2 or heading not in (parts[0], parts[-1]):
            continue
        for tag in soup.find_all(("h2", "h3"), limit=10):
            text = one_line(tag.get_text(" "))
            if text != heading and text in parts:
                return text
    return ""


def _without_site(title: str, heading: str, site: str) -> str:
    """A <title>/og:title without the site's name around it: the part that is the page's <h1>,
    else the parts other than the site name, else the longest part."""
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p]
    if len(parts) < 2:
        return title
    if heading and heading in parts:
        return heading
    rest = [p for p in parts if p.lower() != site.lower()] if site else []
    if site and 0 < len(rest) < len(parts):
        return " - ".join(rest)
    if heading and title.startswith(heading):
        return heading
    return title if not site and not heading else max(parts, key=len)


def _shown_part(soup: BeautifulSoup, title: str) -> str:
    """For a page with no <h1>: a title of two parts around ": " ("County Herald: Pier reopens")
    is cut to the part the page shows as a text of its own (its headline, in bold or a <font>),
    so a site name before a colon is dropped while "Storm: three dead" stays whole."""
    parts = [p.strip() for p in title.split(": ", 1)]
    if len(parts) < 2 or not all(parts):
        return title
    body = soup.body or soup
    shown = [p for p in parts if body.find(string=lambda s, p=p: one_line(str(s)) == p) is not None]
    return shown[0] if len(shown) == 1 else title


def _json_ld(soup: BeautifulSoup) -> dict[str, str]:
    """headline, published, author, publisher and url of the page's first schema.org article."""
    import json

    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        try:
            data = json.loads(script.string or "")
        except (ValueError, RecursionError):
            continue
        for item in _ld_items(data):
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and ("Article" in k or k in ("BlogPosting", "Report")) for k in kinds):
                return {
                    "headline": one_line(_ld_text(item.get("headline") or item.get("name"))),
                    "published": one_line(_ld_text(item.get("datePublished") or item.get("dateCreated"))),
                    "author": one_line(_ld_text(item.get("author"))),
                    "publisher": one_line(_ld_text(item.get("publisher"))),
                    "url": one_line(_ld_text(item.get("mainEntityOfPage") or item.get("url"))),
                }
    return {}


def _ld_items(data: object, depth: int = 0) -> list[dict]:
    if depth > 3:
        return []
    if isinstance(data, list):
        return [i for d in data for i in _ld_items(d, depth + 1)]
    if isinstance(data, dict):
        return [data, *_ld_items(data.get("@graph"), depth + 1)]
    return []


def _ld_text(value: object) -> str:
    """A JSON-LD value as text: a string, an object's name or @id, a list's first such."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _ld_text(value.get("name") or value.get("@id") or "")
    if isinstance(value, list) and value:
        return ", ".join(t for t in (_ld_text(v) for v in value[:3]) if t)
    return ""


_DATE_IN_TEXT = re.compile(
    r"\b(\d{4}-\d{2}-\d{2}|\d{1,2}(?:st|nd|rd|th)?\s[A-Z][a-z]{2,8}\.?,?\s\d{4}|[A-Z][a-z]{2,8}\.?\s\d{1,2}(?:st|nd|rd|th)?,?\s\d{4})\b"
)


def _byline_date(soup: BeautifulSoup) -> str:
    """A date written near the headline ("Published 4 March 2025", "Posted on March 4, 2025"):
    the first readable one in the few lines after the <h1> (or the top of the body)."""
    from qa.ingest.dates import parse_date

    start = soup.find("h1") or soup.body
    if start is None:
        return ""
    for count, node in enumerate(start.find_all_next(string=True)):
        if count > 40:
            break
        if isinstance(node, NavigableString) and node.parent is not None and node.parent.name not in ("script", "style"):
            for found in _DATE_IN_TEXT.finditer(str(node)):
                try:
                    return parse_date(found[1])
                except ValueError:
                    continue
    return ""


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
        densest = max(parents.values(), key=_own_paragraph_chars)
        continued = any(_same_kind(s, densest) for s in densest.find_next_siblings(True))
        # a story split into <section>s: their parent holds it all
        candidates.append(densest.parent if continued and isinstance(densest.parent, Tag) else densest)
    else:  # text straight in <div>s, lines split by <br>: the element with the most text of its own
        holders = {id(t.parent): t.parent for t in soup.find_all(string=True) if isinstance(t.parent, Tag)}
        if holders:
            candidates.append(max(holders.values(), key=_own_text_chars))
    for candidate in candidates:
        if candidate is not None and _word_chars(candidate) >= _CONTAINER_MIN_WORD_CHARS:
            return candidate
    return soup.body or soup


def _own_text_chars(tag: Tag) -> int:
    return sum(len(t) for t in tag.find_all(string=True, recursive=False) if type(t) is NavigableString)


_TAIL_MAX_WORDS = 30


def _drop_tail(container: Tag | BeautifulSoup) -> None:
    """Short blocks after the article's body (the densest paragraph parent inside the container):
    trust notices, sign-up boxes and sponsored links that sit inside <main> but after the story."""
    parents = {id(p.parent): p.parent for p in container.find_all("p") if isinstance(p.parent, Tag)}
    if not parents:
        return
    body = max(parents.values(), key=_own_paragraph_chars)
    node: Tag | None = body
    while node is not None and node is not container:
        for sibling in list(node.find_next_siblings(True)):
            if node is body and _same_kind(sibling, body):
                continue  # the story goes on in the next <section> (or div of the same class)
            if len(sibling.get_text(" ").split()) < _TAIL_MAX_WORDS and not sibling.find(["article", "main"]):
                sibling.decompose()
        node = node.parent if isinstance(node.parent, Tag) else None


def _same_kind(tag: Tag, other: Tag) -> bool:
    return tag.name == other.name and tag.get("class") == other.get("class") and tag.find("p") is not None


# Lines that are page furniture in any news site's words (promos, ad labels, wire sign-offs).
_BOILERPLATE_LINE = re.compile(
    r"^(?:advertisement|advertising|sponsored(?: content)?|continue reading(?: below)?|read more\b|read also\b|"
    r"see also\b|share this(?: story| article)?|follow us\b|sign up\b|subscribe\b|"
    r"(?:additional )?reporting by\b|writing by\b|editing by\b|"
    r"this (?:article|story) (?:first )?(?:appears|appeared|was published) in\b)",
    re.IGNORECASE,
)


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
