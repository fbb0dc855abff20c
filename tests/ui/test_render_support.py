"""The answer card says what was checked: "quote found in article" vs "answer supported"."""

from __future__ import annotations

from qa.types import ABSTENTION, Answer, Citation, Support, SupportCheck
from qa.ui.render import answer_html

QUOTE = Citation("a", "Probe launched", 0, 26, "Halcyon-1, launched in 2016", published="2025-03-11")


def test_a_supported_answer_says_so_and_its_quote_is_found():
    support = Support((SupportCheck("short_in_quote", True), SupportCheck("question_terms", True)))
    html = answer_html(Answer("q", "2016 [1]", True, citations=(QUOTE,), short="2016", support=support), lambda _: None)
    assert "answer supported" in html and "quote found in article" in html
    assert "May be related" not in html


def test_a_withdrawn_answer_shows_the_passage_as_related_not_as_an_answer():
    support = Support((SupportCheck("question_terms", False, "asks about Halcyon-2; the passage names <Halcyon-1>"),))
    answer = Answer("q", ABSTENTION, False, support=support, related=(QUOTE,), withdrawn="withdrawn")
    html = answer_html(answer, lambda _: None)
    assert "answer supported" not in html
    assert "May be related (not an answer)" in html and "Halcyon-1, launched in 2016" in html
    assert "&lt;Halcyon-1&gt;" in html  # the detail is escaped
    assert "qa-card" not in html and "quote found in article" not in html  # no citation card, no badge
