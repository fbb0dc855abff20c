"""The offline model's decisions, as plain functions of the question and the passages.

`choose` cites the sentence of the reader's best short answer that passes the answer checks (and a
second sentence from another source when it is nearly as likely); `naive_pick` is the eval's baseline; `condense` makes a follow-up stand alone.
The llama-index adapter that replies in the answer format is qa/models/extractive.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from qa.reader.features import Passage
from qa.reader.question_types import content_of_question, question_type
from qa.reader.reading import Candidate, Pick, Reader, Reading, sentence_before
from qa.reader.support import lede, named_units, terms_check, type_check
from qa.reader.units import asks_count, carries, counts, is_amount, measures
from qa.text.followups import PERSON, PERSONAL, names, pronouns_back, reference
from qa.text.sentences import dateline_end, sentence_spans
from qa.text.tokens import STOPWORDS, terms, words

# "What does the article "X" report?", "What is the story about?", "Summarise ...": the story's
# lede answers, and no short answer can be picked out of it (the web UI offers such questions).
_SUMMARY = re.compile(
    r"^\s*(?:what (?:does|did) (?:the |this |that )?(?:article|story|report|piece)\b.*\b(?:report|say|cover|describe|tell)"
    r"|what(?:'s| is| was) (?:the|this|that) (?:article|story|report|piece)\b.*\babout\W*$"
    r"|summari[sz]e\b|(?:give|write) (?:me )?a summary\b)",
    re.I,
)


def asks_for_a_summary(question: str) -> bool:
    return bool(_SUMMARY.search(question))


def choose(reader: Reader, question: str, passages: list[Passage], second_ratio: float) -> tuple[list[Pick], str | None]:
    """The sentences to cite (best first) and the short answer, or ([], None) to abstain.

    The short answer is the reader's best candidate that passes the answer checks of
    qa/reader/support.py (the question's names are where it was found; a "who" is not answered
    by a place nor "how much does it weigh" by a bare "six"); when none passes, it abstains.
    A question asking what an article reports is answered by that article's lede, with no short
    answer."""
    reading = reader.read(question, passages, unanswerable_spans=False)  # abstaining needs no short answer
    if not reading.answerable:
        return [], None
    if asks_for_a_summary(question):
        return [opening_sentence(passages, reading.sentences[0])], None
    pick = supported(question, reading, passages)
    if pick is None:
        return [], None
    # Cite the sentence that holds the short answer; it is among the best few.
    lead = reading.sentences[pick.sentence]
    chosen = [lead]
    for other in reading.sentences[:3]:
        if other.passage != lead.passage and math.exp(other.score - lead.score) >= second_ratio:
            chosen.append(other)
            break
    return chosen, pick.text


def supported(question: str, reading: Reading, passages: Sequence[Passage]) -> Candidate | None:
    """The best candidate whose sentence (with the one before it, the title and the lede) names what
    the question names (`terms_check`) and whose words are of the kind asked (`fits`)."""
    terms: dict[int, bool] = {}  # per sentence: the check reads the sentence, not the span

    def names_asked(sentence: int) -> bool:
        if sentence not in terms:
            pick = reading.sentences[sentence]
            passage = passages[pick.passage]
            terms[sentence] = terms_check(
                question, pick.text, passage.title, article_lede(passages, pick.passage),
                before=sentence_before(passage.text, pick.start),
            )[0]
        return terms[sentence]

    # The next sentences' candidates are read only if needed, and only in sentences that pass
    # the check: no candidate of another can be chosen.
    for candidate in reading.ranked(keep=names_asked):
        pick = reading.sentences[candidate.sentence]
        if names_asked(candidate.sentence) and (candidate.ruled or fits(question, candidate.text, pick.text)):
            return candidate
    return None


def fits(question: str, short: str, sentence: str) -> bool:
    """The answer is of the kind asked: `type_check`, and a count is not a sum, duration or score."""
    if asks_count(question) and not named_units(question) and not counts(short, sentence):
        return False
    units = measures(question)
    if (units or question_type(question) == "quantity") and not is_amount(short):
        return False
    if units and not carries(units, short, sentence):
        return False  # "How wide is the rock?" is not answered by a figure in another unit
    return type_check(question, short, sentence)[0]


def opening_sentence(passages: Sequence[Passage], best: Pick) -> Pick:
    """The first sentence of the best sentence's article (not a line repeating its title) when a
    passage that opens the article was retrieved; else the best sentence itself."""
    title = " ".join(passages[best.passage].title.split()).lower()
    for index, passage in enumerate(passages):
        if passage.title != passages[best.passage].title:
            continue
        headed = False  # the text opens with its title: this passage opens the article
        for start, end in sentence_spans(passage.text):
            line = passage.text[start:end]
            if not headed and " ".join(line.lstrip("# ").split()).lower() == title:
                headed = True
                continue
            if headed and (_BYLINE_LINE.match(line) or len(line.split()) < 6):
                continue  # "By Nadia Querol, Coastal Ledger staff | September 17, 2025"
            if headed or dateline_end(line) > 0:
                return Pick(index, start, end, line, best.score)
            break
    return best


_BYLINE_LINE = re.compile(r"^\W*(?:by|posted|published|updated|written by)\b", re.I)


def article_lede(passages: Sequence[Passage], index: int) -> str:
    """The lede of the passage's article when a passage from it opens the article (with a dateline):
    sources carry chunks, and only a first chunk shows what the whole story is about."""
    title = passages[index].title
    for passage in passages:
        if passage.title == title and dateline_end(passage.text) > 0:
            return lede(passage.text)
    return ""


def naive_pick(question: str, passages: list[Passage]) -> list[Pick]:
    """The sentence with the most distinct question words (ties: the earlier one)."""
    wanted = set(terms(content_of_question(question)))
    best: Pick | None = None
    for p, passage in enumerate(passages):
        for start, end in sentence_spans(passage.text):
            text = passage.text[start:end]
            shared = len(wanted & set(terms(text)))
            if shared and (best is None or shared > best.score):
                best = Pick(p, start, end, text, float(shared))
    return [best] if best else []


def condense(history: Sequence[tuple[str, str]], question: str) -> str:
    """The follow-up searched with the earlier turn's topic it lacks, or the question as written
    when it stands alone (qa/text/followups.py decides which).

    "and how many bodies?" after "How many hostages would be released?" becomes
    "and how many bodies? (hostages released)", in lower case: the reader knows this form
    (qa/reader/questions.py: own_words) and picks the short answer by the follow-up's own words.
    A pronoun's referent keeps its capitals, so the reader keeps it as a question word ("what did
    he say? (Steve Witkoff)" must not be answered "Steve Witkoff"). Earlier follow-ups are
    condensed in turn, so a chain of them keeps the first question's topic.
    """
    earlier: str | None = None  # the last user turn, itself condensed
    reply = ""  # the answer that followed it
    for role, text in history:
        if role == "user":
            earlier = text if earlier is None else _with_context(earlier, reply, text)
            reply = ""
        elif role == "assistant":
            reply = text
    return question if earlier is None else _with_context(earlier, reply, question)


def _with_context(earlier: str, reply: str, question: str) -> str:
    """`question` plus what it lacks of the (condensed) earlier question and the reply to it."""
    if reference(question) is None:
        return question
    own = set(terms(question))
    earlier_names = names(earlier)
    in_names = set(words(" ".join(earlier_names)))  # carried as names, or not at all
    back = set(pronouns_back(question))
    if names(question) and not back & PERSONAL:
        earlier_names = []  # "what about Norvale?" replaces the earlier city; "it" would not
    if back & PERSON and re.match(r"\W*who", earlier, re.IGNORECASE):
        # "Who is the president's envoy?" -> "what did he say?": he is the answer's first name.
        earlier_names = names(reply)[:1] + earlier_names
    carried: list[str] = []
    for name in earlier_names:
        if name not in carried and not set(terms(name)) <= own:
            carried.append(name)
    in_names |= set(words(" ".join(carried)))
    for word in words(content_of_question(earlier)):
        base = word.removesuffix("'s")  # "Norvale's" is the name Norvale
        if base in STOPWORDS or base in carried or base in in_names or set(terms(base)) <= own:
            continue
        carried.append(base)
    if not carried:
        return question
    context = " ".join(carried)
    return f"{question} ({context if back & PERSONAL else context.lower()})"
