"""News pages built the way real sites build them, for the extraction tests and measurements.

Eight site templates (a WordPress theme, a national daily with JSON-LD, a regional paper with
inline promos, a wire service, an AMP-style page, a blog, a div-soup portal, a magazine with
pull quotes). Each wraps a story from web_stories.py in its furniture: navigation, cookie
banners, breadcrumbs, share bars, "read more" boxes inside the body, related links, newsletter
sign-ups, author bios, comments, footers. Metadata sits where each kind of site puts it. Every
page knows its gold: the body sentences, the boilerplate sentences, the title and the date.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from web_stories import STORIES, Story

e = html.escape


@dataclass(frozen=True)
class Page:
    name: str
    html: str
    url: str
    title: str
    published: str
    author: str
    site: str
    body: tuple[str, ...]  # sentences an extractor must keep
    boilerplate: tuple[str, ...]  # sentences it must drop


def _long_date(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _us_date(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.strftime('%B')} {d.day}, {d.year}"


def _paragraphs(story: Story, extra: dict[int, str] | None = None) -> str:
    """The story's paragraphs, with `extra` HTML inserted after paragraph N (promos, figures)."""
    out = []
    for n, text in enumerate(story.paragraphs):
        out.append(f"<p>{e(text)}</p>")
        if extra and n in extra:
            out.append(extra[n])
    return "\n".join(out)


COOKIE = "We use cookies to personalise content and ads and to analyse our traffic."
COOKIE_2 = "By continuing to browse you agree to our use of cookies."
NEWSLETTER = "Sign up for our morning briefing and get the day's top stories in your inbox."
COPYRIGHT = "All rights reserved. No part of this site may be reproduced without permission."
COMMENTS = "Comments are moderated and may take up to a day to appear."
SUBSCRIBE = "Subscribe today for unlimited access to local journalism."
APP = "Download our app to get breaking news alerts on your phone."
SHARE = "Share this story on social media."


def wordpress(story: Story, site: str, url: str) -> tuple[str, list[str], str]:
    related = ["Council delays vote on parking charges until after summer", "Weekend weather: rain clears by Sunday"]
    boiler = [COOKIE, NEWSLETTER, COPYRIGHT, COMMENTS, *related, f"{story.author} covers city hall and the harbour for {site}."]
    page = f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="UTF-8">
