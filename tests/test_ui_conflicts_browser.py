"""Disagreeing reports in the web page, in a real browser: the sample's two storm reports side by
side, each with its date, newest first (qa/ui/conflicts_html.py)."""

from __future__ import annotations

from test_ui_browser import ask, browser, running_app, shot  # noqa: F401 (browser is a fixture)


def test_storm_reports_are_shown_side_by_side_with_their_dates(browser, tmp_path):  # noqa: F811
    with running_app(tmp_path / "store") as url:
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        page.goto(url)
        page.wait_for_selector("#qa-question textarea")
        ask(page, "How many people has Tropical Storm Idris killed?")
        cards = page.locator("#qa-answer .qa-conflict")
        assert cards.count() == 2
        newest, earlier = cards.nth(0), cards.nth(1)
        assert "2025-09-17" in newest.inner_text() and "seven" in newest.inner_text()
        assert "2025-09-14" in earlier.inner_text() and "three" in earlier.inner_text()
        a, b = newest.bounding_box(), earlier.bounding_box()
        assert a is not None and b is not None
        assert abs(a["y"] - b["y"]) < 2 and b["x"] > a["x"] + a["width"] - 1  # side by side
        # every citation card shows its article's date
        for card in page.locator("#qa-answer details.qa-card").all():
            assert "2025-09-1" in card.locator("summary").inner_text()
        shot(page, "conflicts")
        page.close()
