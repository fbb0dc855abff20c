"""Eval report files (results.jsonl, summary.json, report.md, report.html) and run comparison."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from qa.errors import QAError
from qa.evaluation.charts import curves, histogram
from qa.evaluation.metrics import K_VALUES
from qa.evaluation.scoring import QuestionResult, flatten


def write_reports(folder: Path, results: list[QuestionResult], summary: dict[str, Any]) -> list[Path]:
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / n for n in ("results.jsonl", "summary.json", "report.md", "report.html")]
        paths[0].write_text("".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in results), encoding="utf-8")
        paths[1].write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        paths[2].write_text(markdown_report(results, summary), encoding="utf-8")
        paths[3].write_text(html_report(results, summary), encoding="utf-8")
    except OSError as exc:
        raise QAError(f"cannot write the report to {folder}: {exc.strerror or exc}") from None
    return paths


def metric_rows(summary: dict[str, Any]) -> list[tuple[str, Any]]:
    return list(flatten(summary["metrics"]).items())


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value != int(value) or value < 1 else f"{value:.0f}"
    return str(value)


def worst(results: list[QuestionResult], n: int = 15) -> list[QuestionResult]:
    """Wrong decisions first, then the lowest answer recall / F1."""

    def badness(r: QuestionResult) -> tuple:
        s = r.scores
        return (
            not r.error,
            s.get("decision_correct", True),
            s.get("answer_recall", 1.0),
            s.get("f1", 1.0),
            r.id,
        )

    failing = [r for r in results if r.error or not r.scores.get("decision_correct") or r.scores.get("answer_recall") == 0.0]
    return sorted(failing, key=badness)[:n]


def markdown_report(results: list[QuestionResult], summary: dict[str, Any]) -> str:
    lines = [f"# Eval report: {summary['gold']['name']}", ""]
    run = summary["run"]
    lines.append(
        f"Model `{run['model']}`, retrieval `{run['retrieval']}`, top-k {run['top_k']}, "
        f"{summary['metrics']['questions']} questions in {summary['cost']['seconds']} s."
    )
    lines += ["", "| metric | value |", "|---|---|"]
    lines += [f"| {name} | {_fmt(value)} |" for name, value in metric_rows(summary)]
    if summary.get("by_tag"):
        lines += ["", "## By tag", "", "| tag | questions | answer recall | abstention accuracy |", "|---|---|---|---|"]
        for tag, row in summary["by_tag"].items():
            lines.append(f"| {tag} | {row['questions']} | {_fmt(row['answer_recall'])} | {_fmt(row['abstention_accuracy'])} |")
    if summary.get("outcomes"):
        lines += ["", "## Where answers go wrong", "", "| outcome | questions |", "|---|---|"]
        lines += [f"| {name} | {count} |" for name, count in summary["outcomes"].items()]
    lines += ["", "## Latency (ms)", "", "| stage | p50 | p95 |", "|---|---|---|"]
    for stage, row in summary["cost"]["latency_ms"].items():
        lines.append(f"| {stage} | {_fmt(row['p50'])} | {_fmt(row['p95'])} |")
    if summary.get("gold_problems"):
        lines += ["", "## Gold problems", ""] + [f"- {p}" for p in summary["gold_problems"]]
    lines += ["", "## Worst questions", ""]
    for r in worst(results):
        lines += [
            f"### {r.id}: {r.question}",
            f"- gold: {', '.join(r.gold_answers) or '(unanswerable)'}",
            f"- answer: {r.error or r.prediction}",
            f"- scores: {json.dumps({k: v for k, v in r.scores.items() if not isinstance(v, bool) or k == 'decision_correct'})}",
            "",
        ]
    return "\n".join(lines) + "\n"


def charts_html(results: list[QuestionResult], summary: dict[str, Any]) -> str:
    """The report's charts (inline SVG): F1 histogram, recall@k curves, latency histogram."""
    retrieval = summary["metrics"]["retrieval"]
    recall_chart = curves(
        "Retrieval recall@k",
        list(K_VALUES),
        {level: [retrieval.get(f"{level}_recall@{k}") for k in K_VALUES] for level in ("article", "evidence")},
    )
    f1_chart = histogram(
        "Answer F1 (answerable questions)", [r.scores["f1"] for r in results if "f1" in r.scores], 10, 0, 1, "F1"
    )
    totals = [r.timings["total"] for r in results if "total" in r.timings]
    latency_chart = histogram(
        "Latency per question", totals, 12, 0, max(totals) if totals else 1, "ms"
    )
    return f"{f1_chart}{recall_chart}{latency_chart}"


def html_report(results: list[QuestionResult], summary: dict[str, Any]) -> str:
    rows = "".join(f"<tr><td>{escape(n)}</td><td>{escape(_fmt(v))}</td></tr>" for n, v in metric_rows(summary))
    bad = "".join(
        f"<tr><td>{escape(r.id)}</td><td>{escape(r.question)}</td><td>{escape(', '.join(r.gold_answers) or '(unanswerable)')}</td>"
        f"<td>{escape(r.error or r.prediction)}</td></tr>"
        for r in worst(results)
    )
    run = summary["run"]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Eval report: {escape(summary['gold']['name'])}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1100px}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}}.charts svg{{margin:6px}}</style></head>
<body><h1>Eval report: {escape(summary['gold']['name'])}</h1>
<p>Model <code>{escape(run['model'])}</code>, retrieval <code>{escape(run['retrieval'])}</code>, top-k {run['top_k']},
{summary['metrics']['questions']} questions in {summary['cost']['seconds']} s.</p>
<div class="charts">{charts_html(results, summary)}</div>
<h2>Metrics</h2><table><tr><th>metric</th><th>value</th></tr>{rows}</table>
<h2>Worst questions</h2><table><tr><th>id</th><th>question</th><th>gold</th><th>answer</th></tr>{bad}</table>
</body></html>
"""


def load_summary(path: Path) -> dict[str, Any]:
    path = Path(path)
    if path.is_dir():
        path = path / "summary.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise QAError(f"no eval summary at {path}; give a report folder written by `qa eval --out`") from None
    except ValueError:
        raise QAError(f"{path} is not valid JSON") from None


def compare(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, float | None, float | None, float | None]]:
    """(metric, A, B, B - A) for every metric either run has."""
    fa, fb = flatten(a.get("metrics", {})), flatten(b.get("metrics", {}))
    rows = []
    for name in list(dict.fromkeys([*fa, *fb])):
        va, vb = fa.get(name), fb.get(name)
        delta = round(vb - va, 4) if va is not None and vb is not None else None
        rows.append((name, va, vb, delta))
    return rows
