"""Disagreeing reports: when articles give different values for what the question asks (a death
toll revised from three to seven, a reopening date moved, another official named), each
article's report with its date (`Answer.conflicts`, newest first). qa/answer/conflict_note.py
then leads the answer with the newest and says that an earlier report differed.

It runs after the model, on the retrieved passages, so it is the same for every model. The
answer's own value is its verified short answer. Every other article among the retrieved
passages is read on its own: the extractive reader (qa/reader/) ranks its sentences, and among
the values of the same kind in the best few that name what the question names, the one whose
clause speaks of what was asked (qa/text/slots.py) is that article's value. Values are compared
by what they say (qa/text/values.py): "12" and "twelve" agree, a name with or without its first
name agrees, a figure in another unit is not compared. Only articles about the same story (a
distinctive name shared by their titles or ledes) and dated are compared: another city's budget
does not disagree with this one's, and an undated report cannot be placed before or after another.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from qa.reader import syntax
from qa.reader.extractive import article_lede
from qa.reader.features import Passage
from qa.reader.question_types import content_of_question, question_type
from qa.reader.questions import read_question
from qa.reader.reading import Pick, Reader, sentence_before, sentence_rows
from qa.reader.support import answer_kind, lede, question_names, terms_check
from qa.text.names import title_names
from qa.text.recency import without_time_words
from qa.text.sentences import dateline_end, sentence_spans
from qa.text.slots import content_senses, surroundings
from qa.text.tokens import STOPWORDS, words
from qa.text.value_spans import value_span, value_spans
from qa.text.values import Value, parse_number, read_value, same_value
from qa.types import Article, Citation, ConflictReport, RetrievedChunk

# The value kinds that can answer each kind of question (qa/reader/support.py: answer_kind).
_KINDS: dict[str | None, tuple[str, ...]] = {
    "quantity": ("number",), "date": ("date",), "person": ("name",), "place": ("name",),
}
# Another article's reading may score this far below the answering threshold and still count:
# the question is already answered; the other article only has to speak to the same point.
MARGIN = 1.0
SENTENCES = 6  # an article's best sentences (by the reader's score) searched for its value


@dataclass(frozen=True)
class Found:
    """The answer's own report (`lead`) and every article's report, newest first."""

    lead: ConflictReport
    reports: tuple[ConflictReport, ...]


@dataclass(frozen=True)
class Slot:
    """What the reports are compared on: the question and the answer's value."""

    question: str
    expect: str | None  # the kind the question asks for (qa/reader/question_types.py)
    asked: frozenset[str]  # the question's content senses, its names left out
    acts: frozenset[str]  # those of its verbs ("rescued" in "How many miners were rescued?")
    value: Value  # the answer's value, read
    around: frozenset[str]  # the senses of the answer's value's clause


@dataclass(frozen=True)
class Scored:
    score: int
    asked: int  # how plainly it speaks of what was asked, read generously (`_plainness`)
    report: ConflictReport
    value: Value


def find_conflicts(
    question: str,
    short: str | None,
    citations: Sequence[Citation],
    chunks: Sequence[RetrievedChunk],
    load_article: Callable[[str], Article | None],
    reader: Reader,
) -> Found | None:
    """Each article's report, newest first, when some article's value differs from the answer's;
    None when they agree, when only one article speaks to the question, when the answer has no
    value to compare (no short answer, free text, undated), or when the answer's own words speak
    of nothing asked or less plainly than another value does (the answer is likely not the
    value asked for)."""
    lead = _lead_report(short, citations, load_article)
    if lead is None or not lead.published or repeats(question, lead.value):
        return None  # an undated report cannot be placed before or after another
    slot = slot_of(question, lead)
    value = slot.value
    lead_article = load_article(lead.article_id)
    if value.kind not in _KINDS.get(slot.expect, ("number", "date", "name")) or lead_article is None:
        return None  # free text, or not of the kind asked ("Monday" for a magnitude): nothing to compare
    groups = _by_article(chunks)
    own = _own_asked(slot, lead)
    if not own:
        return None  # the answer's own words speak of nothing asked ("two sheds" for how many were hurt)
    story = _story_names(lead_article)
    found = [Scored(0, 0, lead, value)]
    for article_id, group in groups.items():
        article = load_article(article_id) if article_id != lead.article_id else None
        if article is None or not article.published or not story & _story_names(article):
            continue
        scored = _scored(slot, group, article, reader, with_answer=True)
        if scored:
            # Ties go to a value that agrees (a disagreement must be the likelier reading), then
            # to the better sentence.
            found.append(max(scored, key=lambda s: (s.score, same_value(value, s.value) is True)))
    differing = [s for s in found[1:] if same_value(value, s.value) is False]
    if not differing or any(s.asked >= own + PLAINER for s in differing):
        return None
    # Last: reading the answer's own article again is needed only when another one disagrees.
    if _doubtful(slot, own, groups.get(lead.article_id, []), lead_article, reader):
        return None
    ordered = sorted(found, key=lambda s: s.report.published or "", reverse=True)  # stable; undated last
    return Found(lead, tuple(s.report for s in ordered))


