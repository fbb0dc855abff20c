"""Typed value objects passed between the stages and returned to users.

Nothing outside the store and backend modules handles llama-index or Chroma types: they
exchange these frozen dataclasses, each with a `to_dict()` for JSON output.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

# How passages are found: dense and BM25 fused, or one of them alone. The one list of modes
# that settings, the CLI, the UI and the retriever check against.
RetrievalMode = Literal["hybrid", "dense", "bm25"]
RETRIEVAL_MODES: tuple[str, ...] = get_args(RetrievalMode)

# The answer text when the articles do not answer the question (every model is asked to reply
# with exactly this, and the parser recognises it).
ABSTENTION = "The articles don't say."


def content_hash(text: str) -> str:
    """Stable hash of an article's text (hex sha256), used to detect changed articles."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Article:
    """One news article as loaded and stored. `text` is the exact text citations index into."""

    id: str
    title: str
    text: str
    source: str = ""
    url: str = ""
    published: str = ""  # ISO date "YYYY-MM-DD" or "" when unknown
    path: str = ""  # file it came from ("" when not from a file)
    author: str = ""  # byline ("" when unknown)

    @property
    def hash(self) -> str:
        return content_hash(self.text)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "hash": self.hash}


@dataclass(frozen=True)
class Chunk:
    """A piece of an article: `article_text[start:end] == text`."""

    article_id: str
    index: int
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ArticleInfo:
    """What the store knows about an article, without its text."""

    id: str
    title: str
    source: str
    url: str
    published: str
    hash: str
    chunks: int
    chars: int
    path: str = ""
    author: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RetrievedChunk:
    """A chunk returned by retrieval, with its fused score and the scores of each retriever."""

    chunk_id: str
    article_id: str
    title: str
    source: str
    published: str
    url: str
    start: int
    end: int
    text: str
    score: float
    dense_score: float | None = None
    bm25_score: float | None = None
    rank: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Citation:
    """A verified quote: `article.text[start:end] == quote` for the stored article."""

    article_id: str
    title: str
    start: int
    end: int
    quote: str
    url: str = ""
    published: str = ""
    source: str = ""
    match: str = "exact"  # "exact", "normalized" (spacing/quote marks differed) or "fuzzy"
    score: float | None = None  # fuzzy match score 0-100
    source_number: int | None = None  # the [n] of the source in the prompt

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class UnverifiedQuote:
    """A quote the model gave that could not be found in the article it named."""

    quote: str
    source_number: int | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SupportCheck:
    """One answer-level check (qa/answer/support.py) and its outcome."""

    name: str  # "short_in_quote" | "question_terms" | "filters" | "answer_type"
    passed: bool
    detail: str = ""  # what was checked, or why it failed ("asks about Halcyon-2; the passage names Halcyon-1")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Support:
    """Whether the answer, not only its quotes, is backed by the cited passages.

    A verified citation says "this quote is in the article"; `supported` says the answer is about
    what was asked (its short answer in a quote, the question's names and identifiers in the cited
    passage or its article's title and lede, the cited articles inside the requested filters, an
    answer of the kind asked for).
    """

    checks: tuple[SupportCheck, ...] = ()

    @property
    def supported(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def failed(self) -> tuple[SupportCheck, ...]:
        return tuple(c for c in self.checks if not c.passed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "supported": self.supported,
            "checks": [c.to_dict() for c in self.checks],
            "failed": [c.name for c in self.failed],
        }


@dataclass(frozen=True)
class ConflictReport:
    """One article's value for what the question asks, when articles disagree
    (qa/answer/conflicts.py): `article.text[start:end] == quote`, and `value` is words of `quote`."""

    value: str  # as the article writes it ("seven", "$112 million", "Tomas Berg")
    article_id: str
    published: str  # ISO date of the article, "" when unknown
    quote: str  # the sentence that gives the value
    start: int
    end: int
    title: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """The result of one question."""

    question: str
    answer: str
    answerable: bool
    citations: tuple[Citation, ...] = ()
    short: str | None = None  # the short answer span alone ("ten living hostages"), inside a cited quote
    unverified: tuple[UnverifiedQuote, ...] = ()
    unsupported: tuple[str, ...] = ()  # numbers, dates, names in the answer no citation contains
    retrieved: tuple[RetrievedChunk, ...] = ()
    model: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    usage: dict[str, int] = field(default_factory=dict)  # token counts, when the model reports them
    search_question: str = ""  # the text searched: the question, or a condensed follow-up's rewrite
    withdrawn: str = ""  # why the model's claimed answer was not shown (no verified quote, failed support), else ""
    support: Support | None = None  # the answer-level checks, when an answer was claimed and quoted
    related: tuple[Citation, ...] = ()  # a withdrawn answer's closest passage: "may be related", not an answer
    # When articles give different values for what was asked: each article's report, newest first
    # (the answer leads with the newest and says an earlier report differed); () when they agree.
    conflicts: tuple[ConflictReport, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "short": self.short,
            "answerable": self.answerable,
            "citations": [c.to_dict() for c in self.citations],
            "unverified": [u.to_dict() for u in self.unverified],
            "unsupported": list(self.unsupported),
            "retrieved": [r.to_dict() for r in self.retrieved],
            "model": self.model,
            "timings": dict(self.timings),
            "usage": dict(self.usage),
            "search_question": self.search_question,
            "withdrawn": self.withdrawn,
            "support": self.support.to_dict() if self.support is not None else None,
            "related": [c.to_dict() for c in self.related],
            "conflicts": [c.to_dict() for c in self.conflicts],
        }


@dataclass(frozen=True)
class Filters:
    """Restricts retrieval to some articles and/or a published-date range (ISO dates, inclusive)."""

    article_ids: tuple[str, ...] = ()
    published_from: str = ""
    published_to: str = ""

    @property
    def empty(self) -> bool:
        return not (self.article_ids or self.published_from or self.published_to)

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_ids": list(self.article_ids),
            "published_from": self.published_from,
            "published_to": self.published_to,
        }


@dataclass(frozen=True)
class FileResult:
    """What happened to one input file during ingest."""

    path: str
    status: str  # "added" | "updated" | "unchanged" | "duplicate" | "failed"
    articles: tuple[str, ...] = ()  # ids of the articles the file holds
    chunks: int = 0
    reason: str = ""  # why it failed (or a note on what it replaced, or which article it duplicates)
    outcomes: tuple[str, ...] = ()  # per article, as `articles`: "added" | "updated" | "unchanged" | "duplicate"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class IngestReport:
    """The outcome of an ingest: one `FileResult` per file, in the order they were read."""

    files: tuple[FileResult, ...]
    seconds: float = 0.0

    def count(self, status: str) -> int:
        """Files (or pages) with this status."""
        return sum(1 for f in self.files if f.status == status)

    def count_articles(self, outcome: str) -> int:
        """Articles with this outcome ("added", "updated", "unchanged"): a .jsonl file holds several."""
        return sum(1 for f in self.files for o in f.outcomes if o == outcome)

    @property
    def failed(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.status == "failed")

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [f.to_dict() for f in self.files],
            "added": self.count("added"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "failed": self.count("failed"),
            "duplicate": self.count("duplicate"),
            "articles": {o: self.count_articles(o) for o in ("added", "updated", "unchanged", "duplicate")},
            "seconds": round(self.seconds, 3),
        }
