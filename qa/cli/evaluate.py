"""`qa eval` and `qa eval compare`: parse options, run the harness, print and gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from qa.cli.console import err, escape, out, print_json, user_errors
from qa.cli.context import load_settings, require_store
from qa.errors import QAError
from qa.types import RETRIEVAL_MODES

# "dense, bm25 or hybrid": the single modes, then their fusion (RETRIEVAL_MODES lists it first).
MODES_TEXT = f"{', '.join(RETRIEVAL_MODES[1:])} or {RETRIEVAL_MODES[0]}"


@user_errors
def eval_command(
    gold: Optional[str] = typer.Argument(None, help="Gold JSONL file, or 'compare' followed by two report folders."),
    others: Optional[list[str]] = typer.Argument(None, help="With 'compare': the two report folders A B."),
    articles: Optional[list[Path]] = typer.Option(
        None, "--articles", help="Build a throwaway store from these articles first (repeat for more folders or files)."
    ),
    squad: Optional[Path] = typer.Option(None, "--squad", help="A SQuAD 1.1/2.0 JSON file: each paragraph is an article."),
    squad_articles: Optional[str] = typer.Option(None, "--squad-articles", help="Which SQuAD articles, START:END (e.g. 0:8)."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Report folder (default eval/reports/NAME-TIME)."),
    retrieval: Optional[str] = typer.Option(None, "--retrieval", help=f"{MODES_TEXT}."),
    top_k: Optional[int] = typer.Option(None, "--top-k", min=1, max=50, help="Chunks given to the model."),
    model: Optional[str] = typer.Option(None, "--model", help="Answering model (as QA_LLM)."),
    concurrency: int = typer.Option(1, "--concurrency", min=1, max=64, help="Questions answered in parallel (threads: for remote models)."),
    workers: Optional[int] = typer.Option(
        None, "--workers", min=1, max=64,
        help="Processes answering questions (default: one per core, up to 4, for the offline model on 600+ questions).",
    ),
    fail_under: list[str] = typer.Option([], "--fail-under", help="METRIC=VALUE floor; repeatable."),
    fail_over: list[str] = typer.Option([], "--fail-over", help="METRIC=VALUE ceiling (e.g. errors=0); repeatable."),
    baseline: Optional[Path] = typer.Option(
        None, "--baseline", help='JSON file of limits: {"floors": {METRIC: VALUE}, "ceilings": {...}}.'
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Score answers and citations against a gold set (offline by default); write a report."""
    if gold == "compare":
        _compare(others or [])
        return
    if others:
        raise QAError(f"unexpected extra argument(s): {' '.join(others)}")
    if retrieval is not None and retrieval not in RETRIEVAL_MODES:
        raise QAError(f"--retrieval {retrieval!r}: use {MODES_TEXT}")
    floors, ceilings = _limits(fail_under, fail_over, baseline)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from qa.evaluation.gold import load_gold
    from qa.evaluation.reports import metric_rows, write_reports
    from qa.evaluation.runner import check_floors, run_eval

    settings = load_settings()
    if model:
        settings = settings.model_copy(update={"llm": model})
    if not articles and squad is None:
        if gold:
            load_gold(Path(gold))  # a wrong gold file is the first thing to say
        require_store(settings)  # the run reads the user's store: one that does not exist is an error
    progress = Progress(
        TextColumn("evaluating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err, disable=as_json or not err.is_terminal, transient=True,
    )
    with progress:
        task = progress.add_task("eval", total=None)
        results, summary = run_eval(
            settings,
            gold=Path(gold) if gold else None,
            articles=articles,
            squad=squad,
            squad_articles=squad_articles,
            retrieval=retrieval,
            top_k=top_k,
            concurrency=concurrency,
            workers=workers,
            on_start=lambda total: progress.update(task, total=total),
            on_done=lambda _: progress.advance(task),
        )
    if out_dir is None:
        stamp = summary["created"].replace(":", "").replace("-", "").replace("+0000", "")
        out_dir = Path("eval") / "reports" / f"{Path(summary['gold']['path']).stem}-{stamp}"
    write_reports(out_dir, results, summary)
    failures = check_floors(summary, floors, ceilings)
    if as_json:
        print_json(summary)
    else:
        table = Table("metric", "value", title=f"{summary['gold']['name']} ({summary['run']['model']}, {summary['run']['retrieval']})")
        for name, value in metric_rows(summary):
            table.add_row(name, "n/a" if value is None else str(value))
        out.print(table)
        abstention = summary["metrics"]["abstention"]
        out.print(
            f"[bold]false answers: {abstention['false_answers']}[/] (answered when it should not have: "
            f"unanswerable, wrong entity or dates) · [bold]false refusals: {abstention['false_refusals']}[/] "
            f"of {summary['metrics']['answerable']} answerable"
        )
        out.print(f"{summary['metrics']['questions']} questions in {summary['cost']['seconds']} s; report: {out_dir}")
        for problem in summary["gold_problems"]:
            err.print(f"[yellow]gold problem:[/] {escape(problem)}")
    _fail_when_nothing_was_answered(results, out_dir)
    if failures:
        for failure in failures:
            err.print(f"[bold red]below floor:[/] {escape(failure)}")
        raise typer.Exit(1)
    if floors or ceilings:
        err.print(f"[green]baseline: all {len(floors) + len(ceilings)} checks passed[/]")


def _fail_when_nothing_was_answered(results: list, out_dir: Path) -> None:
    """Every question failed (a model server down, a wrong model name): the metrics measure
    nothing, so the run fails whatever the limits say."""
    errors = [r.error for r in results if r.error]
    if results and len(errors) == len(results):
        first = " ".join(errors[0].split())
        first = first if len(first) <= 200 else first[:199] + "…"
        err.print(
            f"[bold red]error:[/] all {len(results)} questions failed, e.g. {escape(first)}; "
            f"nothing was measured (report: {escape(str(out_dir))})"
        )
        raise typer.Exit(1)


def _limits(
    fail_under: list[str], fail_over: list[str], baseline: Optional[Path]
) -> tuple[dict[str, float], dict[str, float]]:
    floors: dict[str, float] = {}
    ceilings: dict[str, float] = {}
    if baseline is not None:
        try:
            data = json.loads(baseline.read_text(encoding="utf-8"))
            floors.update({str(k): float(v) for k, v in data.get("floors", {}).items()})
            ceilings.update({str(k): float(v) for k, v in data.get("ceilings", {}).items()})
        except (OSError, ValueError, TypeError, AttributeError):
            raise QAError(
                f'--baseline {baseline}: expected a JSON file like {{"floors": {{METRIC: VALUE}}, "ceilings": {{...}}}}'
            ) from None
    for option, items, target in (("--fail-under", fail_under, floors), ("--fail-over", fail_over, ceilings)):
        for item in items:
            name, sep, value = item.partition("=")
            try:
                target[name.strip()] = float(value)
            except ValueError:
                sep = ""
            if not sep or not name.strip():
                raise QAError(f"{option} {item!r}: use METRIC=VALUE, e.g. answer.answer_recall=0.9")
    return floors, ceilings


def _compare(folders: list[str]) -> None:
    from qa.evaluation.reports import compare, load_summary

    if len(folders) != 2:
        raise QAError("usage: qa eval compare A B (two report folders or summary.json files)")
    a, b = (load_summary(Path(f)) for f in folders)
    table = Table("metric", "A", "B", "B - A", title=f"A = {folders[0]}   B = {folders[1]}")
    for name, va, vb, delta in compare(a, b):
        colour = "" if not delta else ("green" if delta > 0 else "red")
        shown = "n/a" if delta is None else (f"[{colour}]{delta:+}[/]" if colour else "0")
        table.add_row(name, "n/a" if va is None else str(va), "n/a" if vb is None else str(vb), shown)
    out.print(table)
