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
from rich.table import Table

from qa.cli.console import escape  # article text may hold terminal control sequences
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
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from qa.ingest.loading import walk

    assistant = _assistant()
    total = sum(1 for _ in walk(paths))  # a streaming count: only names are listed
    colours = {"added": "green", "updated": "cyan", "unchanged": "dim", "failed": "red"}
    progress = Progress(
        TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.fields[rate]}"),
        console=err, disable=as_json or not err.is_terminal, transient=True,
    )
    started, counts = time.perf_counter(), {"articles": 0, "chunks": 0}
    with progress:
        task = progress.add_task("ingest", total=total, rate="")

        def show(result) -> None:
            counts["articles"] += len(result.articles) if result.chunks else 0
            counts["chunks"] += result.chunks
            elapsed = max(time.perf_counter() - started, 1e-6)
            rate = f"{counts['articles'] / elapsed:,.0f} articles/s, {counts['chunks'] / elapsed:,.0f} chunks/s"
            progress.update(task, advance=1, rate=rate)
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


# The options `qa ask` and `qa chat` share.
TOP_K = typer.Option(None, "--top-k", min=1, max=50, help="Chunks given to the model.")
ARTICLE = typer.Option([], "--article", help="Only search this article id (repeatable).")
SINCE = typer.Option(None, "--since", help="Only articles published on or after YYYY-MM-DD.")
UNTIL = typer.Option(None, "--until", help="Only articles published on or before YYYY-MM-DD.")


@app.command()
@user_errors
def ask(
    question: str = typer.Argument(..., help="The question, in plain language; '-' reads one question per line from standard input."),
    as_json: bool = typer.Option(False, "--json", help="Print the full Answer as JSON (with '-': one JSON object per line)."),
    stream: bool = typer.Option(False, "--stream", help="Show the answer as the model writes it."),
    top_k: Optional[int] = TOP_K,
    article: list[str] = ARTICLE,
    since: Optional[str] = SINCE,
    until: Optional[str] = UNTIL,
) -> None:
    """Answer a question from the stored articles, with verified citations."""
    from qa.cli import ask as cli_ask

    filters = _filters(article, since, until)
    if question == "-":
        questions = cli_ask.read_questions(sys.stdin)
        failed = cli_ask.ask_many(_assistant(), questions, as_json=as_json, stream=stream, top_k=top_k, filters=filters)
        if failed:
            err.print(f"[bold red]error:[/] {failed} of {len(questions)} questions failed (see above)")
            raise typer.Exit(1)
        return
    cli_ask.ask_one(_assistant(), question, as_json=as_json, stream=stream, top_k=top_k, filters=filters)


@app.command()
@user_errors
def chat(
    as_json: bool = typer.Option(False, "--json", help="Print each answer as one JSON line."),
    top_k: Optional[int] = TOP_K,
    article: list[str] = ARTICLE,
    since: Optional[str] = SINCE,
    until: Optional[str] = UNTIL,
) -> None:
    """A conversation: follow-up questions ("and how many bodies?") are read with the earlier turns."""
    from qa.cli import ask as cli_ask

    filters = _filters(article, since, until)
    lines = None if sys.stdin.isatty() else sys.stdin  # piped turns are read as they come
    failed = cli_ask.chat(_assistant(), lines, as_json=as_json, top_k=top_k, filters=filters)
    if failed:
        err.print(f"[bold red]error:[/] {failed} turn(s) failed (see above)")
        raise typer.Exit(1)


def _filters(article: list[str], since: Optional[str], until: Optional[str]):
    from qa.types import Filters

    return Filters(tuple(article), _date_option(since, "--since"), _date_option(until, "--until"))


def _date_option(value: Optional[str], name: str) -> str:
    if not value:
        return ""
    from qa.ingest.dates import parse_date

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


@app.command()
@user_errors
def doctor(
    repair: bool = typer.Option(False, "--repair", help="Fix what is found (re-embeds from stored chunk texts)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Check the store (index, orphans, missing chunks, BM25, sqlite); exit 1 when problems remain."""
    from qa.doctor.checks import run

    report = run(_settings(), fix=repair)
    if as_json:
        _print_json(report.to_dict())
    else:
        for action in report.repaired:
            out.print(f"[cyan]repaired[/]  {escape(action)}")
        for f in report.findings:
            out.print(f"{'[green]ok[/]     ' if f.ok else '[red]PROBLEM[/]'}  {f.check:12} {escape(f.detail)}")
        if not report.healthy:
            out.print("run `qa doctor --repair` to fix these (no article is lost)")
    if not report.healthy:
        raise typer.Exit(1)


@app.command()
def serve() -> None:
    """Start the web UI (same as `python app.py`); QA_HOST / QA_PORT choose where."""
    from qa.ui.app import main as serve_ui

    serve_ui()


from qa.cli import evaluate as cli_eval  # noqa: E402,F401  (registers `qa eval`)

if __name__ == "__main__":  # pragma: no cover
    app()
