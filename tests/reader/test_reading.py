"""The extractive reader: short answer spans, sentence choice, abstention, the learned scorers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.reader.features import Passage
from qa.reader.questions import own_words, read_question
from qa.reader.reading import Reader
from qa.reader.scorer import WEIGHTS_DIR, LinearScorer, load_scorer, train_listwise
from qa.reader.spans import FEATURES, candidates, tokenize


def test_question_classes():
    assert read_question("How many hostages would be released?").klass == "quantity"
    assert read_question("When did the talks start?").klass == "date"
    assert read_question("Who brokered the deal?").klass == "person"
    assert read_question("Where were the talks held?").klass == "place"
    assert read_question("Why did the talks stall?").klass == "why"
    assert read_question("What did the envoy propose?").klass == "what"


def test_span_candidates_are_exact_slices_without_edge_stopwords():
    sentence = "Under the plan, Hamas would free ten living hostages in the first week, officials said."
    spans, rows = candidates(sentence, read_question("How many hostages would be freed?"))
    assert rows.shape == (len(spans), len(FEATURES))
    texts = {s.text for s in spans}
    assert "ten living hostages" in texts and "ten" in texts
    for span in spans:
        assert sentence[span.start : span.end] == span.text
        first, last = span.text.split()[0].lower(), span.text.split()[-1].lower().strip(",")
        assert first not in {"the", "in", "would"} and last not in {"the", "in"}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120), st.text(max_size=40))
def test_span_offsets_hold_for_any_text(sentence, question):
    spans, rows = candidates(sentence, read_question(question))
    assert len(rows) == len(spans)
    for span in spans:
        assert sentence[span.start : span.end] == span.text
    for token in tokenize(sentence):
        assert sentence[token.start : token.end] == token.text


def test_train_listwise_learns_the_informative_feature_and_is_deterministic():
    rng = np.random.default_rng(0)
    groups = []
    for _ in range(50):
        x = rng.normal(size=(6, 3))
        target = np.zeros(6)
        target[int(np.argmax(x[:, 1]))] = 1.0  # the good candidate is the one with the largest feature 1
        groups.append((x, target))
    w1 = train_listwise(groups, steps=200)
    w2 = train_listwise(groups, steps=200)
    assert np.array_equal(w1, w2)
    assert w1[1] > abs(w1[0]) and w1[1] > abs(w1[2])
    hits = sum(int(np.argmax(x @ w1) == np.argmax(t)) for x, t in groups)
    assert hits >= 45


def test_shipped_weights_match_the_feature_lists():
    from qa.reader.reading import SENTENCE_FEATURES
    from qa.retrieval.rerank import FEATURES as RERANK

    for name, names in (("rerank", RERANK), ("sentence", SENTENCE_FEATURES), ("span", FEATURES)):
        scorer = load_scorer(name)
        assert scorer.features == tuple(names), name
        assert len(scorer.weights) == len(names)
        assert np.all(np.isfinite(scorer.weights))
    assert "SQuAD" in json.loads((WEIGHTS_DIR / "sentence.json").read_text())["trained_on"]


PASSAGES = [
    Passage("Ceasefire talks", "The talks resumed in Doha on Sunday. Under the proposal, the group would free "
            "ten living hostages and return the bodies of nine others during a 60-day truce."),
    Passage("Harbour dredging", "The harbour authority approved a dredging contract worth 4.2 million euros. "
            "Work is due to start in March."),
]


def test_reader_picks_sentence_and_short_answer():
    reader = Reader(embed=None)
    reading = reader.read("How many living hostages would be freed under the proposal?", PASSAGES)
    assert reading.answerable
    best = reading.sentences[reading.short_sentence]
    assert "ten living hostages" in best.text
    assert reading.short is not None and reading.short in best.text
    assert "ten" in reading.short


@pytest.mark.parametrize(
    "question, own",
    [
        ("and how many bodies? (hostages released)", "and how many bodies?"),  # condense's form
        ("and when? (cafés reopen)", "and when?"),
        ("How many died (in 2024)?", "How many died (in 2024)?"),  # a user's own aside
        ("Who leads the EU (European Union)", "Who leads the EU (European Union)"),
        ("(hostages released)", "(hostages released)"),
    ],
)
def test_own_words_drop_only_the_context_condense_appends(question, own):
    assert own_words(question) == own


def test_a_condensed_follow_up_gets_the_short_answer_to_its_own_words():
    sentence = ("The draft terms call for the group to free ten hostages who are still alive and to hand over "
                "the bodies of nine others who died in captivity.")
    passages = [Passage("Ceasefire talks", "The talks resumed in Doha on Sunday. " + sentence)]
    reader = Reader(embed=None)
    assert reader.read("How many hostages would be released?", passages).short == "ten"
    # The earlier question's words find the sentence; the follow-up asks about the bodies (read
    # with the context words too, its short answer was "ten").
    reading = reader.read("and how many bodies? (hostages released)", passages)
    assert reading.sentences[reading.short_sentence].text == sentence
    assert reading.short == "nine"


def test_reader_abstains_below_its_threshold():
    reader = Reader(embed=None)
    reading = reader.read("What colour is the minister's new car?", PASSAGES)
    assert not reading.answerable
    strict = Reader(embed=None, threshold=1e9)
    assert not strict.read("How many living hostages would be freed?", PASSAGES).answerable


def test_linear_scorer_round_trips_json(tmp_path):
    scorer = LinearScorer(("a", "b"), np.array([0.5, -1.25]), threshold=0.75)
    data = json.loads(scorer.to_json(trained_on="x"))
    assert data == {"features": ["a", "b"], "weights": [0.5, -1.25], "threshold": 0.75, "trained_on": "x"}


def test_short_answer_must_be_words_of_a_verified_quote():
    from qa.answer.gate import verified_short
    from qa.types import Citation

    quote = "Hamas would free ten  living hostages in the first week."
    cited = [Citation(article_id="a", title="t", source="", published="", url="", start=0, end=len(quote),
                      quote=quote, match="exact")]
    assert verified_short("ten living hostages", cited) == "ten living hostages"  # spacing aside
    assert verified_short("TEN LIVING", cited) == "TEN LIVING"
    assert verified_short("twelve hostages", cited) is None  # not in any quote: no short answer
    assert verified_short("ten", []) is None
    assert verified_short(None, cited) is None


def test_parse_reply_reads_short():
    from qa.answer.parsing import parse_reply

    reply = parse_reply('{"answer": "Ten [1]", "short": " ten ", "answerable": true, "citations": []}')
    assert reply.short == "ten"
    assert parse_reply('{"answer": "Ten [1]", "short": 10, "answerable": true}').short is None


def test_threshold_setting_and_naive_baseline(open_assistant):
    from conftest import SAMPLE

    strict = open_assistant(answer_threshold=1e6)
    strict.ingest([SAMPLE])
    assert not strict.ask("How many hostages would be released?").answerable

    naive = open_assistant(llm="extractive-naive")
    answer = naive.ask("How many hostages would be released?")
    assert answer.model == "extractive-naive"
    assert answer.answerable and answer.short is None  # whole sentence, no span
    assert "hostages" in answer.citations[0].quote
    # it picks any sentence sharing a question word; the support check then withdraws what the
    # sentence does not back (no storm released hostages)
    unrelated = naive.ask("How many hostages did the storm release?")
    assert not unrelated.answerable and unrelated.withdrawn and unrelated.related


@pytest.mark.parametrize(
    ("question", "unit", "not_unit"),
    [
        ("How much does the Halcyon-2 probe weigh?", "kilograms", "years"),
        ("How wide is the space rock the probe is heading to?", "meters", "kilograms"),
        ("How much did the chipmaker earn per share in the quarter?", "$", "meters"),
        ("How fast were the winds when the storm made landfall?", "mph", "dollars"),
        ("How long would the proposed truce last?", "days", "$"),
        ("By what percentage did sales grow?", "percent", "days"),
    ],
)
def test_quantity_questions_name_the_unit_they_want(question, unit, not_unit):
    units = read_question(question).units
    assert unit in units and not_unit not in units


@pytest.mark.parametrize(
    "question", ["How many hostages would be released?", "Who funded the stadium?", "Where is the plant?"]
)
def test_questions_that_measure_nothing_want_no_unit(question):
    assert read_question(question).units == frozenset()


def _feature(rows, spans, text, name):
    (k,) = [i for i, s in enumerate(spans) if s.text == text]
    return rows[k, FEATURES.index(name)]


def test_span_unit_features():
    sentence = "An Arcturus-5 rocket carrying the 1,340-kilogram probe lifted off on a six-year mission."
    spans, rows = candidates(sentence, read_question("How much does the probe weigh?"))
    assert _feature(rows, spans, "1,340-kilogram", "unit_fit") == 1.0
    assert _feature(rows, spans, "1,340", "unit_fit") == 0.0
    assert _feature(rows, spans, "1,340", "unit_next") == 1.0  # the unit follows, past the hyphen
    assert _feature(rows, spans, "six-year", "unit_other") == 1.0  # a unit, but not a mass
    assert _feature(rows, spans, "six-year", "unit_fit") == 0.0
    money = "The company reported earnings of $1.12 a share."
    spans, rows = candidates(money, read_question("How much did the company earn per share?"))
    assert _feature(rows, spans, "1.12", "unit_fit") == 1.0  # the "$" sits left of the number
    spans, rows = candidates(sentence, read_question("How many people watched?"))
    unit_columns = [FEATURES.index(n) for n in ("unit_fit", "unit_other", "unit_next")]
    assert not rows[:, unit_columns].any()  # a count wants no unit: the features stay off


def test_reader_answers_with_the_wanted_unit():
    passage = Passage("Probe launch", "An Arcturus-5 rocket carrying the 1,340-kilogram probe lifted off at "
                                      "4:17 a.m. on a six-year mission.")
    reading = Reader(embed=None).read("How much does the probe weigh?", [passage])
    assert reading.short is not None and "1,340" in reading.short


def test_dateline_is_never_a_short_answer():
    lead = ("SORREL POINT (Sample Wire) - The Meridian Space Agency launched its probe on Monday, "
            "director general Ingrid Solberg-Mays said.")
    spans, _ = candidates(lead, read_question("Who is the director general of the Meridian Space Agency?"))
    dateline = len("SORREL POINT (Sample Wire) - ")
    assert spans and all(s.start >= dateline for s in spans)
    reading = Reader(embed=None).read("Who is the director general of the Meridian Space Agency?",
                                      [Passage("Launch", lead)])
    assert reading.short is not None and "Sample Wire" not in reading.short


def test_a_datelines_place_does_not_count_as_a_question_word():
    from qa.reader.features import FEATURES as SENTENCE_COLUMNS
    from qa.reader.features import sentence_table

    question = read_question("How many buses stopped in Lakemont?")
    text = "LAKEMONT (Sample Wire) - Buses stopped. Buses stopped in Lakemont."
    table = sentence_table(question, [Passage("", text)], None)
    share = table.rows[:, SENTENCE_COLUMNS.index("matched_share")]
    assert share.tolist() == [pytest.approx(2 / 3), 1.0]  # "Lakemont" counts in the second sentence only


def test_reading_ranks_candidates_best_sentences_first_and_the_first_is_the_short_answer():
    reader = Reader(embed=None)
    reading = reader.read("How many living hostages would be freed under the proposal?", PASSAGES)
    assert reading.candidates and reading.candidates[0].text == reading.short
    assert reading.candidates[0].sentence == reading.short_sentence
    ranks = [c.sentence for c in reading.candidates]
    # the best three sentences' spans (best score first) come before any later sentence's
    first_later = next((k for k, r in enumerate(ranks) if r >= 3), len(ranks))
    assert all(r < 3 for r in ranks[:first_later]) and all(r >= 3 for r in ranks[first_later:])
    top = [c.score for c in reading.candidates[:first_later]]
    assert top == sorted(top, reverse=True)
    for c in reading.candidates:
        assert c.text in reading.sentences[c.sentence].text
