"""Features of every sentence in a set of passages, for one question.

Both the retrieval re-ranker (qa/retrieval/rerank.py) and the extractive model (qa/models/extractive.py) score
sentences with these: a passage is as good as its best sentence, because a question is usually
answered by one sentence that shares its rare words, its word pairs and its meaning.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

import numpy as np

from qa.reader.question_types import offers
from qa.reader.questions import QuestionInfo
from qa.text.sentences import dateline_end, sentence_spans
from qa.text.tokens import terms

FEATURES = ("coverage", "dense", "bigrams", "matched_share", "offers_type", "log_words", "first_in_passage")
Embed = Callable[[list[str]], np.ndarray]  # texts -> L2-normalised rows


@dataclass(frozen=True)
class Passage:
    title: str
    text: str


@dataclass(frozen=True)
class SentenceTable:
    """One row per sentence: which passage, where in its text, and the feature values."""

    passage: np.ndarray  # passage index per sentence
    starts: list[int]
    ends: list[int]
    rows: np.ndarray  # (sentences x FEATURES)

    def text(self, passages: Sequence[Passage], i: int) -> str:
        return passages[int(self.passage[i])].text[self.starts[i] : self.ends[i]]


@lru_cache(maxsize=4096)
def _split(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[str, ...], ...]]:
    """Sentence spans and their stemmed terms, cached: the same chunks come back question after
    question, and splitting and stemming them is most of the cost of scoring."""
    spans = tuple(sentence_spans(text))
    # A dateline's place names the filing city, not what the sentence says about it.
    return spans, tuple(tuple(terms(text[s + dateline_end(text[s:e]) : e])) for s, e in spans)


_vectors: dict[Embed, dict[str, np.ndarray]] = {}


def cached_vectors(texts: list[str], embed: Embed) -> np.ndarray:
    """Embeddings of sentences (or answer spans), cached per embedder and text (dropped when it grows past
    50,000 sentences). Safe under threads: a lookup that misses just embeds again."""
    cache = _vectors.setdefault(embed, {})
    found = {t: cache.get(t) for t in texts}
    missing = [t for t, v in found.items() if v is None]
    if missing:
        if len(cache) > 50_000:
            cache.clear()
        for text, vector in zip(missing, embed(missing)):
            cache[text] = found[text] = vector
    return np.vstack([cast(np.ndarray, found[t]) for t in texts])  # every text has a vector now


def sentence_table(question: QuestionInfo, passages: Sequence[Passage], embed: Embed | None) -> SentenceTable:
    owner, starts, ends, texts, sentence_terms = [], [], [], [], []
    for p, passage in enumerate(passages):
        spans, their_terms = _split(passage.text)
        for (s, e), ts in zip(spans, their_terms):
            owner.append(p)
            starts.append(s)
            ends.append(e)
            texts.append(passage.text[s:e])
            sentence_terms.append(ts)
    rows = np.zeros((len(texts), len(FEATURES)))
    if not texts:
        return SentenceTable(np.array(owner, dtype=int), starts, ends, rows)
    wanted = question.stems
    # idf over the sentences at hand: a word most candidate sentences share does not discriminate.
    df = Counter(t for ts in sentence_terms for t in set(ts) & wanted)
    n = len(texts)
    idf = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in wanted}
    total = sum(idf.values()) or 1.0
    pairs = set(zip(question.stem_list, question.stem_list[1:]))
    titles = [set(terms(p.title)) & wanted for p in passages]
    if embed is not None:
        # the question's vector from the cache too: the re-rank, the reader and the conflict check each need it
        rows[:, 1] = cached_vectors(texts, embed) @ cached_vectors([question.text], embed)[0]
    for i, ts in enumerate(sentence_terms):
        present = set(ts) & wanted
        in_title = titles[owner[i]] - present  # a title word counts half: the passage is about it
        rows[i, 0] = (sum(idf[t] for t in present) + 0.5 * sum(idf[t] for t in in_title)) / total
        rows[i, 2] = len(pairs & set(zip(ts, ts[1:]))) / len(pairs) if pairs else 0.0
        rows[i, 3] = len(present) / len(wanted) if wanted else 0.0
        rows[i, 4] = float(question.kind is not None and bool(present) and offers(question.kind, texts[i], question.text))
        rows[i, 5] = math.log1p(len(ts))
        rows[i, 6] = float(i == 0 or owner[i - 1] != owner[i])
    return SentenceTable(np.array(owner, dtype=int), starts, ends, rows)