def slot_of(question: str, lead: ConflictReport) -> Slot:
    """What reports are compared on, for this question and the answer's own report."""
    expect = answer_kind(question) or question_type(question)
    names = content_senses(" ".join(n.text for n in question_names(question)))
    asked = content_senses(content_of_question(without_time_words(question))) - names
    # the question's names are around every value of the story: they tell none apart
    around = surroundings(lead.quote, _find(lead.quote, lead.value), len(lead.value)) - names
    return Slot(question, expect, frozenset(asked), frozenset(asked & _verbs(question)),
                read_value(lead.value, expect), frozenset(around))


def _plainness(slot: Slot, sentence: str, at: int, length: int) -> int:
    """How plainly a value's words speak of what was asked, read generously: its whole clause
    ("The sentencing of former treasurer Colette Marrin has been postponed to July 9"), or its
    nearest words across an apposition ("appointed Daniel Achterberg, a retired commander, as
    interim police chief")."""
    clause = surroundings(sentence, at, length, window=None)
    nearest = surroundings(sentence, at, length, clause=False)
    return max(_asked(slot, clause), _asked(slot, nearest))


def _own_asked(slot: Slot, lead: ConflictReport) -> int:
    return _plainness(slot, lead.quote, _find(lead.quote, lead.value), len(lead.value))


def _doubtful(slot: Slot, own: int, chunks: list[RetrievedChunk], article: Article, reader: Reader) -> bool:
    """Does the answer's own article give another value in a clause that speaks more plainly of
    what was asked ("four" miners killed as the answer to how many were rescued, where "twelve
    miners were rescued" is in the same article)? Comparing such an answer would only compare
    the wrong thing."""
    scored = _scored(slot, chunks, article, reader, with_answer=False)
    own = max([own, *(s.asked for s in scored if same_value(slot.value, s.value))])
    return any(s.asked > own for s in scored if same_value(slot.value, s.value) is False)


# Another article's value that speaks this much more plainly of what was asked than the answer's
# own (one more of the question's words and its verb, or two more words) shows the answer is
# likely a value of something else ("seven" killed for how many were injured; "14 people were
# treated for injuries"): no comparison then.
PLAINER = 3


def _asked(slot: Slot, near: set[str] | frozenset[str]) -> int:
    """How plainly a clause speaks of what was asked: two for each of the question's senses in
    it, one more for each of its verbs (what happened to the miners: killed or rescued)."""
    return 2 * len(near & slot.asked) + len(near & slot.acts)


def _verbs(question: str) -> set[str]:
    """The senses of the question's verbs (its parse; none without the parser)."""
    if not syntax.available():
        return set()
    parse = syntax.parse_all([question])[0]
    verbs = [w for w, pos in zip(parse.lowers, parse.pos) if syntax.HEAD_POS[int(pos)] == "VERB"]
    return content_senses(" ".join(verbs))


def _scored(slot: Slot, chunks: list[RetrievedChunk], article: Article, reader: Reader, with_answer: bool) -> list[Scored]:
    """The article's candidate values, read from its retrieved passages alone, in the reader's
    order, each scored: how plainly its clause speaks of what was asked (`_asked`), plus
    (with_answer) the senses it shares with the answer's clause.

    Candidates are the values of the answer's kind in the article's best few sentences that name
    what the question names (qa/reader/support.py: terms_check), not in a dateline, not made of
    the question's own words, and comparable with the answer's value (the same unit)."""
    passages = [Passage(c.title, c.text) for c in chunks]
    sentences = ranked_sentences(reader, slot.question, passages)
    if not sentences or sentences[0].score < reader.threshold - MARGIN:
        return []
    out = []
    for pick in _answering(slot.question, sentences, passages):
        opening = dateline_end(pick.text)  # "ASHBY FALLS (Ashby Falls Gazette) - " names no answer
        for v_start, v_end in value_spans(pick.text, slot.value.kind):
            text = pick.text[v_start:v_end]
            value = read_value(text, slot.expect)
            if v_start < opening or repeats(slot.question, text) or same_value(slot.value, value) is None:
                continue
            near = surroundings(pick.text, v_start, v_end - v_start)
            asked = _plainness(slot, pick.text, v_start, v_end - v_start)
            score = _asked(slot, near)
            score += len(near & slot.around) if with_answer else 0
            report = _report(v_start, v_end, pick, chunks[pick.passage], article)
            if score > 1 and report is not None:
                out.append(Scored(score, asked, report, value))
    return out


