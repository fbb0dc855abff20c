"""Ingesting web addresses: pages and RSS/Atom feeds over real HTTP on loopback, the fetch limits,
the private-address refusal, and the quality of the extracted text and metadata."""

from __future__ import annotations

import re

import pytest
from web_pages import build_pages
from web_server import Route, WebServer, atom, rss
from web_stories import STORIES

from qa.errors import ArticleError
from qa.ingest.fetch import Fetcher, FetchOptions
from qa.ingest.html import extract_article
from qa.ingest.pipeline import Ingestor
from qa.ingest.web import url_id
from qa.store.chroma import ArticleStore

PAGES = build_pages()
UNDATED = (
    "<html><head><title>Ferry timetable changes for the summer</title></head><body><article>"
    "<h1>Ferry timetable changes for the summer</h1>"
    "<p>Brava Lines will add an early sailing from Port Avalen at six in the morning from June.</p>"
    "<p>The last ferry back from the island will leave half an hour later than it does now.</p>"
    "</article></body></html>"
).encode()


@pytest.fixture
def server():
    web = WebServer().start()
    for page in PAGES:
        web.routes[f"/news/{page.name}.html"] = Route(page.html.encode())
    web.routes["/ferry/timetable"] = Route(UNDATED)
    yield web
    web.stop()


@pytest.fixture
def store(tmp_path, embedder):
    return ArticleStore.open_local(tmp_path / "store", "news", embedder.model_name, 256)


def ingest(store, embedder, items, **options):
    found: list[int] = []
    report = Ingestor(store, embedder, 40, 8, **options).ingest(items, on_found=found.append)
    return report, found


