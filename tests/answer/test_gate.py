"""What of a reply is shown as the answer: only what verified quotes back, never the prompt's own
placeholder text, whatever the model."""

import pytest

from qa.answer.gate import NO_VERIFIED_QUOTE, echoes, shown_answer
from qa.answer.parsing import ModelReply, RawCitation, parse_reply
from qa.answer.prompts import load_prompts
from qa.settings import bundled_path
from qa.types import ABSTENTION, Citation

INSTRUCTIONS = load_prompts(bundled_path("prompts")).instructions
QUOTE = "Hamas would free ten hostages who are still alive."
CITED = [Citation("a", "T", 10, 10 + len(QUOTE), QUOTE, source_number=2)]


def reply(answer: str, short: str | None = None, answerable: bool = True) -> ModelReply:
    return ModelReply(answer, answerable, (RawCitation(2, QUOTE),), "json", short)


def test_a_claimed_answer_without_a_verified_quote_is_withdrawn():
    shown = shown_answer(reply("Paris [1]", "Paris"), [], INSTRUCTIONS)
    assert (shown.answer, shown.short, shown.answerable) == (ABSTENTION, None, False)
    assert shown.withdrawn == NO_VERIFIED_QUOTE


def test_a_verified_answer_is_shown_with_its_markers_renumbered():
    shown = shown_answer(reply("Ten hostages would be freed [2].", "ten hostages"), CITED, INSTRUCTIONS)
    assert (shown.answer, shown.short, shown.answerable, shown.withdrawn) == (
        "Ten hostages would be freed [1].", "ten hostages", True, "")


@pytest.mark.parametrize("copied", [
    "the answer alone, a few words copied from that sentence [1]",  # the 0.5B copied such lines
    "one short sentence that answers the question",
    "",
])
def test_answer_text_copied_from_the_instructions_is_replaced_by_verified_words(copied):
    shown = shown_answer(reply(copied, "ten hostages"), CITED, INSTRUCTIONS)
    assert shown.answer == "ten hostages [1]" and shown.answerable
    assert shown_answer(reply(copied, None), CITED, INSTRUCTIONS).answer == f"{QUOTE} [1]"


def test_a_short_answer_outside_the_quotes_or_copied_from_the_instructions_is_not_shown():
    assert shown_answer(reply("Ten [2].", "twelve"), CITED, INSTRUCTIONS).short is None
    echoing = [Citation("a", "T", 0, 40, "the answer alone, a few words copied from that sentence")]
    assert shown_answer(reply("x [1]", "the answer alone"), echoing, INSTRUCTIONS).short is None


def test_an_abstention_passes_through():
    shown = shown_answer(reply(ABSTENTION, answerable=False), CITED, INSTRUCTIONS)
    assert (shown.answer, shown.answerable, shown.withdrawn) == (ABSTENTION, False, "")


@pytest.mark.parametrize("text, expected", [
    ("the number of the source that sentence is in", True),
    ("Hamas would free ten hostages", False),
    ("ten", False),  # too short to judge
])
def test_echoes(text, expected):
    assert echoes(text, INSTRUCTIONS) is expected


def test_the_reply_format_the_prompt_asks_for_is_parsed():
    parsed = parse_reply('{"answerable": true, "quote": "%s", "source": 2, "short": "ten", "answer": "Ten [2]."}' % QUOTE)
    assert parsed.answerable and parsed.citations == (RawCitation(2, QUOTE),) and parsed.short == "ten"
    # a small model that gives the quote but no answer sentence still answers (the gate fills it)
    assert parse_reply('{"answerable": true, "quote": "%s", "source": 2}' % QUOTE).answerable
    assert not parse_reply('{"answerable": true}').answerable
    assert not parse_reply('{"answerable": true, "answer": "%s"}' % ABSTENTION).answerable


@pytest.mark.parametrize("wording", ["The article doesn't say.", "The sources do not say.", "Articles don't mention it."])
def test_an_abstention_in_other_words_is_an_abstention(wording):
    """Seen from the 0.5B model: "The article doesn't say." with "answerable": true was shown."""
    assert not parse_reply('{"answerable": true, "quote": "%s", "source": 1, "answer": "%s"}' % (QUOTE, wording)).answerable
