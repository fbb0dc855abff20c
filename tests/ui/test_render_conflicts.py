"""The web page's view of disagreeing reports (qa/ui/conflicts_html.py, called by
qa/ui/render.py answer_html): one card per report with its date, newest first, escaped."""

from __future__ import annotations

from qa.types import Answer, Citation, ConflictReport
from qa.ui.conflicts_html import conflicts_html
from qa.ui.render import answer_html

NEW = ConflictReport("nine", "update", "2025-03-17", "The toll has risen to nine.", 0, 27, "Toll rises to nine")
OLD = ConflictReport("four", "first", "2025-03-14", "It killed four miners.", 0, 22, "Four miners killed")


def answer(*conflicts: ConflictReport) -> Answer:
    cite = Citation("update", "Toll rises to nine", 0, 27, "The toll has risen to nine.", published="2025-03-17",
                    source="Herald")
    return Answer(question="q", answer="The toll has risen to nine. [1]", answerable=True, short="nine",
                  citations=(cite,), conflicts=conflicts)


def test_each_report_is_a_card_with_its_date_newest_first():
    html = answer_html(answer(NEW, OLD), lambda _id: None)
    assert html.count('class="qa-conflict"') == 2
    assert html.index("2025-03-17 · newest") < html.index("2025-03-14 · earlier")
    assert "Toll rises to nine" in html and "“It killed four miners.”" in html
    assert "Herald · 2025-03-17" in html  # the citation card shows its article's date


def test_no_cards_when_the_reports_agree():
    assert conflicts_html(answer()) == ""
    assert "qa-conflict" not in answer_html(answer(), lambda _id: None)


def test_report_text_is_escaped():
    hostile = ConflictReport("<b>9</b>", "x", "2025-03-18", "<script>alert(1)</script>", 0, 25, "<img src=x onerror=alert(1)>")
    html = conflicts_html(answer(hostile, OLD))
    assert "<script>" not in html and "<img" not in html and "<b>9</b>" not in html
    assert "&lt;script&gt;" in html
