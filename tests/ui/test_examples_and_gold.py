"""Example questions for the empty chat; which gold files the Eval tab may read; the failing table."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from qa.errors import QAError
from qa.ui.examples import MAX_TITLE_CHARS, chat_examples, example_questions
from qa.ui.gold_files import NOTHING, REFUSED, GoldFiles, remember_upload
from qa.ui.render import failures_html


@dataclass(frozen=True)
class Info:
    id: str
    title: str
    published: str | None = None


def test_examples_are_the_newest_titles_deterministic_and_at_most_four():
    articles = [Info("b", "Budget passes", "2025-03-01"), Info("a", "Storm hits port", "2025-09-14"),
                Info("c", "Probe launches", "2025-03-01"), Info("d", "", "2025-12-01"),
                Info("e", "Storm hits port", "2025-01-01"), Info("f", "Cup final", None), Info("g", "Strike ends")]
    questions = example_questions(articles)
    assert questions == ["What does the article “Storm hits port” report?",
                         "What does the article “Budget passes” report?",
                         "What does the article “Probe launches” report?",
                         "What does the article “Cup final” report?"]
    assert example_questions(reversed(articles)) == questions  # order of the store does not matter
    assert chat_examples(articles) == [{"text": q} for q in questions]


def test_no_examples_on_an_empty_store_and_long_titles_are_cut_at_a_word():
    assert chat_examples([]) is None
    long = Info("x", "word " * 40)
    (question,) = example_questions([long])
    assert "…" in question and len(question) < MAX_TITLE_CHARS + 40 and "wor…" not in question


@pytest.fixture
def gold(tmp_path):
    folder = tmp_path / "gold"
    folder.mkdir()
    for name in ("sample.jsonl", "trust.jsonl"):
        (folder / name).write_text("{}\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not a gold file", encoding="utf-8")
    secret = tmp_path / "secret.jsonl"
    secret.write_text('{"question": "private"}\n', encoding="utf-8")
    return GoldFiles(folder), secret


def test_gold_files_are_offered_by_name(gold):
    files, _ = gold
    assert files.names() == ["sample.jsonl", "trust.jsonl"] and files.default() == "sample.jsonl"
    assert files.resolve("trust.jsonl", None, []) == files.folder / "trust.jsonl"
    assert GoldFiles(files.folder / "missing").names() == []


@pytest.mark.parametrize("pick", ["../secret.jsonl", "SECRET", "/etc/passwd", "/etc/no-such-file", "notes.txt",
                                  "missing.jsonl", "gold/sample.jsonl"])
def test_anything_but_a_listed_name_is_refused_with_one_message(gold, pick):
    files, secret = gold
    if pick == "SECRET":
        pick = str(secret)  # an existing server path: refused exactly like a missing one
    with pytest.raises(QAError) as refused:
        files.resolve(pick, None, [])
    assert str(refused.value) == REFUSED


def test_uploads_count_only_when_uploaded_in_this_session(gold, tmp_path):
    files, secret = gold
    with pytest.raises(QAError, match="pick a gold file"):
        files.resolve(None, None, [])
    assert NOTHING.startswith("pick")
    for path in (str(secret), "/etc/passwd", str(tmp_path / "nothing-here.jsonl")):
        with pytest.raises(QAError) as refused:
            files.resolve("sample.jsonl", path, [])
        assert str(refused.value) == REFUSED
    session = remember_upload(str(secret), remember_upload(None, None))
    assert files.resolve(None, str(secret), session) == secret.resolve()


def test_failing_questions_render_escaped_with_fixed_column_widths():
    html = failures_html([("q1", "Who <b>won</b>?", "Falcons", '<img src="http://t/x.gif"> ![x](http://t/y.png)')])
    assert "<img" not in html and "&lt;img src=&quot;http://t/x.gif&quot;&gt;" in html and "&lt;b&gt;won" in html
    assert "table-layout" not in html and '<col style="width:45%">' in html  # widths in the table, layout in CSS
    assert "Failing questions (1)" in html
    assert "none" in failures_html([])
