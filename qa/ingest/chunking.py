"""Chunking that keeps exact character offsets into the article text.

Invariant: for every chunk, `article_text[chunk.start:chunk.end] == chunk.text`. Chunks are whole
sentences packed up to `chunk_size` tokens; a sentence longer than that is cut at whitespace.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from qa.text.sentences import add_trimmed, sentence_spans
from qa.types import Chunk

_TOKEN = re.compile(r"\w+|[^\w\s]")


def count_tokens(text: str) -> int:
    return len(_TOKEN.findall(text))


def _split_long(text: str, span: tuple[int, int], size: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence into pieces of at most `size` tokens at whitespace."""
    start, end = span
    pieces: list[tuple[int, int]] = []
    piece_start, tokens = start, 0
    for token in _TOKEN.finditer(text, start, end):
        if tokens >= size and text[token.start() - 1].isspace():
            add_trimmed(text, piece_start, token.start(), pieces)
            piece_start, tokens = token.start(), 0
        tokens += 1
    add_trimmed(text, piece_start, end, pieces)
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