<title>{e(story.title)} &#8211; {e(site)}</title>
<meta property="og:title" content="{e(story.title)}"><meta property="og:site_name" content="{e(site)}">
<meta property="og:type" content="article"><meta property="article:published_time" content="{story.published}T07:30:00+00:00">
<meta name="author" content="{e(story.author)}"><link rel="canonical" href="{url}">
<link rel="stylesheet" href="/wp-content/themes/news/style.css"><script src="/wp-includes/js/jquery.js"></script>
</head><body class="post-template-default single single-post">
<div id="cookie-notice" class="cn-bottom"><span>{COOKIE}</span><a class="button">Accept</a></div>
<header id="masthead" class="site-header"><div class="site-branding"><p class="site-title"><a href="/">{e(site)}</a></p>
<p class="site-description">Independent news since 1921</p></div>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu"><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/opinion">Opinion</a></li><li><a href="/culture">Culture</a></li></ul></nav></header>
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-4812" class="post-4812 post type-post status-publish">
<header class="entry-header"><h1 class="entry-title">{e(story.title)}</h1>
<div class="entry-meta"><span class="posted-on"><time class="entry-date published" datetime="{story.published}T07:30:00+00:00">{_long_date(story.published)}</time></span>
<span class="byline"> by <span class="author vcard"><a class="url fn n" href="/author/x">{e(story.author)}</a></span></span></div></header>
<div class="entry-content">
{_paragraphs(story, {2: f'<div class="wp-block-group newsletter-signup"><p>{NEWSLETTER}</p><form><input type="email"></form></div>'})}
</div>
<footer class="entry-footer"><span class="cat-links">Posted in <a href="/news">News</a></span><span class="tags-links">Tagged <a>harbour</a></span></footer>
</article>
<div class="author-info"><p>{e(story.author)} covers city hall and the harbour for {e(site)}.</p></div>
<nav class="navigation post-navigation"><div class="nav-previous"><a>{related[0]}</a></div><div class="nav-next"><a>{related[1]}</a></div></nav>
<div id="comments" class="comments-area"><h2 class="comments-title">Leave a reply</h2><p class="comment-notes">{COMMENTS}</p></div>
</main></div><aside id="secondary" class="widget-area"><section class="widget"><h2>Most read</h2><ul><li><a>Ferry fares to rise in June</a></li></ul></section></aside></div>
<footer id="colophon" class="site-footer"><div class="site-info"><p>&copy; 2025 {e(site)}. {COPYRIGHT}</p></div></footer>
</body></html>"""
    return page, boiler, story.title


def daily_jsonld(story: Story, site: str, url: str) -> tuple[str, list[str], str]:
    """A national daily: headline only in JSON-LD and <h1>, <title> with a site suffix, no meta date."""
    related = ["Opinion: the harbour cannot wait any longer", "Pictures of the week from around the region"]
    boiler = [COOKIE, COOKIE_2, SUBSCRIBE, APP, *related, "Most popular this week"]
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": story.title,
          "datePublished": f"{story.published}T06:00:00Z", "dateModified": f"{story.published}T09:15:00Z",
          "author": [{"@type": "Person", "name": story.author}],
          "publisher": {"@type": "Organization", "name": site}, "mainEntityOfPage": url}
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{e(story.title)} | {e(site)}</title>
<script type="application/ld+json">{json.dumps(ld)}</script>
<meta name="viewport" content="width=device-width"><link rel="canonical" href="{url}"></head><body>
<div class="consent-overlay" role="dialog"><p>{COOKIE}</p><p>{COOKIE_2}</p><button>OK</button></div>
<div class="top-bar"><a href="/subscribe">{SUBSCRIBE}</a></div>
<div class="header"><a class="logo" href="/">{e(site)}</a><ul class="menu"><li>Home</li><li>World</li><li>Business</li><li>Science</li></ul></div>
<ol class="breadcrumbs"><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ol>
<div class="story-wrapper"><h1 class="headline">{e(story.title)}</h1>
<div class="share-tools"><a>Facebook</a><a>Twitter</a><a>Email</a></div>
<div class="story-body" itemprop="articleBody">
{_paragraphs(story, {1: '<figure><img src="/img/1.jpg"><figcaption>Photograph: Staff photographer</figcaption></figure>'})}
</div>
<div class="related-stories"><h3>Related</h3><ul><li><a href="/o">{related[0]}</a></li><li><a href="/p">{related[1]}</a></li></ul></div>
</div>
<div class="most-popular"><h3>Most popular this week</h3></div>
<div class="app-promo"><p>{APP}</p></div>
<div class="footer"><p>{e(site)} &middot; About us &middot; Contact &middot; Privacy policy</p></div>
</body></html>"""
    return page, boiler, story.title


def regional_promos(story: Story, site: str, url: str) -> tuple[str, list[str], str]:
    """A regional paper: og:title with the site in it, "Read more" promos between paragraphs, a
    byline date in the text only ("Published 4 March 2025")."""
    promos = ["Read more: Harbour master retires after thirty years at sea", "Read more: Why our roads flood every autumn"]
    boiler = [*promos, NEWSLETTER, "Have a story for us? Email the newsdesk.", COPYRIGHT, SHARE]
    page = f"""<html><head><meta charset="utf-8"><title>{e(site)} - {e(story.title)}</title>
<meta property="og:title" content="{e(story.title)} - {e(site)}"><meta property="og:site_name" content="{e(site)}">
<meta property="og:url" content="{url}"></head><body>
<div id="nav"><a href="/">Home</a> | <a href="/local">Local</a> | <a href="/sport">Sport</a> | <a href="/whats-on">What's on</a></div>
<div id="container"><div id="left">
<h1>{e(story.title)}</h1>
<p class="meta">By {e(story.author)}. Published {_long_date(story.published)}</p>
<div class="share"><span>{SHARE}</span></div>
<div id="article-text">
{_paragraphs(story, {1: f'<p class="promo"><strong><a href="/a">{promos[0]}</a></strong></p>', 3: f'<p class="promo"><strong><a href="/b">{promos[1]}</a></strong></p>'})}
</div>
<div class="tip-box"><p>Have a story for us? Email the newsdesk.</p></div>
</div><div id="right"><div class="newsletter-box"><p>{NEWSLETTER}</p></div></div></div>
<div id="foot"><p>{COPYRIGHT}</p></div></body></html>"""
    return page, boiler, story.title