def ranked_sentences(reader: Reader, question: str, passages: Sequence[Passage]) -> list[Pick]:
    """The passages' sentences, best first, as the reader's sentence scorer ranks them (its
    first step; the short-answer search after it, which parses sentences, is not needed here)."""
    info = read_question(question)
    table, rows = sentence_rows(info, passages, reader.embed)
    if not len(rows) or not info.stems:
        return []
    scores = reader.sentence_scorer.scores(rows)
    return [Pick(int(table.passage[i]), table.starts[i], table.ends[i], table.text(passages, i), float(scores[i]))
            for i in np.argsort(-scores, kind="stable")]


def repeats(question: str, value: str) -> bool:
    """A value made of the question's own words ("Pellham" for "Who is the health officer in
    Pellham?") is not an answer to it."""
    own = set(words(value)) - STOPWORDS
    return not own or own <= set(words(question))


def _answering(question: str, sentences: list[Pick], passages: Sequence[Passage]) -> list[Pick]:
    """The reader's best sentences (at most SENTENCES) that name what the question names."""
    out = []
    for pick in sentences:
        passage = passages[pick.passage]
        if terms_check(question, pick.text, passage.title, article_lede(passages, pick.passage),
                       before=sentence_before(passage.text, pick.start))[0]:
            out.append(pick)
            if len(out) >= SENTENCES:
                break
    return out


def _report(v_start: int, v_end: int, pick: Pick, chunk: RetrievedChunk, article: Article) -> ConflictReport | None:
    """A report pinned to the stored article: the sentence at its offsets (None when the chunk no
    longer matches the article), the value words of it."""
    start, end = chunk.start + pick.start, chunk.start + pick.end
    quote = article.text[start:end]
    if quote != pick.text:
        return None
    return ConflictReport(quote[v_start:v_end], article.id, article.published, quote, start, end, article.title)


def _by_article(chunks: Sequence[RetrievedChunk]) -> dict[str, list[RetrievedChunk]]:
    groups: dict[str, list[RetrievedChunk]] = {}
    for chunk in chunks:
        groups.setdefault(chunk.article_id, []).append(chunk)
    return groups


def _lead_report(
    short: str | None, citations: Sequence[Citation], load_article: Callable[[str], Article | None]
) -> ConflictReport | None:
    """The answer's own report: the sentence of the first citation its short answer is words of,
    the value as compared (`value_span`: "seven" of "seven as damage estimate")."""
    if not short:
        return None
    for c in citations:
        article = load_article(c.article_id)
        at = _find(c.quote, short)
        if article is None or article.text[c.start:c.end] != c.quote or at < 0:
            continue
        start, end = _sentence(article.text, c.start + at, c.start + at + len(short))
        sentence = article.text[start:end]
        offset = c.start + at - start
        v_start, v_end = value_span(sentence, offset, offset + len(short))
        # "Police Chief Harold Brandt": the name without its title
        inside = [(s, e) for s, e in value_spans(sentence, "name") if offset <= s and e <= offset + len(short)]
        if inside and parse_number(short) is None:
            v_start, v_end = inside[0]
        return ConflictReport(sentence[v_start:v_end], c.article_id, c.published, sentence, start, end, c.title)
    return None


def _find(text: str, part: str) -> int:
    """Where `part` first is in `text`, case and spacing aside (the offset in `text`), or -1: the
    short answer "two" of "Two firefighters were treated ..., and two sheds burned" is the first."""
    if not part.strip():
        return -1
    match = re.search(r"\s+".join(re.escape(w) for w in part.split()), text, re.IGNORECASE)
    return match.start() if match else -1


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole sentences text[start:end] lies in."""
    spans = [(s, e) for s, e in sentence_spans(text) if s < end and e > start]
    return (spans[0][0], spans[-1][1]) if spans else (start, end)


def _story_names(article: Article) -> frozenset[str]:
    """Distinctive names in an article's title and lede: two reports of one story share some."""
    return title_names(f"{article.title}\n{lede(article.text)}")
