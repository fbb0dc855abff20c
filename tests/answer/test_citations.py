"""Quotes are aligned to exact offsets in the stored text, or dropped and reported."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.answer.citations import align, normalise_with_map, trim_quote, verify
from qa.answer.parsing import RawCitation
from qa.types import Article, RetrievedChunk

TEXT = (
    "Talks resumed on Monday.\nThe draft would free ten living hostages   and return nine bodies,"
    " officials said. “We are close,” said the envoy — again.\nTalks resumed on Monday."
)


@pytest.mark.parametrize(
    "quote, expected, kind",
    [
        ("free ten living hostages", "free ten living hostages", "exact"),
        ("ten living hostages and return", "ten living hostages   and return", "normalized"),
        ('We are close," said the envoy', "We are close,” said the envoy", "normalized"),
        ('"free ten living hostages"', "free ten living hostages", "exact"),  # wrapping quotes dropped
        ("said the envoy - again", "said the envoy — again", "normalized"),
        ("FREE TEN LIVING", "free ten living", "normalized"),
        ("  free ten living hostages  ", "free ten living hostages", "exact"),
    ],
)
def test_align_table(quote, expected, kind):
    start, end, match = align(TEXT, quote)
    assert TEXT[start:end] == expected
    assert match == kind


@pytest.mark.parametrize("quote", ["twelve hostages", "", "   ", "Talks resumed on Tuesday."])
def test_unlocatable_quotes_are_not_aligned(quote):
    assert align(TEXT, quote) is None


def test_repeated_quote_prefers_occurrence_near_hint():
    first = align(TEXT, "Talks resumed on Monday.", hint=0)
    last = align(TEXT, "Talks resumed on Monday.", hint=len(TEXT) - 5)
    assert first[0] == 0
    assert last[0] == TEXT.rindex("Talks resumed")


@settings(max_examples=400, deadline=None)
@given(text=st.text(min_size=1, max_size=300), data=st.data())
def test_any_substring_aligns_exactly(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    found = align(text, quote, hint=start)
    if trim_quote(quote) == "":
        assert found is None
        return
    assert found is not None
    s, e, _ = found
    assert text[s:e] == text[s:e]  # slice is the quote by construction
    assert normalise_with_map(text[s:e])[0] == normalise_with_map(trim_quote(quote))[0]


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200))
def test_normalised_map_points_into_text(text):
    norm, origin = normalise_with_map(text)
    assert len(norm) == len(origin)
    assert all(0 <= i < len(text) for i in origin)
    assert origin == sorted(origin)


def _chunk(article_id: str, start: int, end: int, text: str) -> RetrievedChunk:
    return RetrievedChunk(
        chunk_id=f"{article_id}#v#0", article_id=article_id, title="T", source="S", published="",
        url="", start=start, end=end, text=text, score=1.0,
    )


def test_verify_keeps_verbatim_citations_and_reports_the_rest():
    article = Article(id="a", title="Talks", text=TEXT)
    other = Article(id="b", title="Other", text="Nothing to see here at all.")
    store = {"a": article, "b": other}
    sources = [_chunk("b", 0, 27, other.text), _chunk("a", 0, len(TEXT), TEXT)]
    raw = [
        RawCitation(2, "free ten living hostages"),
        RawCitation(1, "free ten living hostages"),  # wrong source named: found in source 2
        RawCitation(2, "free twelve hostages"),  # invented
        RawCitation(None, "return nine   bodies"),
    ]
    citations, unverified = verify(raw, sources, store.get)
    assert [c.quote for c in citations] == ["free ten living hostages", "return nine bodies"]
    for c in citations:
        assert store[c.article_id].text[c.start : c.end] == c.quote
    assert citations[0].source_number == 2
    assert [u.quote for u in unverified] == ["free twelve hostages"]
    assert unverified[0].reason == "not found in the cited source"


@pytest.mark.parametrize(
    "answer, quotes, unsupported",
    [
        ("Hamas would free ten hostages [1].", ["free 10 hostages"], []),
        ("Hamas would free 12 hostages [1].", ["free 10 hostages"], ["12"]),
        ("Talks end on July 9, 2025, said Steve Witkoff.", ["Witkoff spoke on July 9, 2025"], ["Steve Witkoff"]),
        ("The budget is $1.84 billion.", ["a $1.84 billion operating budget"], []),
        ("Officials in Qatar agreed.", ["no names here"], ["Qatar"]),
        ("The articles don't say.", [], []),
    ],
)
def test_claim_check(answer, quotes, unsupported):
    from qa.answer.claims import unsupported_claims

    assert unsupported_claims(answer, quotes) == unsupported


def test_fuzzy_alignment_maps_a_miscopied_quote_to_the_exact_span():
    article = Article(id="a", title="Talks", text=TEXT)
    sources = [_chunk("a", 0, len(TEXT), TEXT)]
    raw = [RawCitation(1, "The draft would free ten livng hostages and return nine bodies")]
    citations, unverified = verify(raw, sources, {"a": article}.get)
    assert unverified == []
    [c] = citations
    assert c.match == "fuzzy" and 90 <= c.score < 100
    assert TEXT[c.start : c.end] == c.quote
    assert c.quote.startswith("The draft would free ten living hostages")


def test_fuzzy_alignment_rejects_invented_quotes():
    from qa.answer.citations import align_fuzzy

    assert align_fuzzy(TEXT, "The envoy promised twelve prisoners by Friday") is None
    assert align_fuzzy(TEXT, "ten livng") is None  # too short to trust a fuzzy match
