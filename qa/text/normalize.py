"""Answer normalisation shared by the claim check and the eval metrics (SQuAD's, with numbers)."""

from __future__ import annotations

import re
import string

from qa.text.vocabulary import NUMBER_WORDS

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = set(string.punctuation) | set("“”‘’–—…")
_DIGIT_WORDS = {w: str(i) for i, w in enumerate(NUMBER_WORDS[:20])}
_DIGIT_WORDS.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
                     "eighty": "80", "ninety": "90", "hundred": "100", "dozen": "12"})


def normalize_answer(text: str) -> str:
    """SQuAD normalisation (lower case, no punctuation, no a/an/the, single spaces) plus numeric
    equivalence: number words become digits, thousands separators go, hyphens split words
    ("60-day" -> "60 day") and a unit after a number loses its plural s ("60 days" -> "60 day")."""
    text = text.lower()
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = re.sub(r"[-‐‑–—/]", " ", text)
    text = "".join(ch for ch in text if ch not in _PUNCT or ch == ".")
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", "", text)  # keep decimal points only
    text = _ARTICLES.sub(" ", text)
    tokens = [_DIGIT_WORDS.get(t, t) for t in text.split()]
    for i in range(1, len(tokens)):
        if tokens[i - 1][:1].isdigit() and len(tokens[i]) > 3 and tokens[i].endswith("s"):
            tokens[i] = tokens[i][:-1]
    return " ".join(tokens)
