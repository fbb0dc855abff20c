"""Replay an eval report's shown answers through today's support check (qa/answer/support.py).

A model run takes minutes to hours; the support check takes milliseconds. This reads an eval
report's results.jsonl (any model) and says which of its shown answers the check would withdraw,
and whether they were right, wrong or answers to unanswerable questions:

    python eval/replay_support.py eval/reports/RUN --articles data/sample
    python eval/replay_support.py eval/reports/RUN --articles data/sample --show     # list each withdrawal

The replay sees the short answer the report shows (already checked against its quotes), so its
short_in_quote check passes by construction; the other three checks run as in a live answer.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from qa.answer.support import check_support
from qa.ingest.loading import load_file, walk
from qa.types import Citation, Filters


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", type=Path, help="an eval report folder (holds results.jsonl)")
    parser.add_argument("--articles", type=Path, action="append", required=True, help="the corpus the run used (repeatable)")
    parser.add_argument("--show", action="store_true", help="list every answer the check withdraws")
    args = parser.parse_args(argv)
    results_file = args.report / "results.jsonl"
    if not results_file.is_file():
        print(f"replay_support: {results_file} not found; give a folder `qa eval --out` wrote", file=sys.stderr)
        return 2
    articles = {a.id: a for path in walk(args.articles) for a in load_file(path)}
    counts = {"answered": 0, "withdrawn": 0, "withdrawn right": 0, "withdrawn wrong": 0, "withdrawn false answers": 0,
              "kept false answers": 0}
    for line in results_file.read_text(encoding="utf-8").splitlines():
        result = json.loads(line)
        if not result.get("answerable") or not result.get("citations"):
            continue
        counts["answered"] += 1
        citations = [Citation(**c) for c in result["citations"]]
        support = check_support(result["question"], result.get("short"), citations, Filters(), articles.get)
        right = bool(result["scores"].get("answer_recall"))
        false_answer = not result["gold_answerable"]
        if support.supported:
            counts["kept false answers"] += false_answer
            continue
        counts["withdrawn"] += 1
        key = "withdrawn false answers" if false_answer else ("withdrawn right" if right else "withdrawn wrong")
        counts[key] += 1
        if args.show:
            reasons = "; ".join(c.detail for c in support.failed)
            print(f"{result['id']} [{key}] {result['question']} -> {result.get('short')!r}: {reasons}")
    for name, value in counts.items():
        print(f"{name:26} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