def wire(story: Story, site: str, url: str) -> tuple[str, list[str], str]:
    """A wire service: dateline inside the first paragraph, meta name=date, tags and a disclaimer."""
    boiler = ["Our Standards: The Trust Principles.", "Reporting by the newsroom; editing by the desk.",
              "Get a daily digest of the biggest stories by email.", "Sponsored content from our partners"]
    first, *rest = story.paragraphs
    body = "\n".join([f"<p>PORT AVALEN, {_us_date(story.published)} ({e(site)}) - {e(first)}</p>",
                      *(f"<p>{e(p)}</p>" for p in rest)])
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{e(story.title)} | {e(site)}</title>
<meta name="date" content="{story.published}"><meta name="og:site_name" content="{e(site)}">
<meta name="twitter:title" content="{e(story.title)}"><link rel="canonical" href="{url}"></head><body>
<div class="nav-bar" role="navigation"><a>World</a><a>Business</a><a>Markets</a><a>Sustainability</a></div>
<main><div class="article-header"><h1 data-testid="Heading">{e(story.title)}</h1>
<div class="byline">By {e(story.author)}</div><time datetime="{story.published}T10:00:00Z">{_us_date(story.published)}</time></div>
<div class="article-body">{body}
<p class="sign-off">Reporting by the newsroom; editing by the desk.</p></div>
<div class="trust"><p>Our Standards: The Trust Principles.</p></div>
<div class="sponsored"><span>Sponsored content from our partners</span><a>Ten gadgets you need</a></div>
<div class="signup"><p>Get a daily digest of the biggest stories by email.</p></div></main>
<footer><p>All quotes delayed a minimum of 15 minutes.</p></footer></body></html>"""
    # The dateline is part of the first sentence: keep the story's own words as gold.
    return page, boiler, story.title


def amp(story: Story, site: str, url: str) -> tuple[str, list[str], str]:
    """An AMP-style page: custom elements, amp-img, sidebar menu, sticky ad."""
    boiler = ["Advertisement", "Follow us for more local news.", "Continue reading below"]
    page = f"""<!doctype html><html amp lang="en"><head><meta charset="utf-8">
<title>{e(story.title)}</title><link rel="canonical" href="{url}">
<meta property="article:published_time" content="{story.published}">
<meta property="og:site_name" content="{e(site)}"></head><body>
<amp-sidebar id="sidebar" layout="nodisplay"><ul><li>Home</li><li>News</li><li>Weather</li></ul></amp-sidebar>
<header class="amp-header"><a href="/">{e(site)}</a></header>
<article class="amp-article"><h1>{e(story.title)}</h1><p class="amp-byline">{e(story.author)}</p>
<amp-img src="/x.jpg" width="600" height="400"></amp-img>
{_paragraphs(story, {2: '<div class="ad-slot"><span>Advertisement</span><amp-ad type="x"></amp-ad></div><p class="continue">Continue reading below</p>'})}
</article>
<div class="follow"><p>Follow us for more local news.</p></div>
<amp-sticky-ad layout="nodisplay"><amp-ad></amp-ad></amp-sticky-ad></body></html>"""
    return page, boiler, story.title


def blog(story: Story, site: str, url: str) -> tuple[str, list[str], str]:
    """A personal news blog: no <article>, a sidebar of archives, comments with text."""
    boiler = ["Thanks for reading! If you liked this post, tell a friend.", "Great piece, thanks for covering this.",
              "I drove past the site yesterday and nothing has changed.", "Archives", "About this blog"]
    page = f"""<html><head><title>{e(story.title)}</title><meta name="description" content="{e(story.paragraphs[0])}">