def test_pages_and_feeds_mixed_with_files(server, store, embedder, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("A short local note about the harbour board meeting on Tuesday evening.", encoding="utf-8")
    first, second = PAGES[0], PAGES[1]
    server.routes["/feed.rss"] = Route(rss([
        (server.url(f"/news/{second.name}.html"), "Feed title", "Wed, 18 Jun 2025 07:00:00 GMT"),
        (server.url("/ferry/timetable"), "Ferry timetable changes", "Tue, 06 May 2025 08:00:00 GMT"),
    ]), "application/rss+xml")
    server.routes["/atom"] = Route(atom([(server.url(f"/news/{PAGES[2].name}.html"), "A", "2024-11-02T10:00:00Z")]),
                                   "text/xml")  # told apart by its content, not its type
    items = [server.url(f"/news/{first.name}.html"), str(note), server.url("/feed.rss"), server.url("/atom")]
    report, found = ingest(store, embedder, items)
    assert [(f.path, f.status) for f in report.files] == [
        (items[0], "added"), (str(note), "added"), (server.url(f"/news/{second.name}.html"), "added"),
        (server.url("/ferry/timetable"), "added"), (server.url(f"/news/{PAGES[2].name}.html"), "added"),
    ]
    assert found == [1]  # the RSS feed gave one page more than its address
    records = {info.id: info for info, _ in store.records().values()}
    page = records[url_id(items[0])]
    assert (page.title, page.published, page.source, page.url) == (first.title, first.published, first.site, first.url)
    assert page.path == items[0]  # the source is the address it was fetched from
    ferry = records["timetable"]
    assert (ferry.title, ferry.published, ferry.source) == (
        "Ferry timetable changes for the summer", "2025-05-06", "Coastal Ledger")  # date and outlet from the feed
    text = store.article(url_id(items[0])).text
    assert all(sentence in text for sentence in first.body) and not any(b in text for b in first.boilerplate)
    again, _ = ingest(store, embedder, items)
    assert [f.status for f in again.files] == ["unchanged"] * 5
    assert server.hits[f"/news/{second.name}.html"] == 2


def test_each_fetch_problem_fails_its_own_line(server, store, embedder):
    big = b"<html><body><p>" + b"word " * 200_000 + b"</p></body></html>"  # about 1 MB
    server.routes.update({
        "/pdf": Route(b"%PDF-1.4", "application/pdf"),
        "/gone": Route(b"", status=410),
        "/loop": Route(status=302, location="/loop"),
        "/to-ftp": Route(status=301, location="ftp://example.org/file"),
        "/big": Route(big),
        "/big-unannounced": Route(big, length=False),
        "/empty-feed": Route(rss([]), "application/rss+xml"),
        "/moved": Route(status=301, location=f"/news/{PAGES[3].name}.html"),
        "/bad-entry": Route(rss([("ftp://example.org/x", "X", "Wed, 18 Jun 2025 07:00:00 GMT")]), "application/rss+xml"),
    })
    names = ["/pdf", "/gone", "/missing", "/loop", "/to-ftp", "/big", "/big-unannounced", "/empty-feed", "/moved",
             "/bad-entry"]
    report, _ = ingest(store, embedder, [server.url(n) for n in names], max_file_bytes=500_000)
    reasons = {f.path.replace(server.base, ""): (f.status, f.reason) for f in report.files}
    expected = {
        "/pdf": "not a web page or feed (content type application/pdf)",
        "/gone": "the server answered HTTP 410 Gone",
        "/missing": "the server answered HTTP 404 Not Found",
        "/loop": "more than 5 redirects",
        "/to-ftp": "redirected to an address that is not http:// or https://",
        "/big": "page is 1.0 MB, over the 0.476837 MB limit",
        "/big-unannounced": "page is more than 0.5 MB, over the",
        "/empty-feed": "the feed has no entries",
        "ftp://example.org/x": "only http:// and https:// addresses can be fetched",
    }
    for name, words in expected.items():
        status, reason = reasons[name]
        assert status == "failed" and words in reason, (name, reason)
        assert "\n" not in reason and "Traceback" not in reason
    assert reasons["/moved"][0] == "added"  # a redirect within the limit is followed
    assert len(report.files) == len(names)


def test_a_slow_server_times_out():
    web = WebServer().start()
    web.routes["/slow"] = Route(b"<p>late</p>", delay=2.0)
    try:
        with Fetcher(FetchOptions(timeout=0.3)) as fetcher, pytest.raises(ArticleError, match=r"no answer within 0.3 s"):
            fetcher.fetch(web.url("/slow"))
    finally:
        web.stop()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
def test_private_addresses_are_refused_when_asked(server, store, embedder, host):
    url = server.url(f"/news/{PAGES[0].name}.html").replace("127.0.0.1", host)
    report, _ = ingest(store, embedder, [url], refuse_private_urls=True)
    result = report.files[0]
    assert result.status == "failed" and re.search(r"refused: .* resolves to .*, a loopback address", result.reason)
    assert server.hits == {} and store.records() == {}
    allowed, _ = ingest(store, embedder, [server.url(f"/news/{PAGES[0].name}.html")])  # the CLI's default
    assert allowed.files[0].status == "added"


def test_a_page_copied_under_another_address_is_a_duplicate(server, store, embedder):
    story = PAGES[4]
    server.routes["/syndicated/copy.html"] = Route(
        f"<html><body><article><p>Updated 09:15</p>{''.join(f'<p>{p}</p>' for p in story.body)}</article></body></html>".encode())
    report, _ = ingest(store, embedder, [server.url(f"/news/{story.name}.html"), server.url("/syndicated/copy.html")])
    assert [f.status for f in report.files] == ["added", "duplicate"]
    assert report.files[1].reason.startswith(f"duplicate of {url_id(server.url(f'/news/{story.name}.html'))} (")


@pytest.mark.parametrize("url, expected", [
    ("https://e.org/news/2025/03/storm-hits-coast.html", "storm-hits-coast"),
    ("https://e.org/news/12345", "news-12345"),
    ("https://e.org/world/europe/index.html", "europe"),
    ("https://e.org/article.php?id=7", "e-org-7"),
    ("https://e.org/2025/03/04/", "e-org-03-04"),
    ("https://e.org/", "e-org"),
    ("https://e.org/Москва/новости-дня", "новости-дня"),
])
def test_url_id(url, expected):
    assert url_id(url) == expected


def extraction_figures(pages) -> dict[str, float]:
    """Body sentences kept, boilerplate sentences let through, titles and dates right (shares)."""
    from qa.ingest.dates import parse_date

    kept = total = leaked = furniture = titles = dates = authors = 0
    for page in pages:
        metadata, text = extract_article(page.html)
        flat = " ".join(text.split())
        kept += sum(sentence in flat for sentence in page.body)
        total += len(page.body)
        leaked += sum(b in flat for b in page.boilerplate)
        furniture += len(page.boilerplate)
        titles += metadata["title"] == page.title
        dates += parse_date(metadata["published"]) == page.published
        authors += metadata["author"] == page.author
    share = len(pages)
    return {"kept": kept / total, "leaked": leaked / furniture, "titles": titles / share, "dates": dates / share,
            "authors": authors / share}


def test_extraction_quality_on_the_written_pages():
    """The figures docs/ingest.md reports, on the 16 pages the extractor was tuned on."""
    figures = extraction_figures(PAGES)
    assert figures == {"kept": 1.0, "leaked": 0.0, "titles": 1.0, "dates": 1.0, "authors": 1.0}
    assert len(PAGES) == len(STORIES) == 16 and sum(len(p.body) for p in PAGES) == 82


def test_extraction_quality_on_held_out_pages():
    """48 pages of three templates written after the first tuning. Their old table layout's titles
    ("County Herald: headline", no <h1>) were wrong at first and were fixed after: tuned on now."""
    from web_pages_heldout import build_held_out

    assert extraction_figures(build_held_out()) == {"kept": 1.0, "leaked": 0.0, "titles": 1.0, "dates": 1.0, "authors": 1.0}


def test_extraction_quality_on_the_second_held_out_set():
    """48 pages of three templates written after that fix. Their first run: body 100%, boilerplate
    5.6% (a press office's contact line), titles 32/48 (its <h1> is the council's name, the
    headline an <h2>), dates and authors 48/48; the figures after fixing those two (docs/ingest.md)."""
    from web_pages_heldout2 import build_held_out_2

    assert extraction_figures(build_held_out_2()) == {"kept": 1.0, "leaked": 0.0, "titles": 1.0, "dates": 1.0, "authors": 1.0}


@pytest.mark.parametrize(
    ("body", "author"),
    [
        ('<h1>Pier reopens</h1><p class="byline">By <a href="/staff/ana">Ana Ruiz</a> and Li Wei</p>', "Ana Ruiz"),
        ('<h1>Pier reopens</h1><span itemprop="author"><span itemprop="name">Ana Ruiz</span></span>', "Ana Ruiz"),
        ('<h1>Pier reopens</h1><p>Posted on 4 March 2025 by Ana Ruiz</p>', "Ana Ruiz"),
        ('<h1>Pier reopens</h1><div>Ana Ruiz | 2025-03-04</div>', "Ana Ruiz"),
        ('<h1>Pier reopens</h1><p class="byline">By Ana Ruiz, Ledger staff | March 4, 2025</p>', "Ana Ruiz"),
        # no byline: a sentence starting "By", a capitalised subheading, a bio box at the foot
        ('<h1>Pier reopens</h1><p>By the end of the week, the pier was open again.</p>', ""),
        ('<h1>Pier reopens</h1><h2>Storm Damage Repaired Early</h2><p>The pier is open.</p>', ""),
        ('<h1>Pier reopens</h1><p>The pier is open.</p><div class="author-bio">Ana Ruiz writes about ports.</div>', ""),
    ],
)
def test_the_author_is_read_from_the_byline_and_only_from_it(body, author):
    metadata, _ = extract_article(f"<html><body>{body}<p>{'The harbour pier reopened on Monday. ' * 3}</p></body></html>")
    assert metadata["author"] == author


def test_an_ingested_page_keeps_its_author_and_a_feed_gives_one_where_the_page_has_none(server, store, embedder):
    text = "The harbour pier reopened on Monday after repairs that took three weeks. " * 3
    server.routes["/pier.html"] = Route(f'<h1>Pier reopens</h1><p class="byline">By Ana Ruiz</p><p>{text}</p>'.encode())
    server.routes["/quay.html"] = Route(f"<h1>Quay works</h1><p>{text.replace('pier', 'quay')}</p>".encode())
    item = (f"<item><title>Quay works</title><link>{server.url('/quay.html')}</link>"
            "<dc:creator>Li Wei</dc:creator><pubDate>Tue, 04 Mar 2025 10:00:00 GMT</pubDate></item>")
    server.routes["/feed.xml"] = Route(
        ('<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
         f"<title>Ledger</title><link>https://example.org/</link><description>News</description>{item}</channel></rss>").encode(),
        "application/rss+xml",
    )
    report, _ = ingest(store, embedder, [server.url("/pier.html"), server.url("/feed.xml")], keep_duplicates=True)
    assert [f.status for f in report.files] == ["added", "added"]
    stored = [store.article(i) for i in store.records()]
    assert sorted((a.title, a.author) for a in stored) == [("Pier reopens", "Ana Ruiz"), ("Quay works", "Li Wei")]
