"""Chat bubbles: escaped text, the short answer shown once, and read back as plain text."""

from __future__ import annotations

import re

import pytest

from qa.types import ABSTENTION, Answer
from qa.ui.bubbles import answer_bubble, bubble_text, error_bubble, text_bubble

SENTENCE = "According to Witkoff, the draft terms call for Hamas to free ten hostages who are still alive. [1]"


@pytest.mark.parametrize(
    "answer, short, expected",
    [
        (SENTENCE, "ten", "Hamas to free <b>ten</b> hostages"),
        (SENTENCE, "Ten hostages", "Hamas to free <b>ten hostages</b> who"),  # any case, the sentence's spelling
        ("It cost $2.31 billion.", "$2.31 billion", "It cost <b>$2.31 billion</b>."),
        ("Often the strike ended at ten.", "ten", "Often the strike ended at <b>ten</b>."),  # whole words only
        ("The vote was 9-2.", "nine", "<b>nine</b><br>The vote was 9-2."),  # not in the sentence: in front, once
        ("The vote was 9-2.", None, "The vote was 9-2."),
    ],
)
def test_the_short_answer_appears_once_in_bold(answer, short, expected):
    html = answer_bubble(Answer("q", answer, True, short=short))
    assert expected in html
    if short:
        words = re.findall(r"(?<!\w)" + re.escape(short.lower()) + r"(?!\w)", bubble_text(html).lower())
        assert len(words) == 1
        assert html.count("<b>") == 1


def test_article_markup_in_an_answer_is_text_not_html():
    answer = 'The board approved 7 cranes <img src="http://t/p.gif"> ![x](http://t/i.png) for the port.'
    html = answer_bubble(Answer("q", answer, True, short="7"))
    assert "<img" not in html and "&lt;img src=&quot;http://t/p.gif&quot;&gt;" in html
    assert bubble_text(html) == answer  # read back exactly, for condensing follow-ups


def test_abstention_error_and_user_text():
    assert answer_bubble(Answer("q", ABSTENTION, False)) == f"<i>{ABSTENTION.replace(chr(39), '&#x27;')}</i>"
    assert error_bubble("cannot connect <here>") == "⚠️ cannot connect &lt;here&gt;"
    assert text_bubble("a <b>\nline two") == "a &lt;b&gt;<br>line two"
    assert bubble_text(text_bubble("a <b>\nline two")) == "a <b>\nline two"


def test_bubble_text_reads_gradio_content_parts():
    assert bubble_text([{"type": "text", "text": "How many &lt;b&gt;?"}, "more"]) == "How many <b>? more"
