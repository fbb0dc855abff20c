"""The extractive reader: which sentence answers the question, and which words of it.

Three learned linear scorers (qa/reader/weights/, trained on the SQuAD development split by
eval/train_scorers.py) do the work: the sentence scorer picks the supporting sentence, the span
scorer picks the short answer inside the best few sentences, and the sentence scorer's
threshold decides when the passages do not answer at all. The reader also hands back its ranked
candidate answers, so that the caller (qa/reader/extractive.py: choose) can take the best one that
passes the answer checks; "Who is X?" and "What did X say?" get their answer from rules
(qa/reader/focus.py) that the span scorer, trained on SQuAD's short answers, does not learn.
(A separate answerability scorer trained on SQuAD 2.0 did better there but abstained on real news
questions: see eval/README.md.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from qa.reader import features as sentence_features
from qa.reader import focus, syntax
from qa.reader.features import Embed, Passage, SentenceTable, cached_vectors, sentence_table
from qa.reader.questions import QuestionInfo, own_words, read_question
from qa.reader.scorer import LinearScorer, load_scorer
from qa.reader.spans import candidates
from qa.text.sentences import sentence_spans

SENTENCE_FEATURES = sentence_features.FEATURES + ("source_reciprocal_rank", "bias")
SPAN_SENTENCES = 3  # the short answer is looked for in this many best sentences
SPANS_PER_SENTENCE = 8  # candidates kept per sentence for a caller to choose among
MORE_SENTENCES = 8  # and this many next ones, for a caller that rules the best candidates out


@dataclass(frozen=True)
class Pick:
    passage: int  # index into the passages
    start: int  # sentence offsets in the passage text
    end: int
    text: str
    score: float


@dataclass(frozen=True)
class Candidate:
    """A short answer the reader considered: its words, the sentence holding it, its span score."""

    text: str
    sentence: int  # index into Reading.sentences
    score: float
    ruled: bool = False  # given by a focus rule (qa/reader/focus.py), which already fits the question


@dataclass(frozen=True)
class Reading:
    """What the reader found: sentences best first, the short answer, and whether to answer."""

    sentences: list[Pick]
    short: str | None
    short_sentence: int | None  # index into `sentences` of the sentence holding the short answer
    confidence: float  # the best sentence's score; compared with the threshold
    answerable: bool
    # The best few spans of each searched sentence, best first (the first is `short`): a caller
    # that can rule answers out (qa/reader/support.py) takes the best one left. Those of the best
    # SPAN_SENTENCES sentences; the next sentences' (`more`) are found only when asked for.
    first: tuple[Candidate, ...] = ()
    more: Callable[[], list[Candidate]] | None = field(default=None, compare=False, repr=False)
    # The next sentences' candidates, of only those sentences (indices into `sentences`) a caller
    # keeps: a sentence it rules out whole need not be parsed.
    more_of: Callable[[Callable[[int], bool]], list[Candidate]] | None = field(default=None, compare=False, repr=False)

    def ranked(self, keep: Callable[[int], bool] | None = None) -> Iterator[Candidate]:
        """The candidates best first, the next sentences' parsed and read only if a caller gets
        past all of the best sentences' (most answers are among those: a third of the work).
        `keep`: of the next sentences, read only those it keeps (the order of their candidates
        is the same as without it)."""
        yield from self.first
        if keep is not None and self.more_of is not None:
            yield from self.more_of(keep)
        elif self.more is not None:
            yield from self.more()

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        return tuple(self.ranked())


def sentence_rows(question: QuestionInfo, passages: Sequence[Passage], embed: Embed | None) -> tuple[SentenceTable, np.ndarray]:
    table = sentence_table(question, passages, embed)
    extra = np.zeros((len(table.rows), 2))
    extra[:, 0] = 1.0 / (table.passage + 1)
    extra[:, 1] = 1.0
    return table, np.hstack([table.rows, extra])


def span_groups(
    question: QuestionInfo, texts: Sequence[str], scores: Sequence[float], embed: Embed | None = None,
    best: float | None = None, first: bool = True,
):
    """Candidates and feature rows for the short answer in the given (best first) sentences.
    `best`: the best sentence's score when `texts` continue a list (default: the first's);
    `first`: whether texts[0] is the best sentence."""
    out = []
    if best is None:
        best = scores[0] if len(scores) else 0.0
    wh_vector = cached_vectors([question.wh_noun], embed)[0] if embed is not None and question.wh_noun else None
    # One batch for the parser (each call has a fixed cost of a few ms); candidates() then finds
    # every parse in the cache.
    syntax.parse_all([*texts, question.text])
    for rank, (text, score) in enumerate(zip(texts, scores)):
        spans, rows = candidates(
            text, question, sentence_score=float(score - best), sentence_first=first and rank == 0,
            wh_vector=wh_vector, embed=embed,
        )
        out.append((spans, rows))
    return out


FOCUS_SENTENCES = 20  # "What did X say?" is looked for in this many best sentences


def focus_answer(question: str, picks: list[Pick], passages: Sequence[Passage]) -> Candidate | None:
    """The answer a focus rule gives (qa/reader/focus.py), from the best-scored sentence it fits."""
    if focus.asked_person(question) is not None:
        found = focus.describe(question, [p.text for p in picks[:SPAN_SENTENCES]])
    elif focus.speaker(question) is not None:  # the best-scored sentence where X says something
        pairs = [(p.text, sentence_before(passages[p.passage].text, p.start)) for p in picks[:FOCUS_SENTENCES]]
        found = focus.statement(question, pairs)
    else:
        return None
    return Candidate(found[1], found[0], float("inf"), ruled=True) if found else None


def sentence_before(text: str, start: int) -> str:
    spans = [(s, e) for s, e in sentence_spans(text) if e <= start]
    return text[spans[-1][0]:spans[-1][1]] if spans else ""


# The shipped answering threshold on the best sentence's score. Lower than the trained one in
# weights/sentence.json (7.379: SQuAD's NoAns 0.3 point for the reader alone), because the support
# predicates (qa/reader/support.py) now refuse the wrong-entity and wrong-kind answers the
# threshold used to; chosen on the sample gold set and cross-checked on the trust set
# (eval/README.md, "Trust"). QA_ANSWER_THRESHOLD overrides it.
ANSWER_THRESHOLD = 6.6


class Reader:
    def __init__(
        self,
        embed: Embed | None,
        sentence_scorer: LinearScorer | None = None,
        span_scorer: LinearScorer | None = None,
        threshold: float | None = None,
    ):
        self.embed = embed
        self.sentence_scorer = sentence_scorer or load_scorer("sentence")
        self.span_scorer = span_scorer or load_scorer("span")
        if threshold is None:  # a scorer given by the caller (training) brings its own operating point
            threshold = ANSWER_THRESHOLD if sentence_scorer is None else self.sentence_scorer.threshold
        self.threshold = threshold

    def read(self, question: str, passages: Sequence[Passage], unanswerable_spans: bool = True) -> Reading:
        """`unanswerable_spans=False`: when the passages do not answer (below the threshold, no
        focus rule), skip the search for a short answer (a caller that abstains then needs none)."""
        info = read_question(question)
        table, rows = sentence_rows(info, passages, self.embed)
        if not len(rows) or not info.stems:
            return Reading([], None, None, float("-inf"), False)
        scores = self.sentence_scorer.scores(rows)
        order = np.argsort(-scores, kind="stable")
        picks = [
            Pick(int(table.passage[i]), table.starts[i], table.ends[i], table.text(passages, i), float(scores[i]))
            for i in order
        ]
        confidence = picks[0].score
        answerable = confidence >= self.threshold
        ruled = focus_answer(question, picks, passages)
        if ruled is not None:
            # A statement by the person asked about answers "What did X say?" however few of the
            # question's words it shares (the scorer's confidence measures shared words).
            answerable = answerable or focus.speaker(question) is not None
        if not answerable and not unanswerable_spans:
            return Reading(picks, None, None, confidence, False)
        own = own_words(question)
        span_info = info if own == question else read_question(own)
        # The best few sentences' spans, then the next few sentences': those only serve a caller that
        # rules the best ones out ("the 1,340-kilogram probe" for a weight when the lede says "six-year"),
        # so they are read when first asked for (each list is best first on its own).
        more_picks = picks[SPAN_SENTENCES : SPAN_SENTENCES + MORE_SENTENCES]
        found = self._spans(span_info, picks[:SPAN_SENTENCES], picks[0].score, 0)
        more = lambda: self._spans(span_info, more_picks, picks[0].score, SPAN_SENTENCES)  # noqa: E731
        more_of = lambda keep: self._spans(span_info, more_picks, picks[0].score, SPAN_SENTENCES, keep)  # noqa: E731
        if ruled is not None:
            found.insert(0, ruled)
        if not found:  # the short answer is then the next sentences' best
            found, more, more_of = more(), lambda: [], lambda keep: []  # noqa: E731
        short, holder = (found[0].text, found[0].sentence) if found else (None, None)
        return Reading(picks, short, holder, confidence, answerable, tuple(found), _once(more), more_of)

    def _spans(
        self, info: QuestionInfo, picks: list[Pick], best: float, offset: int,
        keep: Callable[[int], bool] | None = None,
    ) -> list[Candidate]:
        """The best spans of each given sentence (the `offset`-th best onwards; with `keep`, of
        those it keeps), best first over all of them (ties: the earlier sentence, then the earlier
        span). A sentence's spans and their scores do not depend on the other sentences read."""
        found: list[Candidate] = []
        ranks = [offset + k for k in range(len(picks)) if keep is None or keep(offset + k)]
        if not ranks:
            return found
        kept = [picks[rank - offset] for rank in ranks]
        groups = span_groups(info, [p.text for p in kept], [p.score for p in kept], self.embed, best, ranks[0] == 0)
        for rank, (spans, rows) in zip(ranks, groups):
            if not spans:
                continue
            scores = self.span_scorer.scores(rows)
            for k in np.argsort(-scores, kind="stable")[:SPANS_PER_SENTENCE]:
                found.append(Candidate(spans[k].text, rank, float(scores[k])))
        return sorted(found, key=lambda c: -c.score)  # stable: ties keep sentence, then span order


def _once(make: Callable[[], list[Candidate]]) -> Callable[[], list[Candidate]]:
    """`make`, run at most once (a Reading may be iterated more than once)."""
    done: list[list[Candidate]] = []

    def get() -> list[Candidate]:
        if not done:
            done.append(make())
        return done[0]

    return get
