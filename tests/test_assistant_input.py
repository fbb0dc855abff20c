"""Wrong input to the Python API is refused with a clear `QAError`, never silently ignored:
misspelt or mistyped filters, unknown article ids, impossible dates, a store that is not there."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import SAMPLE
from qa.errors import FilterError, QAError, StoreMissingError
from qa.types import Filters

QUESTION = "What budget did Norvale approve?"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder):
    """One sample store for the read-only tests below (an ingest per test would dominate)."""
    from qa.assistant import Assistant
    from qa.settings import Settings

    folder = tmp_path_factory.mktemp("input")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)  # no stray .env is picked up
        opened = Assistant.open(Settings(store=folder / "store"), embedder=embedder)
        assert opened.ingest([SAMPLE]).ok
        yield opened


def _ways_to_ask(assistant, filters):
    """The four API entry points that take filters, each run until it has checked them."""
    return {
        "ask": lambda: assistant.ask(QUESTION, filters=filters),
        "ask_stream": lambda: list(assistant.ask_stream(QUESTION, filters=filters)),
        "chat": lambda: assistant.chat([{"role": "user", "content": QUESTION}], filters=filters),
        "Conversation.ask": lambda: assistant.conversation().ask(QUESTION, filters=filters),
    }


@pytest.mark.parametrize("way", ["ask", "ask_stream", "chat", "Conversation.ask"])
def test_an_unknown_filter_key_names_it_and_the_accepted_keys(assistant, way):
    with pytest.raises(FilterError) as caught:
        _ways_to_ask(assistant, {"article": "norvale-city-budget", "published_from": "2025-01-01"})[way]()
    message = str(caught.value)
    assert "'article'" in message and "article_ids, published_from, published_to" in message
    assert isinstance(caught.value, QAError) and "\n" not in message


def test_a_single_string_article_id_is_one_id_not_its_letters(assistant):
    for filters in ({"article_ids": "norvale-city-budget"}, Filters(article_ids="norvale-city-budget")):  # type: ignore[arg-type]
        answer = assistant.ask(QUESTION, filters=filters)
        assert {r.article_id for r in answer.retrieved} == {"norvale-city-budget"}
        assert "1.84 billion" in answer.short


@pytest.mark.parametrize(
    "filters, words",
    [
        ({"article_ids": 5}, "article_ids must be an article id or a list"),
        ({"article_ids": ["norvale-city-budget", 3]}, "article_ids must be"),
        ({"article_ids": {"id": "norvale-city-budget"}}, "article_ids must be"),
        ({"published_from": 20250101}, "published_from: cannot read date 20250101"),
        ("norvale-city-budget", "filters must be a Filters or a dict"),
    ],
)
def test_wrong_value_types_are_refused(assistant, filters, words):
    with pytest.raises(FilterError, match=words):
        assistant.ask(QUESTION, filters=filters)


def test_unknown_article_ids_are_named_with_how_to_list_them(assistant):
    with pytest.raises(FilterError) as caught:
        assistant.ask(QUESTION, filters={"article_ids": ["norvale-city-budget", "no-such-article", "nor-this"]})
    message = str(caught.value)
    assert "'no-such-article', 'nor-this'" in message and "qa articles" in message
    assert "norvale-city-budget" not in message  # the known id is not blamed
    with pytest.raises(FilterError, match="no article with id 'gone'"):
        assistant.check_filters(Filters(article_ids=("gone",)))


@pytest.mark.parametrize(
    "filters, words",
    [
        ({"published_from": "2025-02-30"}, "there is no day 2025-02-30"),
        (Filters(published_to="2025-13-01"), "there is no day 2025-13-01"),
        (Filters(published_from="2025/07/08"), "cannot read date '2025/07/08'; use YYYY-MM-DD"),
        ({"published_to": "last week"}, "cannot read date 'last week'"),
        ({"published_from": "2025-09-30", "published_to": "2025-09-15"},
         "published_from 2025-09-30 is after published_to 2025-09-15"),
        (Filters(published_from="2025-09-30", published_to="2025-09-15"), "swap the dates"),
    ],
)
def test_impossible_dates_and_ranges_are_refused(assistant, filters, words):
    with pytest.raises(FilterError, match=words):
        assistant.ask("storm damage", filters=filters)


def test_good_filters_still_work_and_are_normalised(assistant):
    # One day is a valid range (both ends inclusive); a datetime.date is read as its ISO day.
    checked = assistant.check_filters({"published_from": date(2025, 6, 18), "published_to": "2025-06-18"})
    assert checked == Filters(published_from="2025-06-18", published_to="2025-06-18")
    answer = assistant.ask(QUESTION, filters=checked)
    assert {r.article_id for r in answer.retrieved} == {"norvale-city-budget"}
    assert assistant.check_filters({}) is None and assistant.check_filters(Filters()) is None


def test_chat_checks_filters_before_the_condensing_model_call(assistant, monkeypatch):
    def no_model_call(*args, **kwargs):
        raise AssertionError("condense ran before the filters were checked")

    monkeypatch.setattr(assistant, "condense", no_model_call)
    talk = [{"role": "user", "content": "How many hostages?"}, {"role": "assistant", "content": "ten"},
            {"role": "user", "content": "and bodies?"}]
    with pytest.raises(FilterError, match="no article with id 'nope'"):
        assistant.chat(talk, filters={"article_ids": "nope"})


def test_a_removed_article_is_unknown_at_once(open_assistant):
    assistant = open_assistant()
    assert assistant.ingest([SAMPLE / "norvale-city-budget.md", SAMPLE / "castelmere-city-budget.md"]).ok
    assert assistant.ask("budget", filters={"article_ids": "norvale-city-budget"}).retrieved
    assert assistant.remove("norvale-city-budget")
    with pytest.raises(FilterError, match="no article with id 'norvale-city-budget'"):
        assistant.ask("budget", filters={"article_ids": "norvale-city-budget"})


def test_open_without_create_refuses_a_missing_store_and_creates_nothing(tmp_path, monkeypatch, embedder):
    from qa.assistant import Assistant
    from qa.settings import Settings

    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "nowhere" / "store"
    with pytest.raises(StoreMissingError) as caught:
        Assistant.open(Settings(store=missing), embedder=embedder, create=False)
    assert f"no article store at {missing}" in str(caught.value) and "ingest FILES" in str(caught.value)
    assert not (tmp_path / "nowhere").exists()
    empty = tmp_path / "empty"  # a folder that exists but holds no store: still nothing made in it
    empty.mkdir()
    with pytest.raises(StoreMissingError):
        Assistant.open(Settings(store=empty), embedder=embedder, create=False)
    assert list(empty.iterdir()) == []
    # The default still creates (the API's ingest needs it); then create=False opens it.
    Assistant.open(Settings(store=missing), embedder=embedder)
    assert Assistant.open(Settings(store=missing), embedder=embedder, create=False).articles() == []


def test_a_chroma_server_has_no_local_path_to_require(tmp_path):
    from qa.settings import Settings
    from qa.store.opening import require_store

    require_store(Settings(store=tmp_path / "missing", chroma_url="http://127.0.0.1:8000"))  # no error
    assert not (tmp_path / "missing").exists()


# ----- the question itself (issue 20 item 9) --------------------------------------------------
SAMPLE_QUESTION = "How many hostages would be released?"


def _ways_to_ask_question(assistant, question):
    """Every API entry point that takes a question."""
    return {
        "ask": lambda: assistant.ask(question),
        "ask_stream": lambda: list(assistant.ask_stream(question)),
        "chat": lambda: assistant.chat([{"role": "user", "content": question}]),
        "Conversation.ask": lambda: assistant.conversation().ask(question),
        "condense": lambda: assistant.condense([("user", "How many hostages?")], question),
    }


@pytest.mark.parametrize("way", ["ask", "ask_stream", "chat", "Conversation.ask", "condense"])
@pytest.mark.parametrize("question, kind", [(None, "NoneType"), (7, "int"), (SAMPLE_QUESTION.encode(), "bytes")])
def test_a_question_that_is_not_text_is_a_clear_error(assistant, way, question, kind):
    from qa.errors import EmptyQuestionError

    with pytest.raises(EmptyQuestionError) as caught:
        _ways_to_ask_question(assistant, question)[way]()
    message = str(caught.value)
    assert f"the question must be text (str), not {kind}" in message and "\n" not in message
    assert ("decode it first" in message) == (kind == "bytes")


def test_chat_messages_that_are_not_a_list_of_dicts_are_a_clear_error(assistant):
    from qa.errors import EmptyQuestionError

    for messages in (None, "How many hostages?", [("user", "How many hostages?")]):
        with pytest.raises(EmptyQuestionError, match="messages must be a list of dicts"):
            assistant.chat(messages)  # type: ignore[arg-type]


NOISY = [
    "How many\x00 hostages\x1b[31m would be released?",  # NUL and a colour escape
    "How many\thostages\nwould be released?",  # a tab and a line break inside
    "\x1b]0;window title\x07How  many hostages would\x9b1m be released?\x1b[0m\r\n",  # OSC, 8-bit CSI
    "How many\x7f hostages\x85would be\x1b(B released?\x08",  # DEL, NEL, a charset escape, backspace
]


@pytest.mark.parametrize("noisy", NOISY)
def test_control_characters_in_a_question_do_not_change_its_answer(assistant, noisy):
    clean = assistant.ask(SAMPLE_QUESTION)
    assert clean.short == "ten"
    for answer in (assistant.ask(noisy), assistant.chat([{"role": "user", "content": noisy}]),
                   list(assistant.ask_stream(noisy))[-1]):
        assert answer.question == SAMPLE_QUESTION and answer.search_question == SAMPLE_QUESTION
        assert (answer.answerable, answer.short, answer.citations) == (True, "ten", clean.citations)


def test_a_question_of_only_control_characters_is_empty(assistant):
    from qa.errors import EmptyQuestionError

    with pytest.raises(EmptyQuestionError, match="the question is empty"):
        assistant.ask("\x1b[31m\x00\t\x1b[0m")


def test_search_question_is_always_what_was_searched(assistant):
    """One meaning everywhere: the text retrieval searched for. Equal to the question when it was
    searched as asked (ask, a first chat turn); the rewrite when a follow-up was condensed."""
    asked = assistant.ask(SAMPLE_QUESTION)
    assert asked.search_question == SAMPLE_QUESTION == asked.to_dict()["search_question"]
    streamed = list(assistant.ask_stream(SAMPLE_QUESTION))[-1]
    assert streamed.search_question == SAMPLE_QUESTION
    talk = assistant.conversation()
    first = talk.ask(SAMPLE_QUESTION)
    follow = talk.ask("and how many bodies?")
    assert first.search_question == SAMPLE_QUESTION
    assert follow.question == "and how many bodies?" and "hostages" in follow.search_question
    assert follow.to_dict()["search_question"] == follow.search_question
