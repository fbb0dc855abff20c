"""Chunk and sentence offsets are exact: article_text[start:end] == chunk text, always."""


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SEED as SEED_FOLDER
from conftest import SEED_ID
from qa.ingest.chunking import chunk_text, count_tokens
from qa.text.sentences import dateline_end, sentence_spans

SEED = SEED_FOLDER / f"{SEED_ID}.txt"

# Text built from pieces that stress the splitter: abbreviations, quotes, numbers, newlines.
PIECES = st.sampled_from(
    ["The", "talks", "U.S.", "Mr.", "J.", "ended.", "began!", "why?", '"Stop."', "“Yes,”", "10.5",
     "$4.2", "million.", "\n", "\n\n", "  ", "\t", "Hamas", "e.g.", "60-day", "…", "ok.", "A"]
)
TEXTS = st.one_of(
    st.text(max_size=600),
    st.lists(PIECES, max_size=200).map(" ".join),
)


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, size=st.integers(16, 120), overlap_share=st.floats(0, 0.9))
def test_every_chunk_is_an_exact_slice(text, size, overlap_share):
    overlap = min(int(size * overlap_share), size - 1)
    chunks = chunk_text("a", text, size, overlap)
    for i, chunk in enumerate(chunks):
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.index == i
        assert chunk.text == chunk.text.strip() and chunk.text
    # Chunks move forward and together cover every non-space character.
    assert [c.start for c in chunks] == sorted({c.start for c in chunks})
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


@settings(max_examples=300, deadline=None)
@given(text=TEXTS)
def test_sentences_are_exact_ordered_and_disjoint(text):
    spans = sentence_spans(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        previous_end = end


@pytest.mark.parametrize(
    "text, expected",
    [
        ("One. Two.", ["One.", "Two."]),
        ("U.S. President Trump met Mr. Netanyahu. They talked.", ["U.S. President Trump met Mr. Netanyahu.", "They talked."]),
        ('He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
        ("Line one\nLine two", ["Line one", "Line two"]),
        ("Prices rose 3.5 percent. Bonds fell.", ["Prices rose 3.5 percent.", "Bonds fell."]),
        ("Written by J. Smith in 2025. Done!", ["Written by J. Smith in 2025.", "Done!"]),
        ("no capital after. the end", ["no capital after. the end"]),
        ("", []),
    ],
)
def test_sentence_table(text, expected):
    assert [text[s:e] for s, e in sentence_spans(text)] == expected


def test_chunks_respect_size_and_overlap_on_a_real_article():
    text = SEED.read_text(encoding="utf-8")
    chunks = chunk_text("seed", text, size=160, overlap=70)
    assert len(chunks) > 5
    for c in chunks:
        assert count_tokens(c.text) <= 160
    # consecutive chunks share a sentence (overlap) but never start at the same place
    assert any(chunks[i + 1].start < chunks[i].end for i in range(len(chunks) - 1))


def test_overlong_sentence_is_cut_at_whitespace():
    text = " ".join(f"word{i}" for i in range(500)) + "."
    chunks = chunk_text("x", text, size=50, overlap=0)
    assert len(chunks) >= 10
    assert all(count_tokens(c.text) <= 51 for c in chunks)
    assert " ".join(c.text for c in chunks) == text


def test_overlap_must_be_smaller_than_size():
    with pytest.raises(ValueError):
        chunk_text("x", "Some text.", size=10, overlap=10)


def test_stored_chunks_leave_out_repeats_and_renumber():
    from qa.ingest.chunking import chunk_text, stored_chunks

    text = "Intro line here. " + "The same sentence again and again. " * 400 + "A final distinct sentence."
    every = chunk_text("a", text, size=20, overlap=0)
    kept = stored_chunks("a", text, size=20, overlap=0)
    assert len(kept) < len(every)
    assert len({c.text for c in kept}) == len(kept) == len({c.text for c in every})
    assert [c.index for c in kept] == list(range(len(kept)))
    for c in kept:
        assert text[c.start : c.end] == c.text
    assert kept[-1].text.endswith("A final distinct sentence.")


@pytest.mark.parametrize(
    ("sentence", "dateline"),
    [
        ("SORREL POINT (Sample Wire) - The agency launched a probe.", "SORREL POINT (Sample Wire) - "),
        ("PORT AVALEN - The death toll rose.", "PORT AVALEN - "),
        ("WASHINGTON (Reuters) — Talks resumed.", "WASHINGTON (Reuters) — "),
        ("NEW YORK, May 3 (AP) - Shares fell.", "NEW YORK, May 3 (AP) - "),
        ("US President Smith said - nothing.", ""),
        ("The UK - and France - agreed.", ""),
        ("NATO leaders met on Monday.", ""),
    ],
)
def test_dateline_end(sentence, dateline):
    assert sentence[: dateline_end(sentence)] == dateline
