"""A second held-out set: three more site templates, written after the title and byline fixes that
the first held-out set (web_pages_heldout.py) led to, and run once, untouched, for the figures in
docs/ingest.md. Each wraps all sixteen stories."""

from __future__ import annotations

import html
from datetime import date

from web_pages import Page
from web_pages_heldout import build_from
from web_stories import Story

e = html.escape


def _long(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B')} {d.year}"


def tv_station(story: Story, site: str, url: str) -> tuple[str, list[str]]:
    """A regional TV station: "Headline - Section - Site" titles, a live-stream bar, a weather
    widget, a video placeholder and "Advertisement" labels between paragraphs."""
    boiler = ["Watch live: Evening News at 6", "Weather alerts in effect for the coast", "Advertisement",
              "Download the Channel 9 app", "Trending now", "Closed captioning available"]
    paragraphs = [f"<p>{e(p)}</p>" for p in story.paragraphs]
    paragraphs.insert(3, '<div class="ad-slot"><span class="ad-label">Advertisement</span></div>')
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{e(story.title)} - Local News - {e(site)}</title>
<meta property="og:title" content="{e(story.title)}"><meta property="og:site_name" content="{e(site)}">
<meta property="article:published_time" content="{story.published}T21:15:00+01:00">
<link rel="canonical" href="{url}"></head><body>
<div class="live-bar"><a href="/live">Watch live: Evening News at 6</a></div>
<div class="weather-widget">Weather alerts in effect for the coast</div>
<div class="page"><div class="story">
<h1 class="story-headline">{e(story.title)}</h1>
<div class="story-meta"><span class="author-name">By {e(story.author)}</span>, {e(site)}</div>
<div class="video-player"><p>Closed captioning available</p></div>
<div class="story-body">{''.join(paragraphs)}</div></div>
<div class="trending"><h2>Trending now</h2><ol><li><a>Ferry delays expected this weekend</a></li></ol></div>
<div class="app-promo"><a>Download the Channel 9 app</a></div></div></body></html>"""
    return page, boiler


def newsletter(story: Story, site: str, url: str) -> tuple[str, list[str]]:
    """A newsletter platform post: "Headline - by Author - Site" titles, subscribe boxes before and
    after the post, like/share/comment buttons."""
    boiler = ["Subscribe to keep reading", "Type your email", "Share this post", "Leave a comment",
              "Thanks for reading! Subscribe for free to receive new posts.", "Ready for more?"]
    body = "".join(f"<p>{e(p)}</p>" for p in story.paragraphs)
    page = f"""<html><head><title>{e(story.title)} - by {e(story.author)} - {e(site)}</title>
<meta name="author" content="{e(story.author)}"><meta property="og:title" content="{e(story.title)}">
<meta property="og:type" content="article"><link rel="canonical" href="{url}"></head><body>
<div class="pub-header"><a class="pub-name">{e(site)}</a><button class="subscribe">Subscribe to keep reading</button></div>
<div class="post"><div class="post-header"><h1 class="post-title">{e(story.title)}</h1>
<div class="post-meta"><a class="author">{e(story.author)}</a> <time datetime="{story.published}T07:30:00.000Z">{_long(story.published)}</time></div></div>
<div class="available-content"><div class="body markup">{body}</div></div>
<div class="subscribe-widget"><p>Thanks for reading! Subscribe for free to receive new posts.</p><input placeholder="Type your email"></div>
<div class="post-footer"><button>Share this post</button><button>Leave a comment</button></div></div>
<div class="end-of-post"><h3>Ready for more?</h3></div></body></html>"""
    return page, boiler


def press_office(story: Story, site: str, url: str) -> tuple[str, list[str]]:
    """A council press office: the site's name is the page's <h1>, the release's headline an <h2>,
    "Site | News | Headline" titles, a release date line, contact details and a disclaimer."""
    boiler = ["Skip to main content", "Council services", "Pay a bill", "Report a problem",
              "Media enquiries: press office, 9am to 5pm on weekdays.", "This page was last reviewed recently."]
    body = "".join(f"<p>{e(p)}</p>" for p in story.paragraphs)
    page = f"""<html lang="en"><head><title>{e(site)} | News | {e(story.title)}</title></head><body>
<a class="skip" href="#content">Skip to main content</a>
<div class="banner"><h1>{e(site)}</h1><ul class="services"><li>Council services</li><li>Pay a bill</li><li>Report a problem</li></ul></div>
<div id="content"><h2>{e(story.title)}</h2>
<p class="release-date">Release date: {_long(story.published)}</p>
<p class="release-author">Written by {e(story.author)}, communications team</p>
{body}
<p class="contact">Media enquiries: press office, 9am to 5pm on weekdays.</p></div>
<div class="review">This page was last reviewed recently.</div></body></html>"""
    return page, boiler


HELD_OUT_2 = [("tv", "Channel 9 Coast", tv_station), ("letter", "The Harbour Letter", newsletter),
              ("press", "Avalen Borough Council", press_office)]


def build_held_out_2() -> list[Page]:
    return build_from(HELD_OUT_2)