</head><body><div id="wrap"><div id="header"><h2><a href="/">{e(site)}</a></h2></div>
<div id="main"><div class="post"><h2 class="post-title">{e(story.title)}</h2>
<div class="post-date">Posted on {_us_date(story.published)} by {e(story.author)}</div>
<div class="post-body">{_paragraphs(story)}</div>
<p class="signoff">Thanks for reading! If you liked this post, tell a friend.</p></div>
<div class="comments"><h3>2 comments</h3>
<div class="comment"><p>Great piece, thanks for covering this.</p></div>
<div class="comment"><p>I drove past the site yesterday and nothing has changed.</p></div></div></div>
<div id="sidebar"><h3>Archives</h3><ul><li>March</li><li>February</li></ul><h3>About this blog</h3></div>
</div></body></html>"""
    return page, boiler, story.title


def portal(story: Story, site: str, url: str) -> tuple[str, list[str], str]:
    """A news portal of nested divs: text in <div>s and <br>s, no <p>, a ticker and a poll."""
    boiler = ["Breaking: markets open lower after a quiet weekend", "Poll: should the city ban cars from the old town?",
              "Vote now", "Top stories", "Weather: sunny spells, 18 degrees", COOKIE]
    body = "<br><br>\n".join(e(p) for p in story.paragraphs)
    page = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{e(site)} :: {e(story.title)}</title><meta property="og:title" content="{e(story.title)}">
<meta itemprop="datePublished" content="{story.published}"></head><body>
<div class="c1"><div class="ticker">Breaking: markets open lower after a quiet weekend</div>
<div class="c2"><div class="c3"><div class="weather">Weather: sunny spells, 18 degrees</div></div></div>
<div class="c4"><div class="c5"><div class="headline"><b>{e(story.title)}</b></div>
<div class="c6">{e(story.author)} | {story.published}</div>
<div class="txt">{body}</div></div>
<div class="c7"><div class="box-title">Top stories</div><div class="poll">Poll: should the city ban cars from the old town? <a>Vote now</a></div></div></div>
<div class="cookie-bar">{COOKIE}</div></div></body></html>"""
    return page, boiler, story.title


def magazine(story: Story, site: str, url: str) -> tuple[str, list[str], str]:
    """A magazine: pull quote repeating a body sentence, drop cap span, end-of-article bio, tags."""
    boiler = ["This article appears in the spring print edition.", "Topics: local politics, infrastructure",
              f"More from {site}", "The best long reads, every Sunday."]
    pull = story.paragraphs[-1]
    page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{e(story.title)} — {e(site)}</title>
<meta property="og:title" content="{e(story.title)}"><meta property="og:site_name" content="{e(site)}">
<meta property="article:published_time" content="{story.published}T12:00:00-05:00">
<meta property="article:author" content="{e(story.author)}"><link rel="canonical" href="{url}"></head><body>
<nav class="topnav"><a>Features</a><a>Reviews</a><a>Podcasts</a><a>Shop</a></nav>
<article><header><p class="kicker">Cities</p><h1>{e(story.title)}</h1><p class="byline">By {e(story.author)}</p></header>
<section class="article-body"><p><span class="dropcap">{e(story.paragraphs[0][0])}</span>{e(story.paragraphs[0][1:])}</p>
{"".join(f"<p>{e(p)}</p>" for p in story.paragraphs[1:3])}
<aside class="pullquote"><blockquote>{e(pull)}</blockquote></aside>
{"".join(f"<p>{e(p)}</p>" for p in story.paragraphs[3:])}
<p class="edition"><em>This article appears in the spring print edition.</em></p></section>
<footer class="article-footer"><p>Topics: local politics, infrastructure</p></footer></article>
<section class="more"><h2>More from {e(site)}</h2></section>
<div class="newsletter"><p>The best long reads, every Sunday.</p></div></body></html>"""
    return page, boiler, story.title


TEMPLATES: list[tuple[str, str, Callable[[Story, str, str], tuple[str, list[str], str]]]] = [
    ("wordpress", "Coastal Ledger", wordpress),
    ("daily", "The National Courier", daily_jsonld),
    ("regional", "Vale Gazette", regional_promos),
    ("wire", "Meridian Wire", wire),
    ("amp", "Harbour Today", amp),
    ("blog", "Notes from Norvale", blog),
    ("portal", "InfoPortal", portal),
    ("magazine", "The Long Read", magazine),
]


def build_pages() -> list[Page]:
    """Each story on one site (stories cycle through the eight templates: two pages a template)."""
    pages = []
    for n, story in enumerate(STORIES):
        kind, site, render = TEMPLATES[n % len(TEMPLATES)]
        url = f"https://{site.lower().replace(' ', '')}.example/news/{story.slug}"
        markup, boiler, title = render(story, site, url)
        pages.append(Page(f"{kind}-{story.slug}", markup, url, title, story.published, story.author, site,
                          story.paragraphs, tuple(boiler)))
    return pages
