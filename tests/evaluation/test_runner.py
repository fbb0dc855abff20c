"""The eval harness: gold parsing, scoring, reports, determinism, floors and comparison."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SAMPLE, SQUAD
from qa.errors import QAError
from qa.evaluation.gold import GoldError, load_gold, load_squad, parse_slice
from qa.evaluation.runner import check_floors, run_eval
from qa.settings import Settings

QA = str(Path(sys.executable).with_name("qa"))
GOLD = REPO / "eval" / "gold" / "sample.jsonl"

MINI = [
    {"id": "h", "question": "How many hostages would be released?", "answers": ["ten", "10"], "answerable": True,
     "evidence": [{"article": "gaza-ceasefire-talks", "quote": "free ten hostages who are still alive"}]},
    {"id": "n", "question": "Who won the chess championship in Oslo?", "answers": [], "answerable": False, "evidence": []},
    {"id": "b", "question": "What budget did Norvale approve?", "answers": ["$1.84 billion"], "answerable": True,
     "evidence": [{"article": "norvale-city-budget", "quote": "$1.84 billion"}], "extra": "ignored"},
]


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def test_mini_gold_is_scored(tmp_path, store_dir, embedder):
    gold = write_jsonl(tmp_path / "mini.jsonl", MINI)
    results, summary = run_eval(Settings(store=store_dir), gold=gold, articles=SAMPLE, embedder=embedder)
    by_id = {r.id: r for r in results}
    assert by_id["h"].scores["answer_recall"] == 1.0 and by_id["h"].scores["evidence_covered"] == 1
    assert by_id["n"].scores["decision_correct"] is True
    metrics = summary["metrics"]
    assert metrics["questions"] == 3 and metrics["answerable"] == 2 and metrics["unanswerable"] == 1
    assert metrics["citations"]["validity"] == 1.0
    assert metrics["retrieval"]["article_recall@10"] == 1.0
    assert metrics["abstention"]["no_ans_accuracy"] == 1.0
    assert summary["corpus"]["articles"] == 9
    assert summary["run"]["workers"] == 1  # the Python API starts no processes unless asked
    assert not store_dir.exists()  # the user's store was never touched


def test_gold_quote_not_found_is_reported(tmp_path, store_dir, embedder):
    rows = [dict(MINI[0], evidence=[{"article": "gaza-ceasefire-talks", "quote": "this sentence is not there"}])]
    _, summary = run_eval(Settings(store=store_dir), gold=write_jsonl(tmp_path / "g.jsonl", rows), articles=SAMPLE,
                          embedder=embedder)
    assert summary["gold_problems"] and "not found" in summary["gold_problems"][0]


@pytest.mark.parametrize(
    "content, message",
    [
        ([], "no questions"),
        (["{not json"], "line 1: invalid JSON"),
        ([{"id": "x"}], "line 1: missing or empty 'question'"),
        ([{"question": "q?", "answers": "ten", "answerable": "yes"}], "'answerable' must be true or false"),
        ([{"question": "q?", "answerable": True}], "needs at least one answer"),
        ([{"id": "a", "question": "q?", "answers": ["x"]}, {"id": "a", "question": "r?", "answers": ["y"]}], "duplicate"),
        ([{"question": "q?", "answers": ["x"], "evidence": [{"article": "a", "quote": "x", "start": 5}]}], "start"),
        ([{"question": "q?", "since": "2025-02-30"}], "'since' must be a date as YYYY-MM-DD"),
        ([{"question": "q?", "since": "2025-08-02", "until": "2025-08-01"}], "'since' 2025-08-02 is after 'until'"),
        ([{"question": "q?", "history": "Who is he?"}], "'history' must be a list"),
        ([{"question": "q?", "wrong_answers": [""]}], "'wrong_answers' must be a list of non-empty strings"),
    ],
)
def test_bad_gold_files(tmp_path, content, message):
    with pytest.raises(GoldError) as info:
        load_gold(write_jsonl(tmp_path / "g.jsonl", content))
    assert message in str(info.value)


def test_missing_gold_and_unknown_articles(tmp_path, store_dir, embedder):
    with pytest.raises(GoldError, match="does not exist"):
        load_gold(tmp_path / "nope.jsonl")
    rows = [dict(MINI[0], evidence=[{"article": "no-such-article", "quote": "x"}])]
    with pytest.raises(GoldError, match="no-such-article"):
        run_eval(Settings(store=store_dir), gold=write_jsonl(tmp_path / "g.jsonl", rows), articles=SAMPLE, embedder=embedder)


def test_squad_loading_and_slices():
    articles, questions = load_squad(SQUAD, "0:1")
    assert articles[0].id == "normans-0" and articles[0].title == "Normans"
    answerable = [q for q in questions if q.answerable]
    for q in answerable[:50]:
        ev = q.evidence[0]
        text = next(a.text for a in articles if a.id == ev.article)
        assert text[ev.start : ev.end] == ev.quote
        assert any(a in ev.quote for a in q.answers)
    assert any(not q.answerable for q in questions)
    # the slice is its first article's paragraphs only (the committed file holds two articles)
    assert {a.title for a in articles} == {"Normans"} and len(articles) == 39
    everything, _ = load_squad(SQUAD)
    assert {a.title for a in everything} == {"Normans", "Computational complexity theory"}
    with pytest.raises(GoldError, match="has 2 articles"):
        load_squad(SQUAD, "0:3")
    assert parse_slice("0:8", 16) == range(0, 8)
    for bad in ("8:4", "0:99", "x"):
        with pytest.raises(GoldError):
            parse_slice(bad, 16)


def test_floors():
    summary = {"metrics": {"answer": {"answer_recall": 0.8}, "citations": {"validity": 1.0}}}
    assert check_floors(summary, {"answer.answer_recall": 0.7, "citations.validity": 1.0}) == []
    assert "below the floor" in check_floors(summary, {"answer.answer_recall": 0.9})[0]
    assert "above the ceiling" in check_floors(summary, {}, {"citations.validity": 0.5})[0]
    with pytest.raises(QAError, match="unknown metric"):
        check_floors(summary, {"answer.nope": 1})


def run_cli(*args, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env["QA_STORE"] = str(Path(cwd) / "user-store")
    return subprocess.run([QA, *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_cli_eval_writes_reports_is_deterministic_and_compares(tmp_path):
    first = run_cli("eval", GOLD, "--articles", SAMPLE, "--out", tmp_path / "a", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    for name in ("results.jsonl", "summary.json", "report.md", "report.html"):
        assert (tmp_path / "a" / name).stat().st_size > 0
    second = run_cli("eval", GOLD, "--articles", SAMPLE, "--out", tmp_path / "b", "--concurrency", "4", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    a = json.loads((tmp_path / "a" / "summary.json").read_text())
    b = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert a["metrics"] == b["metrics"]
    assert a["gold"]["sha256"] == b["gold"]["sha256"] and a["corpus"]["sha256"] == b["corpus"]["sha256"]
    lines = (tmp_path / "a" / "results.jsonl").read_text().splitlines()
    assert len(lines) == a["metrics"]["questions"] >= 60
    assert "<svg" in (tmp_path / "a" / "report.html").read_text()
    compared = run_cli("eval", "compare", tmp_path / "a", tmp_path / "b", cwd=tmp_path)
    assert compared.returncode == 0 and "answer.answer_recall" in compared.stdout
    assert not (tmp_path / "user-store").exists()
    # a report's answers replayed through the support check: the live run already applied it,
    # so it withdraws none of what the run showed
    replay = subprocess.run([sys.executable, REPO / "eval" / "replay_support.py", tmp_path / "a", "--articles", SAMPLE],
                            capture_output=True, text=True, timeout=300)
    assert replay.returncode == 0, replay.stderr
    counts = dict(line.rsplit(None, 1) for line in replay.stdout.splitlines())
    answered = sum(1 for line in lines if json.loads(line)["answerable"])
    assert int(counts["answered"]) == answered > 0 and int(counts["withdrawn"]) == 0


def test_cli_eval_gate_and_bad_input(tmp_path):
    gate = run_cli("eval", GOLD, "--articles", SAMPLE, "--out", tmp_path / "r",
                   "--baseline", REPO / "eval" / "baseline.json", cwd=tmp_path)
    assert gate.returncode == 0, gate.stdout + gate.stderr
    assert "baseline: all" in gate.stderr and "checks passed" in gate.stderr
    assert "false answers:" in gate.stdout and "false refusals:" in gate.stdout
    failing = run_cli("eval", GOLD, "--articles", SAMPLE, "--out", tmp_path / "r2",
                      "--fail-under", "citations.validity=1.01", cwd=tmp_path)
    assert failing.returncode == 1 and "below floor" in failing.stderr
    for args, message in [
        (("eval", tmp_path / "nope.jsonl"), "does not exist"),
        (("eval", GOLD, "--fail-under", "oops"), "METRIC=VALUE"),
        (("eval", "compare", tmp_path / "x"), "usage"),
        (("eval", GOLD, "--retrieval", "magic"), "dense, bm25 or hybrid"),
        (("eval", GOLD), "no article store at"),  # no --articles: the user's store, which does not exist
    ]:
        result = run_cli(*args, cwd=tmp_path)
        assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "user-store").exists()  # nothing was created for it


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_retrieval_modes_on_a_squad_slice(tmp_path, store_dir, embedder, mode):
    _, summary = run_eval(Settings(store=store_dir), squad=SQUAD, squad_articles="0:1", retrieval=mode, embedder=embedder)
    assert summary["run"]["retrieval"] == mode
    assert summary["metrics"]["retrieval"]["article_recall@10"] > 0.8
    assert summary["metrics"]["citations"]["validity"] == 1.0


def _parser_calls(monkeypatch) -> list[int]:
    """Texts per call the parser runs on, from now on (starting from an empty parse cache)."""
    from qa.reader import syntax

    calls: list[int] = []
    nlp = syntax._nlp()

    class Counting:
        def pipe(self, texts, **options):
            calls.append(len(texts))
            return nlp.pipe(texts, **options)

    monkeypatch.setattr(syntax, "_cache", {})
    monkeypatch.setattr(syntax, "_nlp", Counting)
    syntax.question_role.cache_clear()
    return calls


def test_eval_parses_questions_and_passages_up_front_and_answers_the_same(tmp_path, monkeypatch, embedder):
    from qa.models.extractive import ExtractiveLLM

    gold = write_jsonl(tmp_path / "mini.jsonl", MINI)
    calls = _parser_calls(monkeypatch)
    warmed, _ = run_eval(Settings(store=tmp_path / "a"), gold=gold, articles=SAMPLE, embedder=embedder)
    assert len(calls) == 1 and calls[0] > len(MINI)  # one batch: the questions and every sentence

    calls = _parser_calls(monkeypatch)
    monkeypatch.setattr(ExtractiveLLM, "warm", lambda self, questions, passages: None)
    cold, _ = run_eval(Settings(store=tmp_path / "b"), gold=gold, articles=SAMPLE, embedder=embedder)
    # without it, a parser call for each question that reaches the parser (the reader stops early
    # on some): more than the one batch above
    assert len(calls) >= 2
    assert [(r.prediction, r.short, r.citations) for r in warmed] == [(r.prediction, r.short, r.citations) for r in cold]


def _answers(results):
    return [(r.id, r.prediction, r.short, r.answerable, r.citations, r.retrieved, r.scores) for r in results]


def test_worker_processes_give_the_same_results_in_gold_order(tmp_path):
    one, summary_one = run_eval(Settings(store=tmp_path / "a"), squad=SQUAD, squad_articles="0:1", workers=1)
    two, summary_two = run_eval(Settings(store=tmp_path / "b"), squad=SQUAD, squad_articles="0:1", workers=2)
    assert summary_two["run"]["workers"] == 2 and len(two) == len(one) > 100
    assert _answers(two) == _answers(one)
    assert summary_two["metrics"] == summary_one["metrics"]


def test_workers_are_chosen_for_the_offline_model_on_big_gold_sets(embedder):
    from qa.evaluation.workers import auto_workers

    offline = Settings(llm="extractive")
    assert auto_workers(offline, 50) == 1  # starting a worker would cost more than it saves
    assert 1 <= auto_workers(offline, 3000) <= 4
    assert auto_workers(Settings(llm="openai-compatible:m", llm_base_url="http://127.0.0.1:9/v1"), 3000) == 1
    assert auto_workers(offline, 3000, embedder) == 1  # an embedder object cannot cross processes
    with pytest.raises(QAError, match="embedder"):
        run_eval(offline, gold=GOLD, articles=SAMPLE, workers=2, embedder=embedder)


def _squad_table_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("squad_table", REPO / "eval" / "squad_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_squad_table_reader_on_the_gold_paragraph(tmp_path):
    """The SQuAD paper's setting: the reader gets each answerable question's own paragraph. Two
    questions it answers exactly, one it cannot (the gold answer is not a candidate), and the
    unanswerable one is not counted."""
    context = ("The Halcyon-1 probe was launched in 2016 by the Meridian Space Agency. "
               "It returned only 4 grams of dust.")
    questions = [
        ("When was the Halcyon-1 probe launched?", "2016"),
        ("Which agency launched the Halcyon-1 probe?", "Meridian Space Agency"),
        ("How much dust did the probe return?", "only 4 grams of dust, far less than hoped"),
    ]
    qas = [{"id": f"q{i}", "question": q, "is_impossible": False,
            "answers": [{"text": a, "answer_start": max(0, context.find(a))}]} for i, (q, a) in enumerate(questions)]
    qas.append({"id": "none", "question": "Who built the rocket?", "is_impossible": True, "answers": []})
    squad = tmp_path / "mini.json"
    squad.write_text(json.dumps({"data": [{"title": "Halcyon", "paragraphs": [{"context": context, "qas": qas}]}]}))
    metrics, seconds = _squad_table_module().gold_paragraph_row("0:1", squad)
    assert metrics["answer"]["exact_match"] == pytest.approx(2 / 3)
    assert 2 / 3 < metrics["squad2"]["has_ans_f1"] < 1.0  # partial credit for the third
    assert seconds >= 0


def test_trust_fields_filters_history_and_wrong_answers_are_applied(tmp_path, store_dir, embedder):
    """A question's own dates and article filter restrict its search; a follow-up is condensed with
    its history; giving a known wrong answer (wrong entity or dates) counts as a false answer."""
    rows = [
        # the only article the filter admits does not answer: the run must not cite another one
        {"id": "f", "question": "How many hostages would be released?", "answers": [], "articles": ["norvale-city-budget"]},
        {"id": "d", "question": "How many hostages would be released?", "answers": [], "since": "2025-08-01"},
        {"id": "h", "question": "and how many bodies?", "answers": ["nine", "9"], "history": ["How many hostages would be released?"]},
        {"id": "w", "question": "How many hostages would be released?", "answers": ["eleven"], "wrong_answers": ["ten"]},
    ]
    results, summary = run_eval(Settings(store=store_dir), gold=write_jsonl(tmp_path / "t.jsonl", rows), articles=SAMPLE,
                                embedder=embedder)
    by_id = {r.id: r for r in results}
    assert all(c["article_id"] == "norvale-city-budget" for c in by_id["f"].citations)
    assert all(r["article_id"] == "norvale-city-budget" for r in by_id["f"].retrieved)
    assert all(c["published"] >= "2025-08-01" for c in by_id["d"].citations)
    assert "hostages" in by_id["h"].search_question and by_id["h"].search_question != "and how many bodies?"
    assert by_id["w"].answerable and by_id["w"].scores["false_answer"]  # the reader answers "ten"
    wrong_or_unanswerable = sum(1 for r in results if r.answerable and (not r.gold_answerable or r.id == "w"))
    assert summary["metrics"]["abstention"]["false_answers"] == wrong_or_unanswerable
    assert summary["outcomes"]["false answer"] == wrong_or_unanswerable


def test_trust_filter_naming_an_unknown_article_stops_the_run(tmp_path, store_dir, embedder):
    rows = [{"id": "f", "question": "How many hostages?", "answers": [], "articles": ["no-such-article"]}]
    with pytest.raises(GoldError, match="no-such-article"):
        run_eval(Settings(store=store_dir), gold=write_jsonl(tmp_path / "g.jsonl", rows), articles=SAMPLE, embedder=embedder)


def test_articles_can_come_from_several_folders(tmp_path, store_dir, embedder):
    gold = write_jsonl(tmp_path / "mini.jsonl", MINI[:1])
    _, summary = run_eval(Settings(store=store_dir), gold=gold, articles=[SAMPLE, REPO / "data" / "trust"], embedder=embedder)
    trust = len(list((REPO / "data" / "trust").glob("*.md")))
    assert summary["corpus"]["articles"] == 9 + trust
