"""Sentence splitting and chunking that keep exact character offsets into the article text.

Invariant: for every chunk, `article_text[chunk.start:chunk.end] == chunk.text`. Chunks are whole
sentences packed up to `chunk_size` tokens; a sentence longer than that is cut at whitespace.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from qa.types import Chunk

# Sentence-final punctuation, optional closing quotes/brackets, then whitespace.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")
_STARTS_SENTENCE = re.compile(r"[\"'“‘(\[]?[A-Z0-9À-Ý]")
_LAST_WORD = re.compile(r"(\S+)$")
_TOKEN = re.compile(r"\w+|[^\w\s]")
# A news dateline opening a story ("SORREL POINT (Sample Wire) - ", "NEW YORK, May 3 (AP) - "):
# where and by whom it was filed, not what the story says.
_DATELINE = re.compile(r"^[A-Z][A-Z.'’-]+(?:[ ,]+[A-Z0-9][A-Za-z0-9.'’-]*)*(?:\s*\([^()]{1,60}\))?\s+[-–—]{1,2}\s+")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sen rep gov gen col lt sgt capt st jr sr inc corp co ltd vs etc no nos
    jan feb mar apr jun jul aug sep sept oct nov dec fig approx dept est mt ft""".split()
)


def _is_abbreviation(text: str, dot_at: int) -> bool:
    """True when the '.' at `dot_at` ends an abbreviation or initial rather than a sentence."""
    window = text[max(0, dot_at - 40) : dot_at]  # a bounded look-back keeps splitting linear
    match = _LAST_WORD.search(window)
    if not match:
        return False
    word = match.group(1).lstrip("\"'“‘([")
    if word.lower() in _ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isupper():  # an initial: "J. Smith"
        return True
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word))  # "U.S", "e.g"


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence in text[start:end], whitespace excluded, in order."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text[start:end]):
        line_start, line_end = start + line.start(), start + line.end()
        cursor = line_start
        for match in _BOUNDARY.finditer(text, line_start, line_end):
            next_char = match.end()
            if next_char >= line_end or not _STARTS_SENTENCE.match(text, next_char):
                continue
            punct_end = match.start() + len(match.group(0).rstrip())
            if match.group(0).rstrip() == "." and _is_abbreviation(text, match.start()):
                continue
            _add_trimmed(text, cursor, punct_end, spans)
            cursor = next_char
        _add_trimmed(text, cursor, line_end, spans)
    return spans


def dateline_end(sentence: str) -> int:
    """Where a dateline opening the sentence ends (0 when it has none)."""
    match = _DATELINE.match(sentence)
    return match.end() if match else 0


def _add_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def count_tokens(text: str) -> int:
    return len(_TOKEN.findall(text))


def _split_long(text: str, span: tuple[int, int], size: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence into pieces of at most `size` tokens at whitespace."""
    start, end = span
    pieces: list[tuple[int, int]] = []
    piece_start, tokens = start, 0
    for token in _TOKEN.finditer(text, start, end):
        if tokens >= size and text[token.start() - 1].isspace():
            _add_trimmed(text, piece_start, token.start(), pieces)
            piece_start, tokens = token.start(), 0
        tokens += 1
    _add_trimmed(text, piece_start, end, pieces)
    return pieces


def _units(text: str, size: int) -> list[tuple[int, int, int]]:
    """Sentences (or pieces of long ones) as (start, end, tokens)."""
    units = []
    for span in sentence_spans(text):
        n = count_tokens(text[span[0] : span[1]])
        if n <= size:
            units.append((span[0], span[1], n))
        else:
            for piece in _split_long(text, span, size):
                units.append((piece[0], piece[1], count_tokens(text[piece[0] : piece[1]])))
    return units


def chunk_text(article_id: str, text: str, size: int = 160, overlap: int = 30) -> list[Chunk]:
    """Pack whole sentences into chunks of at most `size` tokens, repeating up to `overlap`
    tokens of trailing sentences at the start of the next chunk."""
    if overlap >= size:
        raise ValueError("overlap must be smaller than size")
    return list(_iter_chunks(article_id, text, _units(text, size), size, overlap))


def stored_chunks(article_id: str, text: str, size: int = 160, overlap: int = 30) -> list[Chunk]:
    """The chunks an article is stored as: `chunk_text`, with a chunk whose text repeats an earlier
    chunk of the same article left out (and the rest renumbered). Repeats add nothing to search,
    and hundreds of identical vectors trap Chroma's HNSW graph: measured with chromadb 1.5.9, 940
    identical vectors made 60 of 60 other vectors unfindable by their own embedding."""
    seen: set[str] = set()
    kept: list[Chunk] = []
    for chunk in chunk_text(article_id, text, size, overlap):
        if chunk.text in seen:
            continue
        seen.add(chunk.text)
        kept.append(replace(chunk, index=len(kept)))
    return kept


def _iter_chunks(
    article_id: str, text: str, units: list[tuple[int, int, int]], size: int, overlap: int
) -> Iterator[Chunk]:
    first, index = 0, 0
    while first < len(units):
        last, tokens = first, units[first][2]
        while last + 1 < len(units) and tokens + units[last + 1][2] <= size:
            last += 1
            tokens += units[last][2]
        start, end = units[first][0], units[last][1]
        yield Chunk(article_id=article_id, index=index, start=start, end=end, text=text[start:end])
        index += 1
        if last + 1 >= len(units):
            return
        # Step back over trailing sentences that fit in the overlap, but always move forward.
        next_first, carried = last + 1, 0
        while next_first - 1 > first and carried + units[next_first - 1][2] <= overlap:
            next_first -= 1
            carried += units[next_first][2]
        first = next_first
