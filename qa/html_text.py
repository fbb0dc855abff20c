"""Main text and metadata of a news web page: the article, not its navigation, ads or scripts."""

from __future__ import annotations

import re

_DROP_TAGS = (
    "script", "style", "noscript", "template", "svg", "iframe", "form", "nav", "header", "footer",
    "aside", "button", "figure", "figcaption", "select", "input", "dialog",
)
_DROP_ROLES = {"navigation", "complementary", "banner", "contentinfo", "search", "dialog"}
_BOILERPLATE = re.compile(
    r"\b(?:nav|navbar|menu|sidebar|side-bar|related|share|sharing|social|comments?|advert|ads?|"
    r"promo|cookie|newsletter|subscribe|breadcrumbs?|footer|masthead|paywall)\b",
    re.IGNORECASE,
)
_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt", "td")


def _meta(soup, *selectors: tuple[str, str]) -> str:
    for attr, value in selectors:
        tag = soup.find("meta", attrs={attr: value})
        if tag and tag.get("content", "").strip():
            return tag["content"].strip()
    return ""


def _metadata(soup) -> dict[str, str]:
    title = _meta(soup, ("property", "og:title"), ("name", "twitter:title"))
    if not title and soup.title and soup.title.string:
        title = soup.title.string.strip()
    if not title and soup.find("h1"):
        title = soup.find("h1").get_text(" ", strip=True)
    canonical = soup.find("link", rel="canonical")
    url = canonical.get("href", "").strip() if canonical else ""
    published = _meta(
        soup, ("property", "article:published_time"), ("name", "date"), ("name", "pubdate"),
        ("name", "publishdate"), ("itemprop", "datePublished"),
    )
    if not published:
        time_tag = soup.find("time", attrs={"datetime": True})
        published = time_tag["datetime"].strip() if time_tag else ""
    return {
        "title": title,
        "source": _meta(soup, ("property", "og:site_name"), ("name", "application-name")),
        "url": url or _meta(soup, ("property", "og:url")),
        "published": published,
    }


def _is_boilerplate(tag) -> bool:
    if tag.get("role", "") in _DROP_ROLES:
        return True
    marks = " ".join([*(tag.get("class") or []), tag.get("id") or ""])
    return bool(marks and _BOILERPLATE.search(marks))


def _paragraph_text(tag) -> int:
    return sum(len(p.get_text()) for p in tag.find_all("p"))


def _container(soup):
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=_paragraph_text)
    for candidate in (soup.find("main"), soup.find(attrs={"role": "main"})):
        if candidate is not None:
            return candidate
    parents = [p.parent for p in soup.find_all("p") if p.parent is not None]
    if parents:
        return max(parents, key=_paragraph_text)
    return soup.body or soup


def _lines(container) -> list[str]:
    lines = []
    for tag in container.find_all(_BLOCKS):
        if tag.find_parent(_BLOCKS):  # nested blocks: the outer one already holds the text
            continue
        text = " ".join(tag.get_text(" ").split())
        if text:
            lines.append(text)
    if not lines:  # a page of bare text inside divs
        lines = [" ".join(s.split()) for s in container.stripped_strings]
    return [line for line in lines if line]


def extract_article(html: str) -> tuple[dict[str, str], str]:
    """(metadata, main text). Metadata keys: title, source, url, published (raw); "" when absent."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    metadata = _metadata(soup)
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed if hasattr(tag, "decomposed") else False:
            continue
        if tag.name not in ("html", "body", "article", "main") and _is_boilerplate(tag):
            tag.decompose()
    return metadata, "\n".join(_lines(_container(soup)))
