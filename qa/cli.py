"""The `qa` command line. It only parses arguments and formats results; the work is in Assistant.

Heavy modules load inside the commands, so `qa --help` and `qa config` stay fast.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any, Callable, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from qa.errors import QAError

app = typer.Typer(
    name="qa",
    help="Ask questions about news articles; every answer cites exact, verified passages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
_overrides: dict[str, Any] = {}


def user_errors(command: Callable) -> Callable:
    """Show user errors as one line on stderr with a non-zero exit, never as a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except QAError as exc:
            err.print(f"[bold red]error:[/] {escape(str(exc))}")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None

    return wrapper


@app.callback()
def main(
    store: Optional[Path] = typer.Option(None, "--store", help="Store folder (default: QA_STORE or a per-user folder)."),
    collection: Optional[str] = typer.Option(None, "--collection", help="Collection name (QA_COLLECTION)."),
) -> None:
    if store is not None:
        _overrides["store"] = store
    if collection is not None:
        _overrides["collection"] = collection


def _settings():
    from qa.settings import load_settings

    return load_settings(**_overrides)


def _assistant():
    from qa.assistant import Assistant

    return Assistant.open(_settings())


def _print_json(data: Any) -> None:
    # default=str: paths as text, secrets as their masked form ("**********")
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@app.command()
@user_errors
def ingest(
    paths: list[str] = typer.Argument(..., help="Files or folders of articles (.txt .md .html .json .jsonl)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Add articles to the store; unchanged files are skipped, changed ones replaced."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from qa.loading import walk

    assistant = _assistant()
    total = sum(1 for _ in walk(paths))
    colours = {"added": "green", "updated": "cyan", "unchanged": "dim", "failed": "red"}
    progress = Progress(
        TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, disable=as_json or not err.is_terminal, transient=True,
    )
    with progress:
        task = progress.add_task("ingest", total=total)

        def show(result) -> None:
            progress.advance(task)
            if not as_json:
                note = f" ({escape(result.reason)})" if result.reason else ""
                extra = f", {result.chunks} chunks" if result.chunks else ""
                colour = colours[result.status]
                out.print(f"[{colour}]{result.status:9}[/] {escape(result.path)}{extra}{note}")

        report = assistant.ingest(paths, on_file=show)
    if as_json:
        _print_json(report.to_dict())
    else:
        out.print(
            f"{report.count('added')} added, {report.count('updated')} updated, "
            f"{report.count('unchanged')} unchanged, {report.count('failed')} failed "
            f"in {report.seconds:.1f} s"
        )
    if report.failed:
        raise typer.Exit(1)


@app.command()
@user_errors
def ask(
    question: str = typer.Argument(..., help="The question, in plain language."),
    as_json: bool = typer.Option(False, "--json", help="Print the full Answer as JSON."),
    stream: bool = typer.Option(False, "--stream", help="Show the answer as the model writes it."),
    top_k: Optional[int] = typer.Option(None, "--top-k", min=1, max=50, help="Chunks given to the model."),
    article: list[str] = typer.Option([], "--article", help="Only search this article id (repeatable)."),
    since: Optional[str] = typer.Option(None, "--since", help="Only articles published on or after YYYY-MM-DD."),
    until: Optional[str] = typer.Option(None, "--until", help="Only articles published on or before YYYY-MM-DD."),
) -> None:
    """Answer a question from the stored articles, with verified citations."""
    from qa.types import Filters

    filters = Filters(tuple(article), _date_option(since, "--since"), _date_option(until, "--until"))
    assistant = _assistant()
    if stream and not as_json:
        answer = None
        for part in assistant.ask_stream(question, top_k=top_k, filters=filters):
            if isinstance(part, str):
                out.print(escape(part), end="")
            else:
                answer = part
        out.print()
        out.print("[dim](verified)[/]" if answer.citations else "")
    else:
        answer = assistant.ask(question, top_k=top_k, filters=filters)
    if as_json:
        _print_json(answer.to_dict())
        return
    if not stream:
        style = "" if answer.answerable else "italic yellow"
        out.print(f"[{style}]{escape(answer.answer)}[/]" if style else escape(answer.answer))
    for number, c in enumerate(answer.citations, start=1):
        meta = ", ".join(x for x in (c.source, c.published) if x)
        out.print(f"\n[bold][{number}][/] {escape(c.title)}" + (f" ({escape(meta)})" if meta else ""))
        out.print(f"    [dim]{escape(c.article_id)} chars {c.start}-{c.end}[/]")
        badge = f" [yellow](fuzzy match, {c.score:g})[/]" if c.match == "fuzzy" else ""
        out.print(f"    “{escape(c.quote)}”{badge}")
    if answer.unsupported:
        out.print(f"\n[yellow]not found in any cited passage:[/] {escape(', '.join(answer.unsupported))}")
    for u in answer.unverified:
        out.print(f"\n[red]dropped unverifiable quote[/] ({escape(u.reason)}): “{escape(u.quote)}”")
    out.print(f"\n[dim]model: {escape(answer.model)} · {answer.timings.get('total', 0):.0f} ms[/]")


def _date_option(value: Optional[str], name: str) -> str:
    if not value:
        return ""
    from qa.loading import parse_date

    try:
        return parse_date(value)
    except ValueError:
        raise QAError(f"{name}: cannot read date {value!r}; use YYYY-MM-DD") from None


@app.command()
@user_errors
def articles(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """List the stored articles."""
    infos = _assistant().articles()
    if as_json:
        _print_json([a.to_dict() for a in infos])
        return
    if not infos:
        out.print("no articles yet: add some with `qa ingest PATH`")
        return
    table = Table("title", "source", "published", "chunks")
    table.add_column("id", no_wrap=True)  # ids are what `qa remove` takes: never broken
    for a in infos:
        table.add_row(escape(a.title), escape(a.source), a.published, str(a.chunks), escape(a.id))
    out.print(table)


@app.command()
@user_errors
def remove(article_id: str = typer.Argument(..., help="The id of the article (see `qa articles`).")) -> None:
    """Delete an article and its chunks."""
    if not _assistant().remove(article_id):
        raise QAError(f"no article with id {article_id!r}; `qa articles` lists the ids")
    out.print(f"removed {escape(article_id)}")


@app.command()
@user_errors
def stats(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Counts of articles and chunks, and the models in use."""
    data = _assistant().stats()
    if as_json:
        _print_json(data)
        return
    for key, value in data.items():
        out.print(f"{key:16} {escape(str(value))}")


@app.command("eval")
@user_errors
def eval_command(
    gold: Optional[str] = typer.Argument(None, help="Gold JSONL file, or 'compare' followed by two report folders."),
    others: Optional[list[str]] = typer.Argument(None, help="With 'compare': the two report folders A B."),
    articles: Optional[Path] = typer.Option(None, "--articles", help="Build a throwaway store from these articles first."),
    squad: Optional[Path] = typer.Option(None, "--squad", help="A SQuAD 1.1/2.0 JSON file: each paragraph is an article."),
    squad_articles: Optional[str] = typer.Option(None, "--squad-articles", help="Which SQuAD articles, START:END (e.g. 0:8)."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Report folder (default eval/reports/NAME-TIME)."),
    retrieval: Optional[str] = typer.Option(None, "--retrieval", help="dense, bm25 or hybrid."),
    top_k: Optional[int] = typer.Option(None, "--top-k", min=1, max=50, help="Chunks given to the model."),
    model: Optional[str] = typer.Option(None, "--model", help="Answering model (as QA_LLM)."),
    concurrency: int = typer.Option(1, "--concurrency", min=1, max=64, help="Questions answered in parallel."),
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
    if retrieval not in (None, "dense", "bm25", "hybrid"):
        raise QAError(f"--retrieval {retrieval!r}: use dense, bm25 or hybrid")
    floors, ceilings = _limits(fail_under, fail_over, baseline)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from qa.eval_run import check_floors, run_eval
    from qa.reports import metric_rows, write_reports

    settings = _settings()
    if model:
        settings = settings.model_copy(update={"llm": model})
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
            on_start=lambda total: progress.update(task, total=total),
            on_done=lambda _: progress.advance(task),
        )
    if out_dir is None:
        stamp = summary["created"].replace(":", "").replace("-", "").replace("+0000", "")
        out_dir = Path("eval") / "reports" / f"{Path(summary['gold']['path']).stem}-{stamp}"
    write_reports(out_dir, results, summary)
    failures = check_floors(summary, floors, ceilings)
    if as_json:
        _print_json(summary)
    else:
        table = Table("metric", "value", title=f"{summary['gold']['name']} ({summary['run']['model']}, {summary['run']['retrieval']})")
        for name, value in metric_rows(summary):
            table.add_row(name, "n/a" if value is None else str(value))
        out.print(table)
        out.print(f"{summary['metrics']['questions']} questions in {summary['cost']['seconds']} s; report: {out_dir}")
        for problem in summary["gold_problems"]:
            err.print(f"[yellow]gold problem:[/] {escape(problem)}")
    if failures:
        for failure in failures:
            err.print(f"[bold red]below floor:[/] {escape(failure)}")
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
    from qa.reports import compare, load_summary

    if len(folders) != 2:
        raise QAError("usage: qa eval compare A B (two report folders or summary.json files)")
    a, b = (load_summary(Path(f)) for f in folders)
    table = Table("metric", "A", "B", "B - A", title=f"A = {folders[0]}   B = {folders[1]}")
    for name, va, vb, delta in compare(a, b):
        colour = "" if not delta else ("green" if delta > 0 else "red")
        shown = "n/a" if delta is None else (f"[{colour}]{delta:+}[/]" if colour else "0")
        table.add_row(name, "n/a" if va is None else str(va), "n/a" if vb is None else str(vb), shown)
    out.print(table)


@app.command()
@user_errors
def config(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Print the effective settings (environment, .env and defaults combined)."""
    rows = _settings().describe()
    if as_json:
        _print_json({name: value for name, value, _ in rows})
        return
    table = Table("setting", "value", "environment variable", "description")
    for name, value, description in rows:
        table.add_row(name, escape(str(value)), f"QA_{name.upper()}", escape(description))
    out.print(table)


if __name__ == "__main__":  # pragma: no cover
    app()
