"""The web UI in a real browser (Debian's chromium driven by Playwright) against `python app.py`
started on a free loopback port. Screenshots land in test-artifacts/ (look at them)."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import REPO, SAMPLE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("QA_TEST_ARTIFACTS", REPO / "test-artifacts"))
QUESTION = "How many hostages would be released?"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (see README)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(store: Path, ingest=True, extra_env=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    port = free_port()
    env.update(QA_STORE=str(store), QA_PORT=str(port), QA_HOST="127.0.0.1", GRADIO_ANALYTICS_ENABLED="False")
    env.update(extra_env or {})
    if ingest:
        subprocess.run([str(Path(sys.executable).with_name("qa")), "ingest", str(SAMPLE)], env=env, check=True,
                       capture_output=True, timeout=120)
    process = subprocess.Popen([sys.executable, str(REPO / "app.py")], env=env, cwd=str(store.parent),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return process, url
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stdout.read().decode()) from None
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("the UI did not start")


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield chromium
        chromium.close()


@contextmanager
def running_app(store: Path, ingest=True, extra_env=None):
    """`python app.py` on a free port for the duration of the block; yields its URL."""
    process, url = start_app(store, ingest, extra_env)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("ui") / "store") as url:
        yield url


DONE = ("#qa-answer .qa-model", "#qa-answer .qa-error")


def ask(page, question: str):
    # Gradio keeps the old answer in the DOM, under its loading overlay, until the new one is drawn;
    # the overlay alone changes the panel's HTML. So mark what is there as stale and wait for a
    # finished answer that is not: every new answer is drawn as new elements.
    page.evaluate("sels => document.querySelectorAll(sels).forEach(e => e.dataset.qaStale = '1')", ", ".join(DONE))
    page.locator("#qa-question textarea").fill(question)
    page.locator("#qa-send").click()
    page.wait_for_selector(", ".join(f"{s}:not([data-qa-stale])" for s in DONE), timeout=60_000)


def choose(page, dropdown: str, option: str) -> None:
    """Pick an option of a Gradio dropdown by clicking it (typing and Enter can race its filter)."""
    page.locator(f"{dropdown} input").click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.locator(f"{dropdown} input")).to_have_value(option)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_ask_then_open_the_cited_span(browser, app_url):
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    page.goto(app_url)
    page.wait_for_selector("#qa-question textarea")
    ask(page, QUESTION)
    card = page.locator("#qa-answer details.qa-card").first
    quote = card.locator(".qa-quote").inner_text()
    assert "ten hostages" in quote
    assert "ten hostages" in page.locator("#qa-chat").inner_text()
    # the short answer once, in bold where the cited sentence says it (issue 22 item 5)
    bubble = page.locator("#qa-chat .message.bot").last
    assert bubble.locator("b").all_inner_texts() == ["ten"]
    assert re.findall(r"\bten\b", bubble.inner_text()) == ["ten"]
    assert "verified exact" in card.inner_text()
    shot(page, "chat")
    card.locator("summary").click()
    mark = card.locator("mark.qa-current")
    mark.wait_for(state="visible")
    assert mark.inner_text() == quote
    assert mark.evaluate("m => { const r = m.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")
    shot(page, "source-viewer")
    page.close()


def test_empty_chat_offers_example_questions_from_the_articles(browser, app_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(app_url)
    examples = page.locator("#qa-chat button.example")
    expect(examples).to_have_count(4, timeout=30_000)
    texts = examples.all_inner_texts()
    assert all(t.startswith("What does the article “") for t in texts), texts
    assert "Lakemont transit workers strike" in texts[0]  # the newest article first
    shot(page, "first-minute")
    examples.nth(3).click()  # a click asks it
    page.wait_for_selector(", ".join(DONE), timeout=60_000)
    assert page.locator("#qa-chat .message.user").first.inner_text().strip() == texts[3]
    assert page.locator("#qa-answer details.qa-card").count() >= 1, page.locator("#qa-answer").inner_text()
    expect(examples).to_have_count(0)  # only an empty chat offers them
    shot(page, "first-minute-answer")
    page.get_by_role("button", name="New conversation").click()
    expect(examples).to_have_count(4)
    page.close()


def test_follow_up_and_abstention(browser, app_url):
    page = browser.new_page()
    page.goto(app_url)
    page.wait_for_selector("#qa-question textarea")
    ask(page, "Who won the chess championship in Oslo?")
    assert "The articles don't say." in page.locator("#qa-answer .qa-abstain").inner_text()
    assert page.locator("#qa-answer .qa-error").count() == 0
    page.get_by_role("button", name="New conversation").click()
    ask(page, QUESTION)
    assert page.locator("#qa-answer .qa-searched").count() == 0  # a first question is searched as asked
    ask(page, "and how many bodies?")
    assert "bodies of nine others" in page.locator("#qa-answer .qa-quote").first.inner_text()
    assert page.locator("#qa-answer .qa-short b").inner_text() == "nine"
    assert "hostages" in page.locator("#qa-answer .qa-searched").inner_text()  # what the follow-up searched for
    page.close()


def test_upload_ask_and_delete(browser, app_url, tmp_path):
    article = tmp_path / "lighthouse-reopens.md"
    article.write_text("---\ntitle: Lighthouse reopens\nsource: Test Wire\npublished: 2025-10-01\n---\n"
                       "The Brackwater lighthouse reopened on Friday after a restoration that cost 3.4 million euros.",
                       encoding="utf-8")
    page = browser.new_page()
    page.goto(app_url)
    page.get_by_role("tab", name="Library").click()
    expect(page.locator("#qa-articles")).to_contain_text("gaza-ceasefire-talks")
    expect(page.locator("#qa-upload-results")).to_be_hidden()  # no empty "Last upload" table before an upload
    page.locator("#qa-upload input[type=file]").set_input_files(str(article))
    expect(page.locator("#qa-upload")).to_contain_text("lighthouse-reopens.md")  # the upload has landed
    page.locator("#qa-add").click()
    expect(page.locator("#qa-upload-results")).to_contain_text("added", timeout=60_000)
    expect(page.locator("#qa-articles")).to_contain_text("lighthouse-reopens")
    page.get_by_role("tab", name="Ask").click()
    ask(page, "How much did the lighthouse restoration cost?")
    assert "3.4 million euros" in page.locator("#qa-answer .qa-quote").first.inner_text()
    page.get_by_role("tab", name="Library").click()
    choose(page, "#qa-delete-id", "lighthouse-reopens")
    page.locator("#qa-delete").click()
    expect(page.locator("#qa-library-note")).to_contain_text("Deleted lighthouse-reopens", timeout=30_000)
    expect(page.locator("#qa-articles")).not_to_contain_text("lighthouse-reopens")
    page.close()


def test_hostile_article_renders_inert(browser, tmp_path):
    store = tmp_path / "store"
    hostile = tmp_path / "hostile.json"
    text = ('The harbor board met on Monday. <script>window.__pwned = 1; alert("x")</script> '
            'The board approved 7 new cranes <img src=x onerror="window.__pwned = 2"> for the port.')
    hostile.write_text(json.dumps({"id": "hostile", "title": "Harbor <b>board</b>", "text": text}), encoding="utf-8")
    with running_app(store, ingest=False) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
        env["QA_STORE"] = str(store)
        subprocess.run([str(Path(sys.executable).with_name("qa")), "ingest", str(hostile)], env=env, check=True,
                       capture_output=True, timeout=120)
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url)
        page.wait_for_selector("#qa-question textarea")
        ask(page, "How many new cranes did the harbor board approve?")
        card = page.locator("#qa-answer details.qa-card").first
        card.locator("summary").click()
        viewer = card.locator(".qa-viewer")
        viewer.wait_for(state="visible")
        assert "<script>" in viewer.inner_text() and "onerror" in viewer.inner_text()
        assert "Harbor <b>board</b>" in card.locator("summary").inner_text()
        page.wait_for_timeout(500)
        assert page.evaluate("window.__pwned") is None and dialogs == []
        assert card.locator("script, img").count() == 0
        page.close()


def test_two_pages_asking_at_once_both_get_answers(browser, app_url):
    pages = [browser.new_page() for _ in range(2)]
    for page in pages:
        page.goto(app_url)
        page.wait_for_selector("#qa-question textarea")
    questions = [QUESTION, "What budget did Norvale approve?"]
    for page, question in zip(pages, questions):
        page.locator("#qa-question textarea").fill(question)
    for page in pages:
        page.locator("#qa-send").click()
    for page, expected in zip(pages, ["ten hostages", "1.84 billion"]):
        page.wait_for_selector("#qa-answer .qa-model", timeout=60_000)
        assert expected in page.locator("#qa-answer .qa-quote").first.inner_text()
        page.close()


def test_empty_store_offers_the_sample_corpus(browser, tmp_path):
    with running_app(tmp_path / "store", ingest=False) as url:
        page = browser.new_page()
        page.goto(url)
        button = page.locator("#qa-load-sample")
        button.wait_for(state="visible", timeout=30_000)
        assert "No articles yet" in page.locator("#qa-empty").inner_text()
        examples = page.locator("#qa-chat button.example")
        assert examples.count() == 0  # nothing to draw them from yet
        page.get_by_role("tab", name="Library").click()
        expect(page.locator("#qa-library-note")).to_contain_text("No articles yet")
        expect(page.locator("#qa-articles")).to_be_hidden()  # no empty table
        page.get_by_role("tab", name="Ask").click()
        button.click()
        button.wait_for(state="hidden", timeout=60_000)
        expect(examples).to_have_count(4)  # the sample's articles offer questions now
        ask(page, QUESTION)
        assert "ten hostages" in page.locator("#qa-answer .qa-quote").first.inner_text()
        page.close()


def fits_across(page, table: str, width: int) -> None:
    """Every column of `table` is on screen at `width` px and nothing scrolls sideways."""
    rights = page.locator(f"{table} th").evaluate_all("ths => ths.map(th => th.getBoundingClientRect().right)")
    assert rights and max(rights) <= width, rights
    assert page.locator(table).evaluate("t => t.scrollWidth <= t.parentElement.clientWidth + 1")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_eval_tab_and_debug_chunks(browser, app_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(app_url)
    page.wait_for_selector("#qa-question textarea")
    page.get_by_text("Settings").click()
    page.locator("#qa-show-chunks input").check()
    ask(page, QUESTION)
    expect(page.locator("#qa-chunks table")).to_contain_text("fused")
    page.get_by_role("tab", name="Eval").click()
    expect(page.locator("#qa-gold-pick input")).to_have_value("sample.jsonl")  # a name, not a server path
    expect(page.locator("#qa-eval-metrics")).to_be_hidden()  # no empty tables before a run
    assert page.locator("#qa-eval-failing table").count() == 0
    page.get_by_role("button", name="Run eval").click()
    expect(page.locator("#qa-eval-metrics")).to_contain_text("answer.answer_recall", timeout=120_000)
    assert page.locator("#qa-eval-charts svg").count() == 3
    failing = page.locator("#qa-eval-failing table.qa-failing")
    expect(failing).to_contain_text("q")
    fits_across(page, "#qa-eval-failing table.qa-failing", 1280)  # the answer column is on screen
    answer = failing.locator("tbody tr").first.locator("td").nth(3)
    assert answer.inner_text().strip() and answer.evaluate("td => td.getBoundingClientRect().right <= 1280")
    failing.scroll_into_view_if_needed()
    shot(page, "eval")
    page.close()


def test_eval_runs_a_gold_file_uploaded_in_the_page(browser, app_url, tmp_path):
    gold = tmp_path / "mine.jsonl"
    gold.write_text(
        '{"id": "g1", "question": "How many hostages would be released?", "answers": ["ten"], "answerable": true}\n'
        '{"id": "g2", "question": "What budget did Norvale approve?", "answers": ["17 dollars"], "answerable": true}\n',
        encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(app_url)
    page.get_by_role("tab", name="Eval").click()
    page.locator("#qa-gold-upload input[type=file]").set_input_files(str(gold))
    expect(page.locator("#qa-gold-note")).to_contain_text("uses the uploaded file mine.jsonl")
    page.get_by_label("current store").check()
    page.get_by_role("button", name="Run eval").click()
    expect(page.locator("#qa-eval-metrics")).to_contain_text("answer.answer_recall", timeout=60_000)
    failing = page.locator("#qa-eval-failing table.qa-failing")
    expect(failing).to_contain_text("17 dollars")
    assert failing.locator("tbody tr").count() == 1 and "g2" in failing.inner_text()
    fits_across(page, "#qa-eval-failing table.qa-failing", 1280)
    shot(page, "eval-uploaded")
    page.close()


def test_model_error_is_shown_and_the_app_keeps_working(browser, tmp_path):
    closed_port = free_port()  # nothing listens there
    store = tmp_path / "store"
    with running_app(store, extra_env={"QA_LLM": "openai-compatible:test-model",
                                               "QA_OPENAI_BASE_URL": f"http://127.0.0.1:{closed_port}/v1",
                                               "QA_LLM_RETRIES": "0"}) as url:
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector("#qa-question textarea")
        page.locator("#qa-question textarea").fill(QUESTION)
        page.locator("#qa-send").click()
        expect(page.locator("#qa-answer .qa-error")).to_contain_text("cannot connect", timeout=60_000)
        page.get_by_text("Settings").click()
        choose(page, "#qa-model", "extractive")
        ask(page, QUESTION)
        shot(page, "after-model-error")
        assert page.locator("#qa-answer .qa-error").count() == 0, page.locator("#qa-answer").inner_text()
        assert "ten hostages" in page.locator("#qa-answer .qa-quote").first.inner_text()
        page.close()


def test_login_when_ui_auth_is_set(browser, tmp_path):
    with running_app(tmp_path / "store", extra_env={"QA_UI_AUTH": "editor:s3cret-pass"}) as url:
        page = browser.new_page()
        page.goto(url)
        page.get_by_label("username").wait_for()
        before = page.content()  # nothing about the store or the server's files before login
        assert "gaza-ceasefire-talks" not in before and "sample.jsonl" not in before and str(REPO) not in before
        page.get_by_label("username").fill("editor")
        page.get_by_label("password").fill("s3cret-pass")
        page.get_by_role("button", name="Login").click()
        page.wait_for_selector("#qa-question textarea", timeout=30_000)
        expect(page.locator("#qa-chat button.example")).to_have_count(4)  # loaded after login
        page.get_by_role("tab", name="Library").click()
        expect(page.locator("#qa-articles")).to_contain_text("gaza-ceasefire-talks")
        page.close()
