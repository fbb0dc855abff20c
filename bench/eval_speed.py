"""How long the offline eval takes for N gold questions (goal: 1,000 questions in under a minute).

    python -m bench.eval_speed [--questions 1000]           # the SQuAD slice committed for the tests
    python -m bench.eval_speed --squad PATH/dev-v2.0.json    # a full SQuAD 2.0 dev file, articles 0-7

Takes the first N questions of a SQuAD 2.0 file's development split (articles 0-7, or fewer if the
file has fewer) with their paragraphs, builds a throwaway store, and times ingest and the eval run
separately. By default it reads tests/data/squad-v2-dev-slice.json (two articles, 626 questions),
so it runs from a plain clone; for the 1,000-question goal point --squad at a full dev file.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from qa.errors import QAError
from qa.evaluation.gold import load_squad
from qa.evaluation.runner import run_eval
from qa.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SQUAD = REPO / "tests" / "data" / "squad-v2-dev-slice.json"
DEVELOPMENT = 8  # articles 0-7 are the development split; the rest of a full file is held out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--squad", type=Path, default=SQUAD,
                        help="a SQuAD 2.0 JSON file (default: the slice in tests/data)")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None, help="processes (default: as qa eval chooses)")
    args = parser.parse_args()

    try:
        topics = len(json.loads(args.squad.read_text(encoding="utf-8"))["data"])
        articles, questions = load_squad(args.squad, f"0:{min(topics, DEVELOPMENT)}")
    except FileNotFoundError:
        parser.error(f"{args.squad} does not exist: give a SQuAD 2.0 JSON file with --squad")
    except (ValueError, KeyError, TypeError, QAError) as exc:
        parser.error(f"{args.squad} is not a SQuAD 2.0 file ({exc})")
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
