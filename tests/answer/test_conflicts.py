"""Disagreeing reports side by side (qa/answer/conflicts.py, qa/answer/conflict_note.py), end to
end through the Assistant on a real store built from data/conflicts and data/sample: each
report's value, date and verified quote, newest first; the answer led by the newest report;
nothing reported when the reports agree; the same for a remote model's answer."""

from __future__ import annotations

import json

import pytest

from conftest import REPO, SAMPLE
from fake_openai import Reply
from prompt_reader import read_prompt
from qa.answer.conflict_note import note, present
from qa.answer.conflicts import Found
from qa.assistant import Assistant
from qa.settings import Settings
from qa.types import Citation, ConflictReport

CONFLICTS = REPO / "data" / "conflicts"


@pytest.fixture(scope="module")
def reports(tmp_path_factory, embedder) -> Assistant:
    """One store for the module: the conflict pairs and the sample's two storm reports."""
    assistant = Assistant.open(Settings(store=tmp_path_factory.mktemp("conflicts") / "store"), embedder=embedder)
    report = assistant.ingest([CONFLICTS, SAMPLE])
    assert report.ok, report.to_dict()
    return assistant


def verified(assistant: Assistant, answer) -> None:
    """Every report is pinned to its stored article as citations are, its value words of its quote."""
    for r in answer.conflicts:
        article = assistant.article(r.article_id)
        assert article.text[r.start:r.end] == r.quote
        assert r.value and r.value in r.quote
        assert r.published == article.published
    for c in answer.citations:
        assert assistant.article(c.article_id).text[c.start:c.end] == c.quote
    spans = [(c.article_id, c.start, c.end) for c in answer.citations]
    assert len(set(spans)) == len(spans)  # the newest report cited first is not cited again


@pytest.mark.parametrize(
    "question, newest, earlier",
    [
        # a death toll revised
        ("How many miners were killed in the Garrow Hill colliery collapse?",
         ("garrow-hill-collapse-update", "nine"), ("garrow-hill-collapse", "four")),
        # a changed date
        ("When will the Calder Street Bridge reopen?",
         ("calder-street-bridge-delay", "April 14"), ("calder-street-bridge", "March 3")),
        # a different named official
        ("Who is the caretaker manager of Fennick Rovers?",
         ("fennick-rovers-caretaker", "Sean Rourke"), ("fennick-rovers-manager", "Jorge Almeida")),
        # the sample's two storm reports
        ("How many people has Tropical Storm Idris killed?",
         ("harbor-storm-update", "seven"), ("harbor-storm-first-report", "three")),
    ],
)
def test_disagreeing_reports_are_listed_newest_first_and_the_answer_leads_with_the_newest(
    reports, question, newest, earlier
):
    answer = reports.ask(question)
    verified(reports, answer)
    assert [(r.article_id, r.value) for r in answer.conflicts] == [newest, earlier]
    first, second = answer.conflicts
    assert first.published > second.published
    assert answer.short is not None and newest[1] in answer.short
    assert answer.citations[0].article_id == newest[0]  # the lead cites the newest report
    lead, said, rest = answer.answer.partition(" (an earlier report")
    assert said and newest[1] in lead
    assert earlier[1] not in lead or lead.index(newest[1]) < lead.index(earlier[1])  # the newest comes first
    assert rest.startswith(f", {second.published}, said {earlier[1]}")
    assert answer.unsupported == ()


@pytest.mark.parametrize(
    "question",
    [
        "How many jobs will Brightwell Foods cut?",  # "1,200" and "1200"
        "How many firefighters were sent to the Corvel plant fire?",  # "Sixty" and "60"
        "Who is the chief executive of Brightwell Foods?",  # "Priya Natarajan" and "Natarajan"
        "How much will the repairs to the Calder Street Bridge cost?",  # "$1.2 million" and "1.2 million dollars"
        "How many homes has the Sennet Ridge wildfire destroyed?",  # "17" and "seventeen"
        # the answer's own article speaks of the question more plainly with another value
        # ("Twelve miners were rescued" next to "killed four miners"): nothing is compared
        "How many miners were rescued from the Garrow Hill colliery?",
        "Who organises the Harbourlight Festival?",
    ],
)
def test_reports_that_agree_written_differently_are_no_conflict(reports, question):
    answer = reports.ask(question)
    assert answer.answerable
    assert answer.conflicts == ()
    assert "earlier report" not in answer.answer


