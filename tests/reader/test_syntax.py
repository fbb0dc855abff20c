"""The parser behind the short-answer scorer: phrases, heads, the tree, the question's role."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from qa.reader import syntax
from qa.reader.questions import CLASSES, read_question
from qa.reader.spans import FEATURES, candidates

SENTENCE = "Under the plan, Hamas would free ten living hostages in the first week, officials in Cairo said."


def _row(question: str, text: str) -> dict[str, float]:
    spans, rows = candidates(SENTENCE, read_question(question))
    (k,) = [i for i, s in enumerate(spans) if s.text == text]
    return {name: rows[k, i] for i, name in enumerate(FEATURES) if name.startswith(("syn_", "class_", "dep_"))}


def test_the_model_ships_in_a_package_and_loads_offline():
    assert syntax.available()


def test_parse_finds_noun_chunks_as_token_ranges_without_leading_function_words():
    (parse,) = syntax.parse_all([SENTENCE])
    words = [SENTENCE[s:e] for s, e in zip(parse.starts, parse.ends)]
    chunks = {" ".join(words[a : b + 1]) for a, b in enumerate(parse.chunk_end.tolist()) if b >= 0}
    assert {"ten living hostages", "plan", "first week", "Cairo"} <= chunks  # "the" is dropped
    assert syntax.parse_all([SENTENCE])[0] is parse  # cached


def test_a_whole_phrase_is_told_from_a_word_run():
    phrase = _row("How many hostages would Hamas free?", "ten living hostages")
    run = _row("How many hostages would Hamas free?", "free ten living")
    assert phrase["syn_noun_chunk"] == 1.0 and phrase["syn_constituent"] == 1.0
    assert run["syn_noun_chunk"] == 0.0 and run["syn_constituent"] == 0.0 and run["syn_multi_root"] == 1.0


def test_head_word_kind_meets_the_question_class():
    place = _row("Where were the officials?", "Cairo")
    assert place["class_place_pos_PROPN"] == 1.0 and place["dep_pobj"] == 1.0
    number = _row("How many hostages would Hamas free?", "ten")
    assert number["class_quantity_pos_NUM"] == 1.0 and number["dep_nummod"] == 1.0
    phrase = _row("How many hostages would Hamas free?", "ten living hostages")
    assert phrase["class_quantity_pos_NOUN"] == 1.0 and phrase["dep_dobj"] == 1.0  # its head is "hostages"


def test_tree_distance_and_the_question_words_governing_the_span():
    near = _row("How many hostages would Hamas free?", "ten")
    far = _row("How many hostages would Hamas free?", "Cairo")
    assert near["syn_parent_matched"] == 1.0  # "ten" modifies "hostages", a question word
    assert near["syn_log_tree_distance"] < far["syn_log_tree_distance"]


def test_question_role_names_what_the_question_word_stands_for():
    assert syntax.question_role("Who founded Harvard University?") == syntax.QuestionRole("subject", "found")
    assert syntax.question_role("What did Watt invent?") == syntax.QuestionRole("object", "invent")
    assert syntax.question_role("In what country is Normandy located?").role == "pobj"
    assert syntax.question_role("Tell me about the plan.") == syntax.QuestionRole(None, None)


def test_subject_of_the_questions_verb_is_marked():
    sentence = "In 1636 the colony's legislature founded the college, which John Harvard later endowed."
    spans, rows = candidates(sentence, read_question("Who founded the college?"))
    col = {name: i for i, name in enumerate(FEATURES)}
    by_text = {s.text: rows[k] for k, s in enumerate(spans)}
    subject = by_text["colony's legislature"]
    assert subject[col["syn_q_role_and_governor"]] == 1.0
    assert by_text["John Harvard"][col["syn_q_role_and_governor"]] == 0.0


def test_features_are_zero_width_safe_for_empty_and_odd_text():
    for text in ["", "   ", "?!", "ünïcödé ∑ 12,5 — x", "a\n\nb"]:
        (parse,) = syntax.parse_all([text])
        out = syntax.span_features(parse, np.array([0]), np.array([max(1, len(text))]), frozenset(), 0,
                                   len(CLASSES))
        assert out.shape == (1, len(syntax.feature_names(CLASSES)))
        assert np.isfinite(out).all()


def test_a_missing_parser_package_is_a_clear_config_error(monkeypatch):
    from qa.errors import ConfigError

    monkeypatch.setattr(syntax, "MODEL_PACKAGE", "no_such_spacy_model_package")
    syntax._loaded.cache_clear()
    try:
        with pytest.raises(ConfigError, match="pip install -e"):
            syntax._nlp()
        assert not syntax.available()
    finally:
        monkeypatch.undo()
        syntax._loaded.cache_clear()
    assert syntax.available()


def test_the_extractive_model_starts_loading_the_parser_before_the_first_search():
    probe = (
        "import threading\n"
        "from qa.reader import syntax\n"
        "from qa.models.extractive import ExtractiveLLM\n"
        "assert syntax._loaded.cache_info().currsize == 0\n"
        "ExtractiveLLM().prepare()\n"
        "(loader,) = [t for t in threading.enumerate() if t.name == 'qa-parser-load']\n"
        "loader.join(60)\n"
        "assert syntax._loaded.cache_info().currsize == 1\n"
        "ExtractiveLLM().prepare()  # loaded: no second thread\n"
        "assert not [t for t in threading.enumerate() if t.name == 'qa-parser-load']\n"
        "ExtractiveLLM(naive=True).prepare()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_question_words_at_the_span_edges_and_as_its_head_are_marked():
    sentence = "Isaac was bound in silver chains and taken to Tripoli."
    spans, rows = candidates(sentence, read_question("What were Isaac's chains made of?"))
    col = {name: i for i, name in enumerate(FEATURES)}
    by_text = {s.text: rows[k] for k, s in enumerate(spans)}
    assert by_text["silver chains"][col["last_in_question"]] == 1.0
    assert by_text["silver chains"][col["syn_head_matched"]] == 1.0  # its head is "chains"
    assert by_text["silver"][col["last_in_question"]] == 0.0 and by_text["silver"][col["syn_head_matched"]] == 0.0
    assert by_text["Isaac"][col["first_in_question"]] == 1.0
