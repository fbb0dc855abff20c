"""`qa ingest`, `qa articles`, `qa remove` and `qa stats`: the articles in the store."""

from __future__ import annotations

import typer

from qa.cli.console import err, escape, out, print_json, user_errors
from qa.cli.context import open_assistant, open_library
from qa.errors import QAError
from qa.ingest.formats import MAIN_SUFFIXES

STATUS_COLOURS = {"added": "green", "updated": "cyan", "unchanged": "dim", "duplicate": "yellow", "failed": "red"}
# Line breaks and tabs in a name or reason would break or misalign a result line: show them as
# control pictures too (escape() keeps them, for multi-line text).
_ONE_LINE = {0x09: 0x2409, 0x0A: 0x240A, 0x0B: 0x240B, 0x0C: 0x240C, 0x2028: 0x2424, 0x2029: 0x2424}


def _on_one_line(text: str) -> str:
    """`text` safe for one result line: escaped like all output, with no line break or tab."""
    return escape(text.translate(_ONE_LINE))


def _summary(report, noun: str) -> str:
    """The closing line: articles and files (or pages) counted apart: a .jsonl file holds several
    articles, and a feed gives several pages."""
    kinds = ["added", "updated", "unchanged"] + (["duplicate"] if report.count_articles("duplicate") else [])
    articles = ", ".join(f"{report.count_articles(o)} {o}" for o in kinds)
    files = ", ".join(f"{report.count(s)} {s}" for s in ("added", "updated", "unchanged", "failed"))
    if report.count("duplicate"):
        files += f", {report.count('duplicate')} duplicate"
    return f"articles: {articles}; {noun}: {files}; {report.seconds:.1f} s"


@user_errors
def ingest_command(
    paths: list[str] = typer.Argument(
        ..., help=f"Files or folders of articles ({' '.join(MAIN_SUFFIXES)}), or http(s) addresses of "
        "news pages or RSS/Atom feeds."),
    keep_duplicates: bool = typer.Option(
        False, "--keep-duplicates", help="Also store articles whose text nearly repeats a stored one."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Add articles to the store; unchanged files are skipped, changed ones replaced."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from qa.ingest.ids import is_url
    from qa.ingest.loading import walk

    assistant = open_assistant(create=True)  # the one command that makes a new store
    urls = sum(1 for p in paths if is_url(p))
    total = urls + sum(1 for _ in walk(p for p in paths if not is_url(p)))  # a streaming count of names
    noun = "pages" if urls == len(paths) else "files and pages" if urls else "files"
    progress = Progress(
        TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.fields[rate]}"),
        console=err, disable=as_json or not err.is_terminal, transient=True,
    )
    started, counts = time.perf_counter(), {"articles": 0, "chunks": 0}
    with progress:
        task = progress.add_task("ingest", total=total, rate="")

        def found(more: int) -> None:  # a feed's entries: more pages than addresses given
            progress.update(task, total=(progress.tasks[0].total or 0) + more)

        def show(result) -> None:
            counts["articles"] += sum(1 for o in result.outcomes if o in ("added", "updated"))
            counts["chunks"] += result.chunks
            elapsed = max(time.perf_counter() - started, 1e-6)
            rate = f"{counts['articles'] / elapsed:,.0f} articles/s, {counts['chunks'] / elapsed:,.0f} chunks/s"
            progress.update(task, advance=1, rate=rate)
            if not as_json:
                note = f" ({_on_one_line(result.reason)})" if result.reason else ""
                extra = f", {result.chunks} chunks" if result.chunks else ""
                if len(result.articles) > 1:
                    extra = f", {len(result.articles)} articles{extra}"
                colour = STATUS_COLOURS.get(result.status, "default")
                out.print(f"[{colour}]{result.status:9}[/] {_on_one_line(result.path)}{extra}{note}")

        report = assistant.ingest(paths, on_file=show, keep_duplicates=keep_duplicates, on_found=found)
    if as_json:
        print_json(report.to_dict())
    else:
        out.print(_summary(report, noun))
    if report.failed:
        raise typer.Exit(1)


@user_errors
def articles_command(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """List the stored articles."""
    infos = open_library().articles()  # the store only: no model is loaded to list it
    if as_json:
        print_json([a.to_dict() for a in infos])
        return
    if not infos:
        out.print("no articles yet: add some with `qa ingest PATH`")
        return
    _print_articles(infos, out.width)


TITLE_MIN = 28  # a title column narrower than this wraps a word or two a line: list instead


def _print_articles(infos: list, width: int) -> None:
    """A table whose date, id and chunk count keep their width (ids are what `qa remove` takes:
    never broken) and whose title, with its source, wraps in the rest; when that rest is too
    narrow, one block per article with every field on its own line."""
    ids = max(len(a.id) for a in infos)
    fixed = len("2025-01-01") + ids + len("chunks") + 3 * 2  # three columns and their 2-space gaps
    if width - fixed < TITLE_MIN:
        for a in infos:
            facts = " · ".join(x for x in (a.published, a.source, f"{a.chunks} chunks") if x)
            out.print(f"[bold]{escape(a.id)}[/]\n  {escape(a.title)}\n  [dim]{escape(facts)}[/]")
        return
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False, show_edge=False)
    table.add_column("published", no_wrap=True, min_width=10)
    table.add_column("id", no_wrap=True, min_width=ids)
    table.add_column("chunks", no_wrap=True, justify="right")
    table.add_column("title", overflow="fold")  # wraps in the rest; a long word folds, never "…"
    for a in infos:
        source = f" [dim]({escape(a.source)})[/]" if a.source else ""
        table.add_row(a.published, escape(a.id), str(a.chunks), escape(a.title) + source)
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
    data = open_library().stats()  # the store and the models' names: no model is loaded
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        out.print(f"{key:16} {escape(str(value))}")
