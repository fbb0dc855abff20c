"""Scoring disagreeing reports in `qa eval`: the gold `sides` field, `conflict.sides_shown`,
`conflict.false_conflicts` and `conflict.validity` (qa/evaluation/scoring.py), on a real run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO
from qa.evaluation.gold import GoldError, load_gold
from qa.evaluation.metrics import sides_shown
from qa.evaluation.runner import check_floors, run_eval
from qa.settings import Settings

CONFLICTS = REPO / "data" / "conflicts"

MINI = [
    {"id": "c", "question": "How many miners were killed in the Garrow Hill colliery collapse?", "answers": ["nine"],
     "sides": [["nine", "9"], ["four", "4"]], "tags": ["conflict"],
     "evidence": [{"article": "garrow-hill-collapse-update", "quote": "has risen to nine"}]},
    {"id": "d", "question": "When will the Calder Street Bridge reopen?", "answers": ["April 14"],
     "sides": ["April 14", "March 3"], "tags": ["conflict"],  # a side may be one string
     "evidence": [{"article": "calder-street-bridge-delay", "quote": "April 14"}]},
    {"id": "a", "question": "How many jobs will Brightwell Foods cut?", "answers": ["1,200"], "tags": ["agree"],
     "evidence": [{"article": "brightwell-foods-layoffs", "quote": "cut 1,200 jobs"}]},
    # not tagged conflict, yet the reports disagree: counted as a false conflict
    {"id": "f", "question": "How many people attended the Harbourlight Festival?", "answers": ["95,000"],
     "evidence": [{"article": "harbourlight-festival-final", "quote": "95,000"}]},
]


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "reported, sides, expected",
    [
        (["nine", "four"], [["nine", "9"], ["four", "4"]], 1.0),
        (["9", "4"], [["nine"], ["four"]], 1.0),  # numbers as words or digits
        (["$112 million", "$40 million"], [["112 million"], ["$40 million"]], 1.0),
        (["120 kilometers per hour", "105 kilometers per hour"], [["120"], ["105"]], 1.0),  # a side's value inside the report's
        (["nine"], [["nine"], ["four"]], 0.0),  # one side missing
        ([], [["nine"], ["four"]], 0.0),
        (["nineteen", "four"], [["nine"], ["four"]], 0.0),  # word boundaries
    ],
)
def test_sides_shown(reported, sides, expected):
    assert sides_shown(reported, sides) == expected


def test_gold_sides_are_read_and_checked(tmp_path):
    [q, d, *_] = load_gold(write_jsonl(tmp_path / "g.jsonl", MINI))
    assert q.sides == (("nine", "9"), ("four", "4")) and d.sides == (("April 14",), ("March 3",))
    assert q.to_dict()["sides"] == [["nine", "9"], ["four", "4"]]
    for bad in (["only one side"], [["nine"], []], [["nine"], [3]], "nine, four"):
        with pytest.raises(GoldError, match="'sides' must be a list of at least two sides"):
            load_gold(write_jsonl(tmp_path / "bad.jsonl", [{**MINI[0], "sides": bad}]))


def test_a_run_scores_sides_and_false_conflicts(tmp_path, store_dir, embedder):
    gold = write_jsonl(tmp_path / "mini.jsonl", MINI)
    results, summary = run_eval(Settings(store=store_dir), gold=gold, articles=CONFLICTS, embedder=embedder)
    by_id = {r.id: r for r in results}
    assert by_id["c"].scores["sides_shown"] == 1.0 and by_id["d"].scores["sides_shown"] == 1.0
    assert by_id["a"].conflicts == [] and "sides_shown" not in by_id["a"].scores
    assert [c["value"] for c in by_id["f"].conflicts] == ["95,000", "80,000"]
    conflict = summary["metrics"]["conflict"]
    assert conflict == {"questions": 2, "sides_shown": 1.0, "false_conflicts": 1, "validity": 1.0}
    assert check_floors(summary, {"conflict.sides_shown": 0.9, "conflict.validity": 1.0}) == []
    [failed] = check_floors(summary, {}, {"conflict.false_conflicts": 0})
    assert "conflict.false_conflicts" in failed and "above the ceiling" in failed


def test_the_conflicts_baseline_names_known_metrics():
    baseline = json.loads((REPO / "eval" / "baseline-conflicts.json").read_text())
    assert baseline["floors"]["conflict.sides_shown"] >= 0.9
    assert baseline["ceilings"]["conflict.false_conflicts"] <= 1
