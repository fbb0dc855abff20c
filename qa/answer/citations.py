"""Verify quotes against the stored article text and pin them to exact character offsets.

A quote is located exactly first; failing that, after normalising whitespace, quote marks and
dashes on both sides; failing that, by fuzzy alignment (small copying errors, score >= 90). Each
match is mapped back to offsets in the original text. The citation's
quote is always `article.text[start:end]`, so it is verbatim by construction.
"""

from __future__ import annotations

from collections.abc import Callable

from qa.answer.parsing import RawCitation
from qa.types import Article, Citation, RetrievedChunk, UnverifiedQuote

_EQUIVALENT = str.maketrans(
    {
        "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'",
        "–": "-", "—": "-", "‑": "-", "−": "-", "\u00a0": " ",
    }
)


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """Lower-cased text with equivalent characters unified and whitespace runs collapsed to one
    space, plus for each output character the index of the input character it came from."""
    out: list[str] = []
    origin: list[int] = []
    in_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not in_space and out:
                out.append(" ")
                origin.append(i)
            in_space = True
            continue
        in_space = False
        ch = ch.translate(_EQUIVALENT)
        lower = ch.lower()
        out.append(lower if len(lower) == 1 else ch)  # keep one output char per input char
        origin.append(i)
    if out and out[-1] == " ":
        out.pop()
        origin.pop()
    return "".join(out), origin


def _closest(positions: list[int], hint: int) -> int:
    return min(positions, key=lambda p: (abs(p - hint), p))


def _all_positions(haystack: str, needle: str, start: int = 0) -> list[int]:
    found, at = [], haystack.find(needle, start)
    while at != -1:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


def trim_quote(quote: str) -> str:
    """Drop surrounding whitespace and the quote marks models often wrap quotes in."""
    quote = quote.strip()
    if len(quote) > 2:
        quote = quote.strip("\"“”'‘’").strip()
    return quote


FUZZY_MIN_SCORE = 90.0
FUZZY_MIN_CHARS = 12


def align_fuzzy(text: str, quote: str) -> tuple[int, int, float] | None:
    """(start, end, score) of the passage of `text` closest to `quote`, for quotes with small
    copying errors; None below `FUZZY_MIN_SCORE` (0-100) or for very short quotes."""
    from rapidfuzz import fuzz

    norm_text, origin = normalise_with_map(text)
    norm_quote, _ = normalise_with_map(trim_quote(quote))
    if len(norm_quote) < FUZZY_MIN_CHARS or not norm_text:
        return None
    found = fuzz.partial_ratio_alignment(norm_quote, norm_text, score_cutoff=FUZZY_MIN_SCORE)
    if found is None or found.dest_end <= found.dest_start:
        return None
    start, end = found.dest_start, found.dest_end
    while start < end and norm_text[start] == " ":
        start += 1
    while end > start and norm_text[end - 1] == " ":
        end -= 1
    start, end = origin[start], origin[end - 1] + 1
    # The window has the quote's length, so it can clip a word at either edge: widen to whole words.
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    return start, end, round(found.score, 1)


def align(text: str, quote: str, hint: int = 0, exact_only: bool = False) -> tuple[int, int, str] | None:
    """(start, end, match kind) of `quote` in `text`, preferring the occurrence nearest `hint`."""
    quote = trim_quote(quote)
    if not quote:
        return None
    exact = _all_positions(text, quote)
    if exact:
        start = _closest(exact, hint)
        return start, start + len(quote), "exact"
    if exact_only:
        return None
    norm_text, origin = normalise_with_map(text)
    norm_quote, _ = normalise_with_map(quote)
    hits = _all_positions(norm_text, norm_quote) if norm_quote else []
    if not hits:
        return None
    at = min(hits, key=lambda p: (abs(origin[p] - hint), p))
    return origin[at], origin[at + len(norm_quote) - 1] + 1, "normalized"


def verify(
    raw: list[RawCitation] | tuple[RawCitation, ...],
    sources: list[RetrievedChunk],
    load_article: Callable[[str], Article | None],
) -> tuple[list[Citation], list[UnverifiedQuote]]:
    """Check each quote against the article of the source it names (or, when it names none or
    a wrong one, against every source's article). `load_article(id) -> Article | None`."""
    citations: list[Citation] = []
    unverified: list[UnverifiedQuote] = []
    seen: set[tuple[str, int, int]] = set()
    for item in raw:
        located = _locate(item, sources, load_article)
        if located is None:
            reason = "not found in the cited source" if _named(item, sources) else "not found in any source"
            unverified.append(UnverifiedQuote(item.quote, item.source, reason))
            continue
        article, number, (start, end, kind, score) = located
        if (article.id, start, end) in seen:
            continue
        seen.add((article.id, start, end))
        citations.append(
            Citation(
                article_id=article.id,
                title=article.title,
                start=start,
                end=end,
                quote=article.text[start:end],
                url=article.url,
                published=article.published,
                source=article.source,
                match=kind,
                score=score,
                source_number=number,
            )
        )
    return citations, unverified


def _named(item: RawCitation, sources: list[RetrievedChunk]) -> bool:
    return item.source is not None and 1 <= item.source <= len(sources)


def _locate(
    item: RawCitation, sources: list[RetrievedChunk], load_article: Callable[[str], Article | None]
) -> tuple[Article, int, tuple[int, int, str, float | None]] | None:
    """Exact or normalised match in any source first (the named one first); only then fuzzy."""
    order = list(range(1, len(sources) + 1))
    if item.source is not None and _named(item, sources):
        order.remove(item.source)
        order.insert(0, item.source)
    candidates = []
    for number in order:
        chunk = sources[number - 1]
        article: Article | None = load_article(chunk.article_id)
        if article is None:
            continue
        candidates.append((number, chunk, article))
    # The named source first; then a verbatim match in any other source beats a normalised one
    # in an earlier source (found by fuzzing).
    named = [c for c in candidates if _named(item, sources) and c[0] == item.source]
    others = [c for c in candidates if c not in named]
    for group, exact_only in ((named, False), (others, True), (others, False)):
        for number, chunk, article in group:
            span = align(article.text, item.quote, hint=chunk.start, exact_only=exact_only)
            if span is not None:
                return article, number, (*span, None)
    for number, _, article in candidates:
        fuzzy = align_fuzzy(article.text, item.quote)
        if fuzzy is not None:
            return article, number, (fuzzy[0], fuzzy[1], "fuzzy", fuzzy[2])
    return None
