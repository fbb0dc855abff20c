"""Retrain the extractive model's scorers (qa/reader/weights/*.json) on the SQuAD development split.

    python eval/train_scorers.py --squad DEV_FILE               # the SQuAD 2.0 dev subset, articles 0:8
    python eval/train_scorers.py --squad DEV_FILE --check       # retrain into a temp folder, compare with qa/reader/weights

Deterministic: the same data gives the same weights (full-batch gradient descent from zeros, fixed
step counts, candidates in document order). Only the development split (articles 0:8) is used;
the held-out split 8:16 must never be passed here.

Stages, each trained on the output of the one before, as the pipeline runs them:
1. rerank:   fused hybrid candidates (top 20) -> is the chunk from the gold paragraph?
2. sentence: sentences of the top-k re-ranked chunks -> does it hold the gold answer span?
   Its threshold (abstention) is the lowest that refuses 30% of the unanswerable questions (SQuAD
   2.0's are written to look answerable; on news a stricter cut-off refuses real answers); the
   strict point (50%) and the SQuAD 2.0 best-threshold F1 are recorded beside it.
3. span:     candidate spans of the best 3 sentences -> is it the gold answer (normalised)?
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from qa.evaluation.gold import load_squad  # noqa: E402
from qa.evaluation.metrics import normalize_answer, token_f1  # noqa: E402
from qa.models.embedding import embed_sentences  # noqa: E402
from qa.reader.features import Passage  # noqa: E402
from qa.reader.questions import read_question  # noqa: E402
from qa.reader.reading import SENTENCE_FEATURES, SPAN_SENTENCES, Reader, sentence_rows, span_groups  # noqa: E402
from qa.reader.scorer import LinearScorer, train_listwise  # noqa: E402
from qa.reader.spans import FEATURES as SPAN_FEATURES  # noqa: E402
from qa.retrieval.rerank import (
    DEPTH,  # noqa: E402
    rerank_rows,  # noqa: E402
)
from qa.retrieval.rerank import FEATURES as RERANK_FEATURES  # noqa: E402

TOP_K = 5
NO_ANS_TARGET = 0.3  # share of unanswerable questions the shipped threshold must refuse
STRICT_NO_ANS_TARGET = 0.5  # a stricter operating point, recorded for QA_ANSWER_THRESHOLD


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--squad", type=Path, help="the 16-article SQuAD 2.0 dev subset (JSON); not needed with a filled --cache")
    parser.add_argument("--articles", default="0:8", help="development split only (default 0:8)")
    parser.add_argument("--out", type=Path, default=REPO / "qa" / "reader" / "weights")
    parser.add_argument("--check", action="store_true", help="train into a temp folder and diff with --out")
    parser.add_argument("--cache", type=Path, help="keep the retrieval step's output in this file (pickle) and reuse it")
    parser.add_argument("--folds", type=int, default=0,
                        help="cross-validate over the development articles instead of writing weights")
    args = parser.parse_args()
    if not (args.cache and args.cache.exists()) and not (args.squad and args.squad.is_file()):
        parser.error(f"{args.squad or 'no --squad file'} does not exist: training reads the 16-article SQuAD 2.0 dev subset "
                     "(articles 0:8); give its path with --squad")
    if args.articles != "0:8":
        print("note: tuning on anything but the development split 0:8 spoils the held-out check", file=sys.stderr)
    out = Path(tempfile.mkdtemp()) if args.check else args.out
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if args.cache and args.cache.exists():
        questions, candidates = pickle.loads(args.cache.read_bytes())
    else:
        questions, candidates = retrieve_all(args.squad, args.articles)
        if args.cache:
            args.cache.write_bytes(pickle.dumps((questions, candidates)))
    print(f"retrieved {len(questions)} questions in {time.perf_counter() - started:.0f} s")
    if args.folds:
        cross_validate(questions, candidates, args.folds)
        return 0

    rerank = train_rerank(questions, candidates)
    write(out / "rerank.json", rerank, "rerank", args)
    top = [[c[i] for i in order[:TOP_K]] for c, order in zip(candidates, rerank_orders(questions, candidates, rerank))]

    sentence, tables = train_sentences(questions, top)
    span = train_spans(questions, tables, sentence)
    threshold, curve = best_threshold(questions, top, sentence, span)
    sentence = LinearScorer(sentence.features, sentence.weights, threshold)
    write(out / "sentence.json", sentence, "sentence", args, threshold_choice=curve)
    write(out / "span.json", span, "span", args)
    print(f"done in {time.perf_counter() - started:.0f} s -> {out}")
    if args.check:
        same = all(
            (out / f).read_text() == (args.out / f).read_text() for f in ("rerank.json", "sentence.json", "span.json")
        )
        print("identical to the shipped weights" if same else "DIFFERENT from the shipped weights")
        return 0 if same else 1
    return 0


def retrieve_all(squad: Path, split: str):
    from qa.assistant import Assistant
    from qa.settings import Settings

    articles, questions = load_squad(squad, split)
    with tempfile.TemporaryDirectory() as folder:
        assistant = Assistant.open(Settings(store=Path(folder), rerank=False, llm="extractive"))
        assistant.add_articles(articles)
        candidates = [assistant.retriever.retrieve(q.question, DEPTH, None, "hybrid") for q in questions]
    return questions, candidates


def rerank_features(q, chunks) -> np.ndarray:
    return rerank_rows(
        read_question(q.question),
        [Passage(c.title, c.text) for c in chunks],
        [c.score for c in chunks],
        [c.bm25_score or 0.0 for c in chunks],
        [c.dense_score or 0.0 for c in chunks],
        embed_sentences,
    )


def train_rerank(questions, candidates) -> LinearScorer:
    groups = []
    for q, chunks in zip(questions, candidates):
        if not q.answerable or not chunks:
            continue
        gold = {e.article for e in q.evidence}
        groups.append((rerank_features(q, chunks), np.array([float(c.article_id in gold) for c in chunks])))
    return LinearScorer(RERANK_FEATURES, train_listwise(groups, steps=600, rate=1.0))


def rerank_orders(questions, candidates, scorer: LinearScorer):
    for q, chunks in zip(questions, candidates):
        if not chunks:
            yield []
            continue
        yield list(np.argsort(-scorer.scores(rerank_features(q, chunks)), kind="stable"))


def train_sentences(questions, top, fit: bool = True):
    tables, groups = [], []
    for q, chunks in zip(questions, top):
        info = read_question(q.question)
        table, rows = sentence_rows(info, [Passage(c.title, c.text) for c in chunks], embed_sentences)
        tables.append((info, chunks, table, rows))
        if not q.answerable or not len(rows):
            continue
        target = np.array([
            float(any(
                e.article == chunks[p].article_id and chunks[p].start + s < e.end and e.start < chunks[p].start + t
                for e in q.evidence
            ))
            for p, s, t in zip(table.passage, table.starts, table.ends)
        ])
        groups.append((rows, target))
    if not fit:
        return None, tables
    return LinearScorer(SENTENCE_FEATURES, train_listwise(groups, steps=600, rate=1.0)), tables


def best_sentences(entry, sentence: LinearScorer):
    info, chunks, table, rows = entry
    scores = sentence.scores(rows)
    order = np.argsort(-scores, kind="stable")[:SPAN_SENTENCES]
    texts = [chunks[table.passage[i]].text[table.starts[i] : table.ends[i]] for i in order]
    return info, texts, scores[order]


def train_spans(questions, tables, sentence: LinearScorer) -> LinearScorer:
    groups = []
    for q, entry in zip(questions, tables):
        if not q.answerable or not len(entry[3]):
            continue
        info, texts, scores = best_sentences(entry, sentence)
        gold = {normalize_answer(a) for a in q.answers}
        rows, target = [], []
        for spans, r in span_groups(info, texts, scores, embed_sentences):
            rows.append(r)
            target += [float(normalize_answer(s.text) in gold) for s in spans]
        if target:
            groups.append((np.vstack(rows), np.array(target)))
    return LinearScorer(SPAN_FEATURES, train_listwise(groups, steps=600, rate=1.0))


def predictions(questions, tops, sentence: LinearScorer, span: LinearScorer):
    """Per question, read as the shipped model reads (always answering): (confidence, F1, exact
    match, answerable, top sentence holds a gold answer)."""
    reader = Reader(embed_sentences, sentence, span, threshold=float("-inf"))
    confidence, f1, em, has, hit = [], [], [], [], []
    for q, chunks in zip(questions, tops):
        reading = reader.read(q.question, [Passage(c.title, c.text) for c in chunks])
        best_text = reading.short or ""
        gold = {normalize_answer(a) for a in q.answers}
        has.append(q.answerable)
        confidence.append(reading.confidence)
        f1.append(token_f1(best_text, q.answers) if q.answerable else 0.0)
        em.append(float(normalize_answer(best_text) in gold) if q.answerable else 0.0)
        top = reading.sentences[0].text if reading.sentences else ""
        hit.append(q.answerable and any(g in normalize_answer(top) for g in gold))
    return tuple(np.array(v) for v in (confidence, f1, em, has, hit))


def rates_at(confidence, f1, has, t: float) -> dict:
    answered = confidence >= t
    return {
        "threshold": round(float(t), 3),
        "has_ans_f1": round(float(f1[has & answered].sum() / max(1, has.sum()) * 100), 2),
        "no_ans_accuracy": round(float((~answered & ~has).sum() / max(1, (~has).sum())), 4),
        "overall_f1": round(float((f1[answered & has].sum() + (~answered & ~has).sum()) / len(has) * 100), 2),
    }


def operating_point(confidence, f1, has, no_ans_target: float) -> dict:
    """The lowest threshold that refuses at least `no_ans_target` of the unanswerable questions."""
    cuts = sorted(np.unique(np.round(confidence[np.isfinite(confidence)], 3)))
    return next(r for r in (rates_at(confidence, f1, has, t) for t in cuts) if r["no_ans_accuracy"] >= no_ans_target)


def best_threshold(questions, tops, sentence: LinearScorer, span: LinearScorer):
    """The abstention cut-off (see NO_ANS_TARGET), with the best-threshold F1 for reference."""
    confidence, f1, _, has, _ = predictions(questions, tops, sentence, span)
    has = has.astype(bool)
    cuts = sorted(np.unique(np.round(confidence[np.isfinite(confidence)], 3)))
    best = max((rates_at(confidence, f1, has, t) for t in cuts), key=lambda r: r["overall_f1"])
    chosen = operating_point(confidence, f1, has, NO_ANS_TARGET)
    strict = operating_point(confidence, f1, has, STRICT_NO_ANS_TARGET)
    always = rates_at(confidence, f1, has, float("-inf"))
    print(f"always answering: {always}")
    print(f"best-threshold overall F1: {best}")
    print(f"shipped threshold: {chosen}")
    print(f"strict threshold: {strict}")
    curve = {"always_answer": always, "best_overall_f1": best, "shipped": chosen, "strict": strict}
    return chosen["threshold"], curve


def cross_validate(questions, candidates, folds: int) -> None:
    """Train on some development articles, score on the others: honest figures for choosing
    features (the shipped weights are trained on all of them; the held-out split is not used)."""
    titles = sorted({q.tags[0] for q in questions})
    totals: dict[str, list[float]] = {}
    for fold in range(folds):
        test_titles = set(titles[fold::folds])
        train = [i for i, q in enumerate(questions) if q.tags[0] not in test_titles]
        test = [i for i, q in enumerate(questions) if q.tags[0] in test_titles]
        pick = lambda xs, idx: [xs[i] for i in idx]  # noqa: E731
        rerank = train_rerank(pick(questions, train), pick(candidates, train))
        tops = {}
        for idx in (train, test):
            orders = rerank_orders(pick(questions, idx), pick(candidates, idx), rerank)
            for i, order in zip(idx, orders):
                tops[i] = [candidates[i][k] for k in order[:TOP_K]]
        sentence, train_tables = train_sentences(pick(questions, train), [tops[i] for i in train])
        span = train_spans(pick(questions, train), train_tables, sentence)
        confidence, f1, em, has, hit = predictions(pick(questions, test), [tops[i] for i in test], sentence, span)
        has = has.astype(bool)
        answerable = [i for i in test if questions[i].answerable]
        at1 = np.mean([bool(tops[i]) and tops[i][0].article_id in {e.article for e in questions[i].evidence}
                       for i in answerable])
        figures = {
            "rerank@1": float(at1), "sentence_hit@1": float(hit[has].mean()),
            "always_em": float(em[has].mean() * 100), "always_f1": float(f1[has].mean() * 100),
            "f1_at_noans_0.3": operating_point(confidence, f1, has, 0.3)["has_ans_f1"],
            "f1_at_noans_0.5": operating_point(confidence, f1, has, 0.5)["has_ans_f1"],
        }
        print(f"fold {fold} ({len(test)} questions): " + ", ".join(f"{k} {v:.3f}" for k, v in figures.items()))
        for k, v in figures.items():
            totals.setdefault(k, []).append(v * len(test))
    n = len(questions)
    print("cross-validated: " + ", ".join(f"{k} {sum(v) / n:.3f}" for k, v in totals.items()))


def write(path: Path, scorer: LinearScorer, name: str, args, **extra) -> None:
    path.write_text(scorer.to_json(trained_on=f"SQuAD 2.0 dev articles {args.articles}", **extra), encoding="utf-8")
    print(f"wrote {name}: " + ", ".join(f"{f}={w:+.2f}" for f, w in zip(scorer.features, scorer.weights) if abs(w) > 0.3))


if __name__ == "__main__":
    raise SystemExit(main())
