"""Follow-ups in a chat: which turns are condensed with the earlier ones, and with what.

    python eval/followups.py                  # the table for eval/followups/turns.jsonl
    python eval/followups.py --show           # and every case it gets wrong

Each row of the gold set is earlier turns, a next turn, whether that turn depends on the earlier
ones, and for a dependent turn the words its search must contain ("must") and must not contain
("must_not": an earlier name the follow-up replaces, "what about Norvale?"). Two columns:
  detected   qa/text/followups.py `depends_on_earlier` agrees with the gold label (the LLM path,
             `Assistant.condense`, sends a turn to the model only when this says it depends)
  searched   the extractive model's `condense` (qa/reader/extractive.py): a dependent turn gets
             every "must" word and no "must_not" word; a standalone turn is searched as written
Words are compared as stems (qa/text/tokens.py `terms`), so "released" matches "release".
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from qa.reader.extractive import condense  # noqa: E402
from qa.text.followups import depends_on_earlier, reference  # noqa: E402
from qa.text.tokens import terms  # noqa: E402

GOLD = REPO / "eval" / "followups" / "turns.jsonl"


@dataclass
class Tally:
    cases: int = 0
    detected: int = 0
    searched: int = 0
    wrong: list[str] = field(default_factory=list)


def load(path: Path = GOLD) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def searched_right(row: dict, search: str) -> bool:
    question = row["question"]
    if not row["depends"]:
        return search == question
    if search == question or not search.startswith(question):
        return False
    found = set(terms(search))
    added = set(terms(search[len(question):]))  # a replaced name may still be in the question
    return all(set(terms(w)) <= found for w in row["must"]) and not any(
        set(terms(w)) <= added for w in row.get("must_not", [])
    )


def measure(rows: list[dict]) -> dict[str, Tally]:
    """Tallies for dependent and standalone turns."""
    tallies = {"dependent": Tally(), "standalone": Tally()}
    for row in rows:
        tally = tallies["dependent" if row["depends"] else "standalone"]
        history = [(role, text) for role, text in row["history"]]
        search = condense(history, row["question"])
        detected = depends_on_earlier(row["question"]) == row["depends"]
        searched = searched_right(row, search)
        tally.cases += 1
        tally.detected += detected
        tally.searched += searched
        if not (detected and searched):
            why = reference(row["question"]) or "stands alone"
            tally.wrong.append(f"{row['id']}: {row['question']!r} ({why}) -> {search!r}")
    return tallies


def table(tallies: dict[str, Tally]) -> str:
    lines = ["| turns | cases | detected | searched right |", "|---|---:|---:|---:|"]
    total = Tally()
    for name, t in tallies.items():
        lines.append(f"| {name} | {t.cases} | {t.detected} ({t.detected / max(t.cases, 1):.0%}) "
                     f"| {t.searched} ({t.searched / max(t.cases, 1):.0%}) |")
        total.cases += t.cases
        total.detected += t.detected
        total.searched += t.searched
    lines.append(f"| all | {total.cases} | {total.detected} ({total.detected / max(total.cases, 1):.0%}) "
                 f"| {total.searched} ({total.searched / max(total.cases, 1):.0%}) |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("gold", nargs="?", type=Path, default=GOLD)
    parser.add_argument("--show", action="store_true", help="print every case that is wrong")
    args = parser.parse_args()
    tallies = measure(load(args.gold))
    print(table(tallies))
    if args.show:
        for name, t in tallies.items():
            for line in t.wrong:
                print(f"{name} {line}")


if __name__ == "__main__":
    main()
