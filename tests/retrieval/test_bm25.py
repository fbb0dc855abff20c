"""qa's numpy BM25 gives bm25s's Lucene BM25 scores, and round-trips through its files."""

from __future__ import annotations

import random

import numpy as np

from qa.retrieval.bm25 import BM25


def random_corpus(seed: int, docs: int = 300, vocabulary: int = 400):
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocabulary)]
    # Zipf-like: a few words are everywhere, most are rare (as in news text).
    weights = [1.0 / (i + 1) for i in range(vocabulary)]
    corpus = [rng.choices(words, weights, k=rng.randint(0, 60)) for _ in range(docs)]
    return words, corpus


def test_scores_equal_bm25s_lucene():
    import bm25s

    for seed in range(3):
        words, corpus = random_corpus(seed)
        index = {w: i for i, w in enumerate(words)}
        tokens = [np.array([index[w] for w in doc], dtype=np.int32) for doc in corpus]
        ours = BM25.build(np.concatenate(tokens), np.array([len(t) for t in tokens]), len(words))
        theirs = bm25s.BM25()  # defaults: method "lucene", k1 1.5, b 0.75
        theirs.index(bm25s.tokenization.Tokenized(ids=[t.tolist() for t in tokens], vocab=index), show_progress=False)
        rng = random.Random(seed + 100)
        for _ in range(30):
            query = rng.sample(words[:50], 2) + rng.sample(words, 3)
            expected = theirs.get_scores([index[w] for w in query])
            assert np.allclose(ours.scores([index[w] for w in query]), expected, rtol=1e-5, atol=1e-6)


def test_saved_index_loads_memory_mapped_with_the_same_scores(tmp_path):
    words, corpus = random_corpus(7)
    index = {w: i for i, w in enumerate(words)}
    tokens = [np.array([index[w] for w in doc], dtype=np.int32) for doc in corpus]
    built = BM25.build(np.concatenate(tokens), np.array([len(t) for t in tokens]), len(words))
    built.save(tmp_path)
    loaded = BM25.load(tmp_path, len(corpus))
    assert isinstance(loaded.weights, np.memmap)
    for query in (["w0", "w5"], ["w399"], ["w3", "w3"]):
        ids = [index[w] for w in query]
        assert np.array_equal(built.scores(ids), loaded.scores(ids))


def test_empty_and_unknown_tokens_score_zero():
    empty = BM25.build(np.zeros(0, np.int32), np.zeros(0, np.int64), 5)
    assert empty.scores([1, 2]).shape == (0,)
    one = BM25.build(np.array([0, 1, 1], np.int32), np.array([3]), 2)
    assert one.scores([7, -1]).tolist() == [0.0]
    assert one.scores([1])[0] > one.scores([0])[0] > 0  # tf 2 beats tf 1 at equal df
