"""The reader does no work an answer does not use (issue 22: ask p50 at 100k chunks): the next
sentences' candidates are read only when the best sentences' are all ruled out, and an abstention
searches no short answer. The candidates and the choice are the same as when all is read at once."""

from __future__ import annotations

import pytest

from conftest import SAMPLE
from qa.ingest.loading import load_file
from qa.models.embedding import embed_sentences
from qa.reader import extractive, reading
from qa.reader.features import Passage
from qa.reader.questions import own_words, read_question
from qa.reader.reading import MORE_SENTENCES, SPAN_SENTENCES, Reader


@pytest.fixture(scope="module")
def passages() -> list[Passage]:
    articles = [a for path in sorted(SAMPLE.iterdir()) for a in load_file(path)]
    return [Passage(a.title, a.text) for a in articles]


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader(embed_sentences)


QUESTIONS = [
    "How many hostages would be released?",
    "What budget did Norvale approve?",
    "When did Halcyon-2 launch?",
    "Who is Steve Witkoff?",
    "How much does the Halcyon-2 probe weigh?",
    "Which recipe uses sourdough starter?",
]


def _all_at_once(reader: Reader, question: str, passages: list[Passage]):
    """The candidates as they were found before: every searched sentence in one batch."""
    read = reader.read(question, passages)
    own = own_words(question)
    info = read_question(own) if own != question else read_question(question)
    spans = reader._spans(info, read.sentences[: SPAN_SENTENCES + MORE_SENTENCES], read.sentences[0].score, 0)
    return [c for c in spans if c.sentence < SPAN_SENTENCES] + [c for c in spans if c.sentence >= SPAN_SENTENCES]


@pytest.mark.parametrize("question", QUESTIONS)
def test_candidates_read_in_two_steps_are_those_read_at_once(reader, passages, question):
    lazy = reader.read(question, passages)
    eager = [c for c in _all_at_once(reader, question, passages) if not c.ruled]
    assert [c for c in lazy.candidates if not c.ruled] == eager
    assert list(lazy.ranked()) == list(lazy.candidates)  # iterating twice reads once, same order


def test_choose_reads_the_next_sentences_only_when_it_needs_them(reader, passages, monkeypatch):
    calls: list[int] = []
    real = reading.span_groups

    def counting(question, texts, *args, **kwargs):
        calls.append(len(texts))
        return real(question, texts, *args, **kwargs)

    monkeypatch.setattr(reading, "span_groups", counting)
    chosen, short = extractive.choose(reader, "How many hostages would be released?", passages, 0.5)
    assert short == "ten" and calls == [SPAN_SENTENCES]  # the best sentences held the answer
    calls.clear()
    chosen, short = extractive.choose(reader, "Which recipe uses sourdough starter?", passages, 0.5)
    assert (chosen, short) == ([], None) and calls == []  # an abstention searches no short answer
    # The API's full reading still has every candidate.
    assert reader.read("Which recipe uses sourdough starter?", passages).candidates


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_kept_next_sentences_give_the_candidates_all_of_them_give_there(reader, passages, question):
    def keep(sentence: int) -> bool:
        return sentence % 2 == 1

    everything = reader.read(question, passages)
    first = list(everything.first)
    later = list(everything.ranked())[len(first):]
    kept = list(reader.read(question, passages).ranked(keep=keep))
    assert kept == first + [c for c in later if keep(c.sentence)]


def test_choose_parses_only_the_next_sentences_that_name_what_was_asked(reader, passages, monkeypatch):
    question = "How much does the Halcyon-2 probe weigh?"
    calls: list[int] = []
    real = reading.span_groups

    def counting(question, texts, *args, **kwargs):
        calls.append(len(texts))
        return real(question, texts, *args, **kwargs)

    monkeypatch.setattr(reading, "span_groups", counting)
    chosen, short = extractive.choose(reader, question, passages, 0.5)
    assert short == "1,340"  # of "the 1,340-kilogram probe", past the lede's "six-year"
    assert calls[0] == SPAN_SENTENCES and len(calls) == 2 and calls[1] < MORE_SENTENCES
    # the same choice as reading every next sentence
    every = reading.Reading.ranked
    monkeypatch.setattr(reading.Reading, "ranked", lambda self, keep=None: every(self))
    assert extractive.choose(reader, question, passages, 0.5) == (chosen, short)
