"""Near-duplicate articles: the same story under another address or file, give or take a line.

Each text is cut into overlapping runs of five words ("shingles"); two texts are as alike as the
share of shingles they have in common (Jaccard similarity). A MinHash signature of 128 numbers
estimates that share, and banding the signature (32 bands of 4) finds the stored articles worth
comparing without comparing against all of them. The threshold (DUPLICATE_AT) was measured on
pairs of copies, lightly edited copies and different stories on one topic: see docs/ingest.md.

A text that changes or drops a number of the stored article ("seven" -> "nine", "10 dead" -> "12
dead") is never its duplicate, however alike: that is a correction or an update, and a reader
needs both reports.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

SHINGLE_WORDS = 5
PERMUTATIONS = 128
BANDS = 32
ROWS = PERMUTATIONS // BANDS
MAX_SHINGLES = 50_000  # a longer text is judged by its first 50,000 shingles
DUPLICATE_AT = 0.45  # estimated Jaccard similarity from which a new article is a duplicate
_BLOCK = 4096

_rng = np.random.default_rng(20251203)  # fixed: signatures must be comparable across runs
_A = _rng.integers(1, 2**63, size=PERMUTATIONS, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63, size=PERMUTATIONS, dtype=np.uint64)


def shingles(text: str) -> np.ndarray:
    """64-bit hashes of the text's five-word runs (lower case, words only), without repeats."""
    words = re.findall(r"\w+", text.lower())
    if not words:
        return np.zeros(0, np.uint64)
    runs = (" ".join(words[i : i + SHINGLE_WORDS]) for i in range(max(1, len(words) - SHINGLE_WORDS + 1)))
    hashes = [int.from_bytes(hashlib.blake2b(r.encode(), digest_size=8).digest(), "little") for _, r in
              zip(range(MAX_SHINGLES), runs)]
    return np.unique(np.array(hashes, dtype=np.uint64))


def signature(text: str) -> np.ndarray:
    """The text's MinHash signature (PERMUTATIONS uint32 values)."""
    values = shingles(text)
    result = np.full(PERMUTATIONS, np.iinfo(np.uint32).max, dtype=np.uint64)
    with np.errstate(over="ignore"):  # multiply-shift hashing wraps around 2**64 on purpose
        for first in range(0, len(values), _BLOCK):
            block = values[first : first + _BLOCK]
            hashed = (_A[:, None] * block[None, :] + _B[:, None]) >> np.uint64(32)
            np.minimum(result, hashed.min(axis=1), out=result)
    return result.astype(np.uint32)


_NUMBER_WORDS = set(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
    "million billion trillion dozen half quarter".split()
)


def numbers(text: str) -> frozenset[tuple[str, int]]:
    """The numbers a text states, as written (digits, or number words in lower case), each with
    how many times it came so far: ("two", 1), ("two", 2). One text states all the numbers of
    another, as often, when its set holds the other's."""
    found = re.findall(r"\d+(?:[.,]\d+)*", text)
    found += [w for w in re.findall(r"[a-z]+", text.lower()) if w in _NUMBER_WORDS]
    seen: dict[str, int] = {}
    counted = []
    for value in found:
        seen[value] = seen.get(value, 0) + 1
        counted.append((value, seen[value]))
    return frozenset(counted)


@dataclass(frozen=True)
class Fingerprint:
    """What the index keeps of a text: its MinHash signature and the numbers it states."""

    signature: np.ndarray
    numbers: frozenset[tuple[str, int]]


def fingerprint(text: str) -> Fingerprint:
    return Fingerprint(signature(text), numbers(text))


def similarity(first: np.ndarray, second: np.ndarray) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures."""
    return float(np.mean(first == second))


@dataclass(frozen=True)
class Match:
    article_id: str
    similarity: float


class DuplicateIndex:
    """Signatures of known articles, searchable for the one most like a new text."""

    def __init__(self, threshold: float = DUPLICATE_AT):
        self.threshold = threshold
        self._prints: dict[str, Fingerprint] = {}
        self._bands: defaultdict[tuple[int, bytes], set[str]] = defaultdict(set)

    def __len__(self) -> int:
        return len(self._prints)

    def add(self, article_id: str, print_: Fingerprint) -> None:
        self.remove(article_id)
        self._prints[article_id] = print_
        for band, key in enumerate(_band_keys(print_.signature)):
            self._bands[(band, key)].add(article_id)

    def remove(self, article_id: str) -> None:
        old = self._prints.pop(article_id, None)
        if old is not None:
            for band, key in enumerate(_band_keys(old.signature)):
                self._bands[(band, key)].discard(article_id)

    def closest(self, print_: Fingerprint, skip: frozenset[str] = frozenset()) -> Match | None:
        """The known article that the text nearly repeats (as alike as the threshold, and with
        all of that article's numbers), the most alike first; None when there is none."""
        candidates: set[str] = set()
        for band, key in enumerate(_band_keys(print_.signature)):
            candidates |= self._bands.get((band, key), set())
        best: Match | None = None
        for article_id in sorted(candidates - skip):
            known = self._prints[article_id]
            score = similarity(print_.signature, known.signature)
            if score >= self.threshold and known.numbers <= print_.numbers and (best is None or score > best.similarity):
                best = Match(article_id, score)
        return best


def _band_keys(text_signature: np.ndarray) -> list[bytes]:
    return [text_signature[b * ROWS : (b + 1) * ROWS].tobytes() for b in range(BANDS)]
