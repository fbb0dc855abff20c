"""The answer-level verdict: is the answer, not only its quotes, backed by what it cites?

A verified citation proves "this quote is in the article". Every model's answer (the offline
reader's and any LLM's) then goes through four checks, each a `SupportCheck` of `Support`:

- short_in_quote  the short answer is words of a verified quote;
- question_terms  the question's names, identifiers and topic are in the cited passage (the
                  quote's sentences and the one before) or its article's title and lede, and the
                  passage does not name a sibling instead ("Halcyon-1" for "Halcyon-2");
- filters         every cited article lies inside the requested date range and article filter;
- answer_type     the short answer is of the kind asked for (a person for "who", a number with a
                  fitting unit for "how much does it weigh").

The text predicates live in qa/reader/support.py, so the extractive reader can use them too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from qa.answer.claims import unsupported_claims
from qa.answer.gate import verified_short
from qa.reader.support import lede, passage_around, sentence_before, terms_check, type_check
from qa.store.filters import excluded_by
from qa.text.normalize import normalize_answer
from qa.text.tokens import STOPWORDS
from qa.types import Article, Citation, Filters, Support, SupportCheck


@dataclass(frozen=True)
class Cited:
    """A citation with the text around it that the checks read."""

    citation: Citation
    passage: str  # the whole sentences the quote lies in
    before: str  # the sentence before them
    title: str
    lede: str


# What each check means, in the words the CLI and the UI show.
CHECK_LABELS = {
    "short_in_quote": "short answer in a quote",
    "question_terms": "the question's names in the passage",
    "filters": "inside the requested dates and articles",
    "answer_type": "an answer of the kind asked",
}


def check_label(name: str) -> str:
    return CHECK_LABELS.get(name, name)


def check_support(
    question: str,
    short: str | None,
    citations: list[Citation] | tuple[Citation, ...],
    filters: Filters | None,
    load_article: Callable[[str], Article | None],
) -> Support:
    """`short`: the short answer the model claimed (None when it gave none); `citations`: the
    verified ones."""
    cited = [_cited(c, load_article) for c in citations]
    shown = verified_short(short, list(citations))
    return Support(checks=(
        _short_in_quote(short, shown, [c.quote for c in citations], question),
        _question_terms(question, shown, cited),
        _filters(filters, citations),
        _answer_type(question, shown, cited),
    ))


def withdrawal(support: Support) -> str:
    """One line for `Answer.withdrawn`: which checks failed and why."""
    return "the answer was withdrawn: " + "; ".join(f"{c.detail}" for c in support.failed)


def _cited(citation: Citation, load_article: Callable[[str], Article | None]) -> Cited:
    article = load_article(citation.article_id)
    if article is None or article.text[citation.start:citation.end] != citation.quote:
        return Cited(citation, citation.quote, "", citation.title, "")
    text = article.text
    return Cited(citation, passage_around(text, citation.start, citation.end),
                 sentence_before(text, citation.start), article.title, lede(text))


def _short_in_quote(claimed: str | None, shown: str | None, quotes: list[str], question: str = "") -> SupportCheck:
    """A short answer that is not words of a quote is not shown. It fails the answer only when it
    claims something no quote says (a number, a date, a name: "Paris" from the model's memory);
    reworded ("Majed Al-Ansari's statement" for a quote naming Majed Al-Ansari) it is only hidden.
    A name the question itself gives is not a claim ("The police chief of Castelmere is Renata
    Colby." for a quote naming Colby, asked "Who is the police chief of Castelmere?"); a number
    from the question still is, so the question cannot answer itself."""
    if not claimed:
        return SupportCheck("short_in_quote", True, "no short answer was given")
    if shown is not None:
        return SupportCheck("short_in_quote", True, f"{shown!r} is in a quote")
    bare = re.sub(r"['’]s\b", "", claimed)  # "Al-Ansari's statement" claims Al-Ansari
    # numbers and dates as the claim check reads them; names word by word ("Mayor Ferriter" is
    # said by a quote naming "Mayor Colm Ferriter")
    figures = [c for c in unsupported_claims(bare, quotes) if re.search(r"\d", normalize_answer(c))]
    missing = figures + _unquoted_names(bare, [*quotes, question])
    if missing:
        return SupportCheck("short_in_quote", False,
                            f"the short answer {claimed!r} says {', '.join(dict.fromkeys(missing))}, which no quote says")
    return SupportCheck("short_in_quote", True, f"the short answer {claimed!r} is not words of a quote: not shown")


def _unquoted_names(short: str, quotes: list[str]) -> list[str]:
    """Capitalised words of a short answer that no quote has (the claim check lets a lone first
    word pass as grammar; a short answer has no grammar to spare)."""
    seen = " ".join(quotes).casefold()
    return [w for w in re.findall(r"\b[A-Z][\w-]*", short) if w.casefold() not in seen and w.casefold() not in STOPWORDS]


def _holding(short: str | None, cited: list[Cited]) -> list[Cited]:
    """The citations the short answer came from (all of them when there is none)."""
    if short:
        wanted = " ".join(short.split()).casefold()
        holding = [c for c in cited if wanted in " ".join(c.citation.quote.split()).casefold()]
        if holding:
            return holding
    return cited


def _question_terms(question: str, short: str | None, cited: list[Cited]) -> SupportCheck:
    if not cited:
        return SupportCheck("question_terms", False, "no cited passage")
    chosen = _holding(short, cited)
    passed, detail = terms_check(
        question,
        "\n".join(c.passage for c in chosen),
        "\n".join(dict.fromkeys(c.title for c in chosen)),
        "\n".join(dict.fromkeys(c.lede for c in chosen)),
        before="\n".join(c.before for c in chosen),
    )
    return SupportCheck("question_terms", passed, detail)


def _filters(filters: Filters | None, citations: list[Citation] | tuple[Citation, ...]) -> SupportCheck:
    if filters is None or filters.empty:
        return SupportCheck("filters", True, "no filters were requested")
    for c in citations:
        reason = excluded_by(filters, c.article_id, c.published)
        if reason:
            return SupportCheck("filters", False, reason)
    return SupportCheck("filters", True, "every cited article is inside the filters")


def _answer_type(question: str, short: str | None, cited: list[Cited]) -> SupportCheck:
    holding = _holding(short, cited)
    sentence = holding[0].passage if holding else (short or "")
    passed, detail = type_check(question, short, sentence)
    if passed and holding:
        passed, detail = _tense_check(question, short, holding[0].citation.published) or (passed, detail)
    return SupportCheck("answer_type", passed, detail)


_FUTURE = re.compile(r"^\s*when\s+(?:will|would|is\s+\w+\s+(?:expected|due|scheduled|set)\s+to)\b", re.I)
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


def _tense_check(question: str, short: str | None, published: str) -> tuple[bool, str] | None:
    """"When will the strike end?" is not answered by a year before the report was written
    ("2014", the last strike): a failure, or None when the rule does not apply."""
    if not short or not published or not _FUTURE.search(question):
        return None
    years = [int(y) for y in _YEAR.findall(short)]
    if years and max(years) < int(published[:4]):
        return False, f"asks when something will happen; {short!r} is before the report ({published})"
    return None
