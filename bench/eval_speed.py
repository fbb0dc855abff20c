"""How long the offline eval takes for N gold questions (goal: 1,000 questions in under a minute).

    python -m bench.eval_speed [--questions 1000]

Takes the first N questions of the SQuAD development split (articles 0-7) with their paragraphs,
builds a throwaway store, and times ingest and the eval run separately.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from qa.evaluation.gold import load_squad
from qa.evaluation.runner import run_eval
from qa.settings import Settings

SQUAD = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "squad-v2-dev" / "dev-v2.0.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--squad", type=Path, default=SQUAD)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None, help="processes (default: as qa eval chooses)")
    args = parser.parse_args()

    articles, questions = load_squad(args.squad, "0:8")
    questions = questions[: args.questions]
    with tempfile.TemporaryDirectory() as folder:
        gold = Path(folder) / "gold.jsonl"
        gold.write_text("".join(json.dumps(q.to_dict()) + "\n" for q in questions), encoding="utf-8")
        corpus = Path(folder) / "corpus.jsonl"
        corpus.write_text(
            "".join(json.dumps({"id": a.id, "title": a.title, "text": a.text}) + "\n" for a in articles),
            encoding="utf-8",
        )
        started = time.perf_counter()
        results, summary = run_eval(
            Settings(store=Path(folder) / "unused"), gold=gold, articles=corpus, concurrency=args.concurrency,
            workers=args.workers,
        )
        wall = time.perf_counter() - started
    print(f"workers: {summary['run']['workers']}")
    print(f"questions: {len(results)}  articles: {summary['corpus']['articles']}  chunks: {summary['corpus']['chunks']}")
    print(f"eval (questions only): {summary['cost']['seconds']:.1f} s  ({summary['cost']['questions_per_second']} questions/s)")
    print(f"wall incl. model loading and ingest: {wall:.1f} s")
    print(f"latency per question p50/p95: {summary['cost']['latency_ms']['total']['p50']} / "
          f"{summary['cost']['latency_ms']['total']['p95']} ms")


if __name__ == "__main__":
    main()