def test_a_question_about_the_first_report_leads_with_the_earliest(reports):
    answer = reports.ask("How many miners died in the Garrow Hill collapse according to the first report?")
    verified(reports, answer)
    assert answer.short == "four"
    assert [r.value for r in answer.conflicts] == ["nine", "four"]  # still newest first
    assert "(a later report, 2025-03-17, said nine" in answer.answer


def test_conflicts_are_in_the_json_answer(reports):
    data = json.loads(json.dumps(reports.ask("How many residents were evacuated because of the Corvel plant fire?").to_dict()))
    assert [(r["value"], r["published"]) for r in data["conflicts"]] == [("450", "2025-06-11"), ("300", "2025-06-10")]
    assert set(data["conflicts"][0]) >= {"value", "article_id", "published", "quote", "start", "end"}
    assert data["short"] == "450"


def test_a_recency_question_ranks_the_newest_report_first(reports):
    """"so far" prefers the newest article among the passages that answer (qa/retrieval/rerank.py:
    recency_order); without the recency words the older report ranks first."""
    plain = reports.retriever.retrieve("How many people were hurt in the Oskarsby train derailment?", 5)
    recent = reports.retriever.retrieve("How many people have been hurt in the Oskarsby train derailment so far?", 5)
    assert plain[0].article_id == "oskarsby-derailment"
    assert recent[0].article_id == "oskarsby-derailment-update"
    answer = reports.ask("How many people have been hurt in the Oskarsby train derailment so far?")
    assert answer.short == "38" and [r.value for r in answer.conflicts] == ["38", "23"]


def test_filters_keep_the_comparison_inside_them(reports):
    """Only retrieved passages are compared: an article outside the requested dates is no side."""
    answer = reports.ask("How many miners were killed in the Garrow Hill colliery collapse?",
                         filters={"published_to": "2025-03-15"})
    assert answer.short == "four"
    assert answer.conflicts == ()


# ----- a remote model: the same comparison after its answer ---------------------------------
@pytest.fixture
def remote(fake, tmp_path, embedder):
    settings = Settings(store=tmp_path / "store", llm="openai-compatible:test-model", openai_base_url=fake.url,
                        llm_retries=0, llm_timeout=5)
    assistant = Assistant.open(settings, embedder=embedder)
    assistant.ingest([CONFLICTS])
    return assistant


def quoting(find: str, short: str):
    """A model's reply that answers `short`, quoting the prompt sentence containing `find`."""

    def make(body: dict) -> str:
        prompt = next(m["content"] for m in body["messages"] if m["role"] == "user")
        for source in read_prompt(prompt)[1]:
            for sentence in source.text.replace("\n", " ").split(". "):
                if find in sentence:
                    return json.dumps({"answer": f"{short} [{source.number}]", "short": short, "answerable": True,
                                       "citations": [{"source": source.number, "quote": sentence.strip()}]})
        raise AssertionError(f"{find!r} not in the prompt")

    return make


def test_a_remote_models_answer_from_the_older_report_is_led_by_the_newest(fake, remote):
    fake.reply(Reply(quoting("killed four miners", "four")))
    answer = remote.ask("How many miners were killed in the Garrow Hill colliery collapse?")
    verified(remote, answer)
    assert [(r.article_id, r.value) for r in answer.conflicts] == [
        ("garrow-hill-collapse-update", "nine"), ("garrow-hill-collapse", "four")]
    assert answer.short == "nine"
    assert [c.article_id for c in answer.citations] == ["garrow-hill-collapse-update", "garrow-hill-collapse"]
    assert answer.answer.endswith("(an earlier report, 2025-03-14, said four [2])")
    assert answer.support is not None and answer.support.supported


