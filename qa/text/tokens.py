"""Word tokens shared by BM25 retrieval and the extractive model, so both read text alike."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")

# A compact English stopword list: function words that carry no topic.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves s t don also may might shall must
    per via""".split()
)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer: fast Snowball stemmers in C

    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters and digits; an inner apostrophe is kept)."""
    return _WORD.findall(text.lower().replace("’", "'"))  # the pattern takes either apostrophe


def stem_all(tokens: list[str]) -> list[str]:
    return _stemmer().stemWords(tokens)


def terms(text: str) -> list[str]:
    """Stemmed content words: what lexical matching compares."""
    return stem_all([w for w in words(text) if w not in STOPWORDS])


def stem_set(text: str) -> frozenset[str]:
    """The stems of all of a text's words. No word runs across a line break, so each line's are
    cached on their own: the terms check reads a sentence, the one before it, the title and the
    lede, and each comes back with the next sentence of the same article."""
    return frozenset().union(*(_line_stems(line) for line in text.split("\n")))


@lru_cache(maxsize=8192)
def _line_stems(line: str) -> frozenset[str]:
    return frozenset(stem_all(words(line)))
