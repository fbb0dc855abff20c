"""Article text never turns into live markup in the web UI (issue 20 item 4).

An article whose sentence holds `<img src=...>` or a Markdown image `![x](...)` must not make the
reader's browser fetch those URLs (a tracking pixel): a loopback HTTP listener stands in for the
tracker and must receive nothing while the page shows the answer, the chat bubble, the citation
card and its source viewer, the retrieved chunks, the example questions and the library table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from test_ui_browser import (
    ask,
    browser,  # noqa: F401 (its Chromium fixture, used by name)
    expect,
    free_port,
    running_app,
    shot,
)


class Tracker:
    """A loopback HTTP server that records every request it receives."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.hits = hits
        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tracker():
    t = Tracker()
    yield t
    t.close()


def tracking_article(folder: Path, base: str) -> Path:
    """One article whose title and cited sentence carry HTML and Markdown images pointing at `base`."""
    title = f'Harbor cranes <img src="{base}/title.gif"> ![t]({base}/title.png)'
    text = (f"The harbor board met on Monday in Port Avalen. The board approved 7 new cranes "
            f'<img src="{base}/quote.gif"> ![x]({base}/quote.png) for the container port. '
            "The cranes arrive next spring, the board said.")
    path = folder / "tracker.json"
    path.write_text(json.dumps({"id": "tracker", "title": title, "source": "Test Wire", "text": text}),
                    encoding="utf-8")
    return path


def test_article_markup_fetches_nothing_anywhere_on_the_page(browser, tmp_path, tracker):  # noqa: F811
    store = tmp_path / "store"
    article = tracking_article(tmp_path, tracker.url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env["QA_STORE"] = str(store)
    subprocess.run([str(Path(sys.executable).with_name("qa")), "ingest", str(article)], env=env, check=True,
                   capture_output=True, timeout=120)
    with running_app(store, ingest=False) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(url)
        page.wait_for_selector("#qa-question textarea")
        page.get_by_text("Settings").click()
        page.locator("#qa-show-chunks input").check()
        ask(page, "How many new cranes did the harbor board approve?")
        bubble = page.locator("#qa-chat .message.bot").last
        assert f"![x]({tracker.url}/quote.png)" in bubble.inner_text()  # shown as text
        card = page.locator("#qa-answer details.qa-card").first
        card.locator("summary").click()
        card.locator(".qa-viewer").wait_for(state="visible")
        expect(page.locator("#qa-chunks table")).to_contain_text("![x](")
        shot(page, "escaping-chat")
        page.get_by_role("button", name="New conversation").click()  # the empty chat shows examples
        example = page.locator("#qa-chat button.example")
        expect(example).to_contain_text(f'Harbor cranes <img src="{tracker.url}/title.gif">')
        example.click()  # asked: the question quotes the title, markup and all, as text
        page.wait_for_selector("#qa-answer .qa-model:not([data-qa-stale])", timeout=60_000)
        assert f"<img src=\"{tracker.url}/title.gif\">" in page.locator("#qa-chat .message.user").first.inner_text()
        page.get_by_role("tab", name="Library").click()
        expect(page.locator("#qa-articles")).to_contain_text("Harbor cranes <img")
        page.wait_for_timeout(1000)
        shot(page, "escaping-library")
        assert tracker.hits == [], tracker.hits
        assert page.locator("img[src^='" + tracker.url + "']").count() == 0
        page.close()