def test_a_remote_models_answer_agreeing_with_the_other_report_has_no_conflict(fake, remote):
    fake.reply(Reply(quoting("Twelve miners were rescued", "Twelve")))
    answer = remote.ask("How many miners were rescued from the Garrow Hill colliery?")
    assert answer.answerable and answer.short == "Twelve"
    assert answer.conflicts == ()


# ----- the note, as a pure function -----------------------------------------------------------
def report(value: str, article: str, published: str, quote: str = "", start: int = 0) -> ConflictReport:
    quote = quote or f"The toll is {value}."
    return ConflictReport(value, article, published, quote, start, start + len(quote), article.title())


def test_note_names_each_differing_report_with_its_date_and_marker():
    head = report("seven", "update", "2025-09-17")
    others = [head, report("three", "first", "2025-09-14"), report("7", "wire", "2025-09-16"),
              report("five", "later", "2025-09-18")]
    text = note(head, others, "quantity", lambda r: " [2]" if r.article_id == "first" else "")
    # "7" agrees with "seven": not mentioned
    assert text == "(an earlier report, 2025-09-14, said three [2]; a later report, 2025-09-18, said five)"
    assert note(head, [head, report("7", "wire", "2025-09-16")], "quantity") == ""


def test_present_swaps_the_lead_to_the_newest_and_keeps_the_models_citation_for_the_note():
    old = report("three", "first", "2025-09-14", "It killed three people.", 10)
    new = report("seven", "update", "2025-09-17", "The toll has risen to seven.", 40)
    cited = Citation("first", "First", old.start, old.end, old.quote, published=old.published)
    shown = present("How many people died?", "Three people died [1]", "three", [cited], Found(old, (new, old)), [])
    assert shown.swapped and shown.short == "seven"
    assert shown.answer == "The toll has risen to seven. [1] (an earlier report, 2025-09-14, said three [2])"
    assert [c.article_id for c in shown.citations] == ["update", "first"]
    kept = present("How many people died?", "Three people died [1]", "three", [cited], Found(old, (new, old)), [],
                   keep_lead=True)
    assert kept.answer == "Three people died [1] (a later report, 2025-09-17, said seven)"
    assert not kept.swapped and kept.short == "three"


def test_an_answer_whose_words_speak_of_nothing_asked_is_not_compared(open_assistant):
    """"300" residents told to leave, as the answer to how many were hurt, against the later
    report's "two" sheds: neither value's clause speaks of anyone hurt, so no disagreement."""
    assistant = open_assistant()
    assistant.ingest([REPO / "data" / "trust" / "brennock-quarry-fire.md", REPO / "data" / "trust" / "brennock-quarry-fire-update.md"])
    answer = assistant.ask("How many people were hurt in the Brennock fire?")
    assert answer.conflicts == ()
    assert "earlier report" not in answer.answer and "later report" not in answer.answer


def test_the_answers_own_article_is_read_again_only_when_another_disagrees(reports, monkeypatch):
    """The check of the answer's own article (a plainer value of what was asked there) costs a
    second reading: it is done only when another article gives a differing value, and it still
    rules the comparison out then ("twelve miners were rescued" next to "killed four miners")."""
    from qa.answer import conflicts

    calls: list[str] = []
    real = conflicts._doubtful

    def counting(slot, *args):
        calls.append(slot.question)
        return real(slot, *args)

    monkeypatch.setattr(conflicts, "_doubtful", counting)
    agreeing = "How many jobs will Brightwell Foods cut?"  # "1,200" and "1200"
    assert reports.ask(agreeing).conflicts == () and calls == []
    rescued = "How many miners were rescued from the Garrow Hill colliery?"
    assert reports.ask(rescued).conflicts == () and calls == [rescued]
    killed = "How many miners were killed in the Garrow Hill colliery collapse?"
    assert [r.value for r in reports.ask(killed).conflicts] == ["nine", "four"] and calls[-1] == killed
