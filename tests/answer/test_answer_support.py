"""The answer-level support check, and that the chain withdraws an answer that fails it."""

from __future__ import annotations

import json
from types import SimpleNamespace

from conftest import SAMPLE
from qa.answer.support import check_support
from qa.ingest.loading import load_file, walk
from qa.types import ABSTENTION, Citation, Filters

ARTICLES = {a.id: a for path in walk([SAMPLE]) for a in load_file(path)}


def cite(article_id: str, quote: str) -> Citation:
    article = ARTICLES[article_id]
    start = article.text.index(quote)
    return Citation(article_id, article.title, start, start + len(quote), quote, published=article.published)


def test_a_right_answer_passes_every_check():
    support = check_support("How many beds will the new Castelmere shelter have?", "220",
                            [cite("castelmere-city-budget", "a shelter with 220 beds on Marlowe Street")],
                            None, ARTICLES.get)
    assert support.supported, support.to_dict()
    assert [c.name for c in support.checks] == ["short_in_quote", "question_terms", "filters", "answer_type"]


def test_a_sibling_identifier_fails_question_terms():
    support = check_support("When did Halcyon-2 launch?", "2016",
                            [cite("halcyon-2-launch", "Halcyon-1, launched in 2016")], None, ARTICLES.get)
    assert [c.name for c in support.failed] == ["question_terms"]
    assert "Halcyon-1" in support.failed[0].detail


def test_a_cited_article_outside_the_date_range_fails_filters():
    citations = [cite("gaza-ceasefire-talks", "a temporary truce that would last 60 days")]
    question = "How long would the truce last?"
    inside = check_support(question, "60 days", citations, Filters(published_from="2025-07-01"), ARTICLES.get)
    outside = check_support(question, "60 days", citations, Filters(published_from="2025-08-01"), ARTICLES.get)
    other = check_support(question, "60 days", citations, Filters(article_ids=("halcyon-2-launch",)), ARTICLES.get)
    assert inside.supported
    assert [c.name for c in outside.failed] == ["filters"]
    assert [c.name for c in other.failed] == ["filters"]


def test_a_short_answer_in_no_quote_fails():
    support = check_support("How many beds will the shelter have?", "300",
                            [cite("castelmere-city-budget", "a shelter with 220 beds")], None, ARTICLES.get)
    assert "short_in_quote" in [c.name for c in support.failed]


def test_a_name_the_question_gives_is_not_a_claim_but_a_number_still_is():
    """A small model's sentence-long short answer repeats the question's words: they are given,
    not claimed. A name from memory still fails, and so does a number, so that a question cannot
    answer itself."""
    quote = cite("castelmere-city-budget", "Police Chief Renata Colby")
    question = "Who is the police chief of Castelmere?"
    assert check_support(question, "The police chief of Castelmere is Renata Colby.", [quote], None, ARTICLES.get).supported
    invented = check_support(question, "The police chief of Castelmere is Renata Colby of Paris.", [quote], None, ARTICLES.get)
    assert [c.name for c in invented.failed] == ["short_in_quote"] and "Paris" in invented.failed[0].detail
    beds = cite("castelmere-city-budget", "a shelter with 220 beds")
    echoed = check_support("Will the shelter have 300 beds?", "The shelter will have 300 beds.", [beds], None, ARTICLES.get)
    assert "short_in_quote" in [c.name for c in echoed.failed]


class Canned:
    """A chat model that always gives one reply (the chain treats any LLM alike)."""

    def __init__(self, reply: dict):
        self.content = json.dumps(reply)

    def chat(self, messages):
        return SimpleNamespace(message=SimpleNamespace(content=self.content), raw=None)


def test_the_chain_withdraws_an_unsupported_answer_and_keeps_the_passage_as_related(sample_assistant):
    chain = sample_assistant.chain
    question = "When did Halcyon-2 launch?"
    chunks, timings = chain.retrieve(question, 5, None, "hybrid")
    source = next(i for i, c in enumerate(chunks, start=1) if "Halcyon-1, launched in 2016" in c.text)
    chain.llm = Canned({"answerable": True, "quote": "Halcyon-1, launched in 2016", "source": source,
                        "short": "2016", "answer": "In 2016 [%d]." % source})
    answer = chain.answer(question, chunks, timings)
    assert not answer.answerable
    assert answer.answer == ABSTENTION
    assert answer.citations == ()
    assert "Halcyon-1" in answer.withdrawn
    assert answer.support is not None and not answer.support.supported
    assert [c.quote for c in answer.related] == ["Halcyon-1, launched in 2016"]
    assert answer.to_dict()["support"]["failed"] == ["question_terms"]


