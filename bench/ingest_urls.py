"""Pages per second for `qa ingest URL...`: 200 news pages served over loopback HTTP.

    python -m bench.ingest_urls [--pages 200] [--feed]

Serves the written page templates of the test suite (tests/ingest/web_pages.py) from a local
server, each page with its own mix of paragraphs so that none is a near-duplicate of another,
and ingests them into a fresh temporary store through `Assistant.ingest`: fetching (4 threads),
extraction, chunking, embedding and the store write. With --feed the pages are reached through
one RSS feed instead of 200 addresses.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ingest"))

from web_pages import TEMPLATES  # noqa: E402
from web_server import Route, WebServer, rss  # noqa: E402
from web_stories import STORIES, Story  # noqa: E402


def pages(count: int) -> list[tuple[str, bytes]]:
    """(path, html) of `count` pages, each a different draw of paragraphs from all the stories."""
    pool = [p for s in STORIES for p in s.paragraphs]
    rng = random.Random(7)
    out = []
    for n in range(count):
        base = STORIES[n % len(STORIES)]
        story = Story(f"{base.slug}-{n}", f"{base.title} ({n})", base.published, base.author,
                      (f"This is report number {n} in the series, filed from desk {n % 7}.", *rng.sample(pool, 5)))
        kind, site, render = TEMPLATES[n % len(TEMPLATES)]
        markup = render(story, site, f"https://{kind}.example/{story.slug}")[0]
        out.append((f"/{kind}/{story.slug}.html", markup.encode()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--feed", action="store_true", help="reach the pages through one RSS feed")
    args = parser.parse_args()
    from qa.assistant import Assistant

    web = WebServer().start()
    try:
        served = pages(args.pages)
        for path, body in served:
            web.routes[path] = Route(body)
        urls = [web.url(path) for path, _ in served]
        if args.feed:
            web.routes["/feed"] = Route(rss([(u, "t", "Wed, 18 Jun 2025 07:00:00 GMT") for u in urls]),
                                        "application/rss+xml")
            urls = [web.url("/feed")]
        with tempfile.TemporaryDirectory() as folder:
            assistant = Assistant.open(store=Path(folder) / "store")
            started = time.perf_counter()
            report = assistant.ingest(urls)
            seconds = time.perf_counter() - started
        statuses = {s: report.count(s) for s in ("added", "duplicate", "failed")}
        print(f"{len(report.files)} pages in {seconds:.1f} s: {len(report.files) / seconds:.1f} pages/s; {statuses}")
        if report.failed:
            print("first failure:", report.failed[0].path, report.failed[0].reason)
    finally:
        web.stop()


if __name__ == "__main__":
    main()
