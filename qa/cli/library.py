"""`qa ingest`, `qa articles`, `qa remove` and `qa stats`: the articles in the store."""

from __future__ import annotations

import typer
from rich.table import Table

from qa.cli.console import err, escape, out, print_json, user_errors
from qa.cli.context import open_assistant
from qa.errors import QAError
from qa.ingest.formats import MAIN_SUFFIXES

STATUS_COLOURS = {"added": "green", "updated": "cyan", "unchanged": "dim", "failed": "red"}


@user_errors
def ingest_command(
    paths: list[str] = typer.Argument(..., help=f"Files or folders of articles ({' '.join(MAIN_SUFFIXES)})."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Add articles to the store; unchanged files are skipped, changed ones replaced."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from qa.ingest.loading import walk

    assistant = open_assistant(create=True)  # the one command that makes a new store
    total = sum(1 for _ in walk(paths))  # a streaming count: only names are listed
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
                colour = STATUS_COLOURS[result.status]
                out.print(f"[{colour}]{result.status:9}[/] {escape(result.path)}{extra}{note}")

        report = assistant.ingest(paths, on_file=show)
    if as_json:
        print_json(report.to_dict())
    else:
        out.print(
            f"{report.count('added')} added, {report.count('updated')} updated, "
            f"{report.count('unchanged')} unchanged, {report.count('failed')} failed "
            f"in {report.seconds:.1f} s"
        )
    if report.failed:
        raise typer.Exit(1)


@user_errors
def articles_command(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """List the stored articles."""
    infos = open_assistant().articles()
    if as_json:
        print_json([a.to_dict() for a in infos])
        return
    if not infos:
        out.print("no articles yet: add some with `qa ingest PATH`")
        return
    table = Table("title", "source", "published", "chunks")
    table.add_column("id", no_wrap=True)  # ids are what `qa remove` takes: never broken
    for a in infos:
        table.add_row(escape(a.title), escape(a.source), a.published, str(a.chunks), escape(a.id))
    out.print(table)


@user_errors
def remove_command(article_id: str = typer.Argument(..., help="The id of the article (see `qa articles`).")) -> None:
    """Delete an article and its chunks."""
    if not open_assistant().remove(article_id):
        raise QAError(f"no article with id {article_id!r}; `qa articles` lists the ids")
    out.print(f"removed {escape(article_id)}")


@user_errors
def stats_command(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Counts of articles and chunks, and the models in use."""
    data = open_assistant().stats()
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        out.print(f"{key:16} {escape(str(value))}")
