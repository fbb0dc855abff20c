"""What of a model's reply is shown as the answer, after its quotes were verified.

Whatever the model (the offline one, a hosted one or a small local one):
- a reply that claims an answer but has no verified quote is withdrawn: the answer becomes the
  abstention and `Answer.withdrawn` says why (a model answering from its own memory, an
  unparseable reply, a quote copied from the prompt's instructions all end here);
- answer text that repeats the prompt's own instructions (small models copy the reply format's
  descriptions) is not shown: the verified short answer or quote stands in for it;
- the short answer is shown only when it is words of a verified quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.answer.parsing import MARKER, ModelReply, strip_markers
from qa.types import ABSTENTION, Citation

NO_VERIFIED_QUOTE = "the reply claimed an answer, but none of its quotes was found in the articles"
ECHO_MIN_WORDS = 3
ECHO_MIN_SCORE = 90.0


@dataclass(frozen=True)
class Shown:
    answer: str
    short: str | None
    answerable: bool
    withdrawn: str = ""  # why a claimed answer was not shown ("" when nothing was withdrawn)


def shown_answer(reply: ModelReply, citations: list[Citation], instructions: str) -> Shown:
    """`instructions`: the prompt text the model was given around the sources (templates)."""
    if not reply.answerable:
        return Shown(reply.answer or ABSTENTION, None, False)
    if not citations:
        return Shown(ABSTENTION, None, False, NO_VERIFIED_QUOTE)
    short = verified_short(reply.short, citations)
    if short and echoes(short, instructions):
        short = None
    text = renumber_markers(reply.answer, citations)
    if not strip_markers(text).strip() or echoes(text, instructions):
        text = f"{short or citations[0].quote} [1]"
    return Shown(text, short, True)


def echoes(text: str, instructions: str) -> bool:
    """True when `text` is (nearly) a phrase of the instructions rather than words of its own:
    "short answer with [n] markers", "exact words copied from source 1"."""
    from rapidfuzz import fuzz

    words = _words(strip_markers(text))
    if len(words) < ECHO_MIN_WORDS:
        return False
    return fuzz.partial_ratio(" ".join(words), " ".join(_words(instructions))) >= ECHO_MIN_SCORE


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def verified_short(short: str | None, citations: list[Citation]) -> str | None:
    """The short answer only when it is words of a verified quote: like every claim, it must be
    found in the article (case and spacing aside); otherwise there is no short answer."""
    if not short:
        return None
    wanted = " ".join(short.split()).casefold()
    if any(wanted in " ".join(c.quote.split()).casefold() for c in citations):
        return short
    return None


def renumber_markers(answer: str, citations: list[Citation]) -> str:
    """Rewrite the model's [source] markers as [citation] numbers (1-based, in citation order);
    markers whose source has no verified citation are removed."""
    by_source: dict[int, int] = {}
    for position, citation in enumerate(citations, start=1):
        if citation.source_number is not None:
            by_source.setdefault(citation.source_number, position)

    def replace(match: re.Match) -> str:
        number = by_source.get(int(match.group(1)))
        return f" [{number}]" if number else ""

    return MARKER.sub(replace, answer).strip()
