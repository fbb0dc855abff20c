"""The SQuAD 2.0 table of eval/README.md: our pipeline beside its baselines, on both splits.

    python eval/squad_table.py --squad DEV_FILE   # the 16-article SQuAD 2.0 dev subset the table in
                                                  # eval/README.md reports: development split 0:8, held-out 8:16
    python eval/squad_table.py --squad FILE --splits 0:8 --out /tmp/squad-table
    python eval/squad_table.py    # the two-article slice in tests/data (a smoke run; 0:2)

--squad defaults to tests/data/squad-v2-dev-slice.json, the slice committed for the tests, so the
script runs from a plain clone. --splits defaults to 0:8,8:16 for a file of 16 or more articles,
else to the whole file.

Every row is one `qa eval` run of the same harness on the same store contents; only the
retrieval mode or the model differs:
  bm25 only / dense only      retrieval baselines (with our reader)
  hybrid, no re-rank          weighted fusion alone (QA_RERANK=false)
  naive sentence pick         our retrieval, then the sentence with most question words, never abstaining
  ours                        hybrid + sentence re-rank + learned reader (the default)
and one row outside the harness, for comparison with the SQuAD paper's baselines:
  reader on the gold paragraph  no retrieval: the reader gets each answerable question's own
                                paragraph and always answers (the paper's logistic regression
                                reached F1 51.0 this way, trained on the full training set)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the gold-paragraph row imports qa in this process
DEFAULT_SQUAD = REPO / "tests" / "data" / "squad-v2-dev-slice.json"
FULL_SPLITS = ("0:8", "8:16")  # the 16-article dev subset: development, then held-out

ROWS = (
    ("bm25 only", ["--retrieval", "bm25"], {}),
    ("dense only", ["--retrieval", "dense"], {}),
    ("hybrid, no re-rank", [], {"QA_RERANK": "false"}),
    ("naive sentence pick", ["--model", "extractive-naive"], {}),
    ("ours", [], {}),
)
COLUMNS = (
    ("recall@1", ("retrieval", "article_recall@1")),
    ("recall@5", ("retrieval", "article_recall@5")),
    ("evidence recall", ("citations", "evidence_recall")),
    ("EM", ("answer", "exact_match")),
    ("HasAns F1", ("squad2", "has_ans_f1")),
    ("NoAns acc", ("abstention", "no_ans_accuracy")),
    ("overall F1", ("squad2", "overall_f1")),
    ("citation validity", ("citations", "validity")),
)


def run(split: str, squad: Path, extra: list[str], env: dict[str, str], out: Path) -> tuple[dict, float]:
    command = [str(Path(sys.executable).parent / "qa"), "eval", "--squad", str(squad), "--squad-articles", split,
               "--out", str(out), "--json", *extra]
    started = time.perf_counter()
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return json.loads((out / "summary.json").read_text())["metrics"], seconds


def gold_paragraph_row(split: str, squad: Path) -> tuple[dict, float]:
    """EM and F1 (percent) of the reader given each answerable question's own paragraph."""
    from qa.evaluation.gold import load_squad
    from qa.evaluation.metrics import exact_match, token_f1
    from qa.models.embedding import embed_sentences
    from qa.reader.features import Passage
    from qa.reader.reading import Reader

    started = time.perf_counter()
    articles, questions = load_squad(squad, split)
    by_id = {a.id: a for a in articles}
    reader = Reader(embed_sentences, threshold=float("-inf"))
    em = f1 = 0.0
    answerable = [q for q in questions if q.answerable]
    for q in answerable:
        paragraph = by_id[q.evidence[0].article]
        short = reader.read(q.question, [Passage(paragraph.title, paragraph.text)]).short or ""
        em += exact_match(short, q.answers)
        f1 += token_f1(short, q.answers)
    n = max(1, len(answerable))
    return {"answer": {"exact_match": em / n}, "squad2": {"has_ans_f1": f1 / n}}, time.perf_counter() - started


def cell(metrics: dict, path: tuple[str, str], percent: bool) -> str:
    value = metrics.get(path[0], {}).get(path[1])
    if value is None:
        return "-"
    return f"{value * 100:.1f}" if percent else f"{value:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD,
                        help="a SQuAD 2.0 JSON file (default: the two-article slice in tests/data)")
    parser.add_argument("--splits", default=None,
                        help="comma-separated article slices (default: 0:8,8:16 for a 16-article file, else all)")
    parser.add_argument("--out", type=Path, default=Path("eval/reports/squad-table"))
    args = parser.parse_args()
    args.squad = args.squad.resolve()  # `qa eval` runs from the repo root
    if not args.squad.is_file():
        parser.error(f"{args.squad} does not exist: give a SQuAD 2.0 JSON file with --squad")
    if args.splits is None:
        topics = len(json.loads(args.squad.read_text(encoding="utf-8"))["data"])
        args.splits = ",".join(FULL_SPLITS) if topics >= 16 else f"0:{topics}"
    lines = []
    for split in args.splits.split(","):
        name = "development" if split == "0:8" else "held-out" if split == "8:16" else split
        lines += [f"### SQuAD 2.0 {name} split (articles {split})", "",
                  "| run | " + " | ".join(c for c, _ in COLUMNS) + " | seconds |",
                  "|---" * (len(COLUMNS) + 2) + "|"]
        for label, extra, env in ROWS:
            folder = args.out / f"{split.replace(':', '-')}-{label.replace(' ', '-').replace(',', '')}"
            metrics, seconds = run(split, args.squad, extra, env, folder)
            percent = {"EM", "HasAns F1", "overall F1"}
            cells = [cell(metrics, path, column in percent) for column, path in COLUMNS]
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {seconds:.0f} |")
            print(lines[-1], flush=True)
        metrics, seconds = gold_paragraph_row(split, args.squad)
        cells = [cell(metrics, path, column in {"EM", "HasAns F1"}) for column, path in COLUMNS]
        lines.append("| reader on the gold paragraph (no retrieval, always answers) | " + " | ".join(cells)
                     + f" | {seconds:.0f} |")
        print(lines[-1], flush=True)
        lines.append("")
    table = "\n".join(lines)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "table.md").write_text(table + "\n", encoding="utf-8")
    print("\n" + table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
