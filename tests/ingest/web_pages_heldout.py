"""Three more site templates, written after the extractor was tuned on web_pages.py and not used
to tune it: the held-out check of the extraction figures (each wraps all sixteen stories)."""

from __future__ import annotations

import html
import json
from datetime import date

from web_pages import Page
from web_stories import STORIES, Story

e = html.escape


def _short(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.strftime('%b')} {d.day}, {d.year}"


def newsroom(story: Story, site: str, url: str) -> tuple[str, list[str]]:
    """A newsroom CMS: BEM classes, an inline "Related" list inside the body, a quote card."""
    related = ["Related: Five questions about the new budget", "Related: What the vote means for renters"]
    boiler = [*related, "Copy link", "Listen to this article", "Most viewed", "Terms of use",
              "Manage your privacy choices"]
    paragraphs = [f'<p class="article__paragraph">{e(p)}</p>' for p in story.paragraphs]
    paragraphs.insert(2, '<div class="article__related"><ul>' + "".join(f"<li><a href='/r'>{r}</a></li>" for r in related)
                      + "</ul></div>")
    ld = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "name": site},
        {"@type": "NewsArticle", "headline": story.title, "datePublished": f"{story.published}T05:00:00-04:00",
         "author": {"@type": "Person", "name": story.author}, "publisher": {"@type": "Organization", "name": site}}]}
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(story.title)} | {e(site)}</title>
<script type="application/ld+json">{json.dumps(ld)}</script><link rel="canonical" href="{url}"></head><body>
<div class="privacy-manager"><button>Manage your privacy choices</button></div>
<div class="site-nav__wrapper"><a>Local</a><a>Business</a><a>Opinion</a></div>
<main class="layout"><div class="article">
<div class="article__header"><h1 class="article__headline">{e(story.title)}</h1>
<div class="article__byline">{e(story.author)} &middot; {_short(story.published)}</div>
<div class="article__tools"><button>Copy link</button><button>Listen to this article</button></div></div>
<div class="article__content">{''.join(paragraphs)}</div></div>
<div class="rail"><h2>Most viewed</h2><ol><li><a>Council approves new bike lanes</a></li></ol></div></main>
<div class="site-footer"><a>Terms of use</a></div></body></html>"""
    return page, boiler


def sections(story: Story, site: str, url: str) -> tuple[str, list[str]]:
    """Paragraphs inside <section>s, a "Most read" list inside <main> after the story, a date in a
    span, og:title with a site suffix."""
    boiler = ["Most read", "Council approves new bike lanes after long debate", "Our journalism relies on readers like you.",
              "Support us"]
    chunks = [story.paragraphs[:2], story.paragraphs[2:4], story.paragraphs[4:]]
    body = "".join("<section>" + "".join(f"<p>{e(p)}</p>" for p in c) + "</section>" for c in chunks if c)
    page = f"""<html><head><meta charset="utf-8"><title>{e(story.title)}</title>
<meta property="og:title" content="{e(story.title)} | {e(site)}"><meta property="og:site_name" content="{e(site)}">
<link rel="canonical" href="{url}"></head><body><div id="top"><a href="/">{e(site)}</a></div>
<main><h1>{e(story.title)}</h1><span class="date">{_short(story.published)}</span> <span class="by">{e(story.author)}</span>
<div class="body">{body}</div>
<div class="support"><p>Our journalism relies on readers like you.</p><a>Support us</a></div>
<div class="mostread"><h3>Most read</h3><ul><li><a>Council approves new bike lanes after long debate</a></li></ul></div>
</main></body></html>"""
    return page, boiler


def table_layout(story: Story, site: str, url: str) -> tuple[str, list[str]]:
    """An old table layout: navigation in a left cell, the story in the middle, ads on the right."""
    boiler = ["Home", "Classifieds", "Obituaries", "Place an ad", "Contact the editor", COPY]
    page = f"""<html><head><title>{e(site)}: {e(story.title)}</title><meta name="date" content="{story.published}">
</head><body><table width="100%"><tr>
<td class="left" width="150"><a>Home</a><br><a>Classifieds</a><br><a>Obituaries</a></td>
<td class="main"><font size="5"><b>{e(story.title)}</b></font><br><i>{e(story.author)}</i><br><br>
{''.join(f"<p>{e(p)}</p>" for p in story.paragraphs)}</td>
<td class="right" width="160"><a>Place an ad</a><br><a>Contact the editor</a></td></tr></table>
<center><small>{COPY}</small></center></body></html>"""
    return page, boiler


COPY = "Copyright the publisher. Reproduction in whole or in part is prohibited."
HELD_OUT = [("newsroom", "Metro Daily", newsroom), ("sections", "Riverside Post", sections),
            ("table", "County Herald", table_layout)]


def build_held_out() -> list[Page]:
    return build_from(HELD_OUT)


def build_from(templates: list) -> list[Page]:
    """Every story wrapped by each (kind, site name, render) template."""
    pages = []
    for kind, site, render in templates:
        for story in STORIES:
            url = f"https://{site.lower().replace(' ', '')}.example/{story.slug}"
            markup, boiler = render(story, site, url)
            pages.append(Page(f"{kind}-{story.slug}", markup, url, story.title, story.published, story.author, site,
                              story.paragraphs, tuple(boiler)))
    return pages