def test_the_chain_withdraws_an_answer_citing_outside_the_filters(sample_assistant):
    chain = sample_assistant.chain
    question = "How long did the last transit strike in Lakemont last?"
    chunks, timings = chain.retrieve(question, 5, None, "hybrid")
    source = next(i for i, c in enumerate(chunks, start=1) if "lasted 11 days" in c.text)
    chain.llm = Canned({"answerable": True, "quote": "lasted 11 days", "source": source, "short": "11 days",
                        "answer": "11 days [%d]." % source})
    kept = chain.answer(question, chunks, timings, filters=Filters(published_from="2025-11-01"))
    withdrawn = chain.answer(question, chunks, timings, filters=Filters(published_to="2025-08-01"))
    assert kept.answerable and kept.support is not None and kept.support.supported
    assert not withdrawn.answerable and "2025-08-01" in withdrawn.withdrawn


def test_an_abstention_has_no_support(sample_assistant):
    chain = sample_assistant.chain
    chunks, timings = chain.retrieve("Who is the mayor of Lakemont?", 5, None, "hybrid")
    chain.llm = Canned({"answerable": False, "quote": "", "source": 0, "short": "", "answer": ABSTENTION})
    answer = chain.answer("Who is the mayor of Lakemont?", chunks, timings)
    assert not answer.answerable and answer.support is None and answer.related == ()


def test_a_future_question_is_not_answered_by_an_earlier_year():
    """"When will the strike end?" is not answered by the year of the last strike."""
    citation = [cite("lakemont-transit-strike", "The last transit strike in Lakemont, in 2014, lasted 11 days")]
    support = check_support("When will the Lakemont transit strike end?", "2014", citation, None, ARTICLES.get)
    assert [c.name for c in support.failed] == ["answer_type"] and "before the report" in support.failed[0].detail
    # the same year for a question about the past is of the kind asked
    past = check_support("When was the last transit strike in Lakemont?", "2014", citation, None, ARTICLES.get)
    assert past.supported, past.to_dict()


def test_who_holds_a_role_needs_a_passage_that_names_the_role():
    """"Who is the mayor of Lakemont?" is not answered from a Lakemont sentence about schools."""
    schools = [cite("lakemont-transit-strike", "Schools in the Lakemont Unified district")]
    support = check_support("Who is the mayor of Lakemont?", "Lakemont Unified district", schools, None, ARTICLES.get)
    assert "question_terms" in [c.name for c in support.failed]
    assert "mayor" in support.failed[0].detail


def test_a_reworded_short_answer_is_hidden_but_one_claiming_more_fails():
    """An LLM's short answer that rewords the quote is not shown, and the answer stands; one that
    names what no quote says (the model's own memory) fails the answer."""
    quote = [cite("gaza-ceasefire-talks", "Majed Al-Ansari, who speaks for Qatar's foreign ministry")]
    reworded = check_support("Who is Qatar's spokesperson?", "Majed Al-Ansari's statement", quote, None, ARTICLES.get)
    assert reworded.supported, reworded.to_dict()
    assert "not shown" in reworded.checks[0].detail
    invented = check_support("Who is Qatar's spokesperson?", "Sheikh Tamim", quote, None, ARTICLES.get)
    assert [c.name for c in invented.failed][:1] == ["short_in_quote"]


def test_a_short_answer_is_checked_word_by_word_and_figure_by_figure():
    """What a small model wrote around its answer ("The article states that ...", "Mayor
    Ferriter's statement" for a quote naming Mayor Colm Ferriter) claims nothing new; a figure or
    a number word no quote gives does."""
    ferriter = [cite("harbor-storm-first-report", "Mayor Colm Ferriter said the city had asked the regional government for emergency funds")]
    for short in ("Mayor Ferriter's statement about the storm", "The article states that the city asked for emergency funds"):
        assert check_support("What did the mayor say?", short, ferriter, None, ARTICLES.get).checks[0].passed, short
    hostages = [cite("gaza-ceasefire-talks", "free ten hostages who are still alive")]
    assert check_support("How many hostages?", "10 hostages", hostages, None, ARTICLES.get).checks[0].passed
    assert not check_support("How many hostages?", "eleven", hostages, None, ARTICLES.get).checks[0].passed
