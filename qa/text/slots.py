"""What a value in a sentence is a value of: the words of its clause.

Two reports give a value for the same thing when the words around their values agree:
"killing three people" and "the number of people killed ... has risen to seven" both count the
dead; "electricity to about 22,000 homes" does not. `surroundings` reads those words (stemmed,
with a few words of the same sense merged: "killed", "dead" and "death toll" are one sense).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from qa.text.tokens import STOPWORDS, stem_all, words

# Stems of one sense: a report "killing three people" and one whose "death toll rises to seven"
# speak of one figure; "won" and "the winner" of one name.
_SENSES = {
    "die": "kill dead death fatal bodi", "win": "won winner victori", "lead": "led leader",
    "injur": "injuri hurt wound", "attend": "visitor crowd", "appoint": "name chosen",
    "rise": "rose risen", "fall": "fell fallen",
}
_SENSE_OF = {stem: sense for sense, stems in _SENSES.items() for stem in (sense, *stems.split())}
# Words around a value that say nothing about which value it is.
_REPORTING = frozenset(stem_all("said says say told according officials official reported announced".split()))
WINDOW = 10  # tokens either side of a value, inside its clause, that describe it
_CLAUSE_BREAK = re.compile(r"[,;:()\"“”]|\s[-–—]\s")


def senses(stems: Iterable[str]) -> set[str]:
    """Stems with those of one sense merged ("kill", "dead", "death" -> "die")."""
    return {_SENSE_OF.get(s, s) for s in stems}


def content_senses(text: str) -> set[str]:
    """The senses of a text's content words."""
    return senses(stem_all([w for w in words(text) if w not in STOPWORDS]))


def surroundings(sentence: str, at: int, length: int, clause: bool = True, window: int | None = WINDOW) -> set[str]:
    """Senses of the content words of the value sentence[at:at+length] and of its clause (between
    commas, brackets, quotes, dashes; the whole sentence with `clause=False`), at most `window`
    tokens either side (None: no limit); reporting words ("said", "officials") and figures left
    out. Empty when `at` is negative (the value was not found)."""
    if at < 0:
        return set()
    breaks_before = [m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, at)] if clause else []
    after_break = _CLAUSE_BREAK.search(sentence, at + length) if clause else None
    clause_start = breaks_before[-1] if breaks_before else 0
    clause_end = after_break.start() if after_break else len(sentence)
    before = words(sentence[clause_start:at])
    after = words(sentence[at + length:clause_end])
    if window is not None:
        before, after = before[-window:] if window else [], after[:window]
    inside = words(sentence[at:at + length])
    found = [w for w in before + inside + after if w not in STOPWORDS and not w[0].isdigit()]
    return senses(stem_all(found)) - _REPORTING
