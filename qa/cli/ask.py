"""`qa ask` and `qa chat`: answer one question, many read from standard input, or a
conversation whose follow-ups are read in the light of the earlier turns; print the answers.

Many questions in one process pay the cold start (imports, opening the store, loading the
models: a few seconds) once instead of once per question.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Optional

import typer

from qa.cli.console import err, escape, out, print_json, user_errors
from qa.cli.context import checked_question, open_assistant
from qa.errors import EmptyQuestionError, ModelError, QAError
from qa.types import Answer, Filters

if TYPE_CHECKING:
    from qa.assistant import Assistant

# Errors that belong to one question (a model that timed out on it, an unusable question); the
# others (the store, the settings, a prompt) would fail every question, so they stop the run.
PER_QUESTION_ERRORS = (EmptyQuestionError, ModelError)


# ----- the commands -------------------------------------------------------------------------
# The options `qa ask` and `qa chat` share.
TOP_K = typer.Option(None, "--top-k", min=1, max=50, help="Chunks given to the model.")
ARTICLE = typer.Option([], "--article", help="Only search this article id (repeatable).")
SINCE = typer.Option(None, "--since", help="Only articles published on or after YYYY-MM-DD.")
UNTIL = typer.Option(None, "--until", help="Only articles published on or before YYYY-MM-DD.")


@user_errors
def ask_command(
    question: str = typer.Argument(..., help="The question, in plain language; '-' reads one question per line from standard input."),
    as_json: bool = typer.Option(False, "--json", help="Print the full Answer as JSON (with '-': one JSON object per line)."),
    stream: bool = typer.Option(False, "--stream", help="Show the answer as the model writes it."),
    top_k: Optional[int] = TOP_K,
    article: list[str] = ARTICLE,
    since: Optional[str] = SINCE,
    until: Optional[str] = UNTIL,
) -> None:
    """Answer a question from the stored articles, with verified citations."""
    filters = _filters(article, since, until)
    if question == "-":
        questions = read_questions(sys.stdin)
        assistant = open_assistant()
        assistant.check_filters(filters)  # an unknown --article id fails once, not per question
        failed = ask_many(assistant, questions, as_json=as_json, stream=stream, top_k=top_k, filters=filters)
        if failed:
            err.print(f"[bold red]error:[/] {failed} of {len(questions)} questions failed (see above)")
            raise typer.Exit(1)
        return
    question = checked_question(question)  # an empty question fails before the store and models load
    ask_one(open_assistant(), question, as_json=as_json, stream=stream, top_k=top_k, filters=filters)


@user_errors
def chat_command(
    as_json: bool = typer.Option(False, "--json", help="Print each answer as one JSON line."),
    top_k: Optional[int] = TOP_K,
    article: list[str] = ARTICLE,
    since: Optional[str] = SINCE,
    until: Optional[str] = UNTIL,
) -> None:
    """A conversation: follow-up questions ("and how many bodies?") are read with the earlier turns."""
    filters = _filters(article, since, until)
    lines = None if sys.stdin.isatty() else sys.stdin  # piped turns are read as they come
    assistant = open_assistant()
    assistant.check_filters(filters)  # an unknown --article id fails before the first prompt
    failed = chat(assistant, lines, as_json=as_json, top_k=top_k, filters=filters)
    if failed:
        err.print(f"[bold red]error:[/] {failed} turn(s) failed (see above)")
        raise typer.Exit(1)


OPTION_NAMES = {"article_ids": "--article", "published_from": "--since", "published_to": "--until"}


def _filters(article: list[str], since: Optional[str], until: Optional[str]) -> Filters:
    """The filter options, checked before anything loads: dates and range here, the ids by
    `Assistant.check_filters` once the store is open. A FilterError exits 2, like click's own
    bad option values."""
    from qa.store.filters import checked_filters

    given = Filters(tuple(article), _date_option(since, "--since"), _date_option(until, "--until"))
    return checked_filters(given, OPTION_NAMES) or Filters()


def _date_option(value: Optional[str], name: str) -> str:
    """An ISO day from what the user typed (also "July 8, 2025", "2025/07/08")."""
    if not value:
        return ""
    from qa.ingest.dates import parse_date
    from qa.store.filters import iso_day

    try:
        return parse_date(value)
    except ValueError:
        return iso_day(value, name)  # raises the strict reader's message: unreadable, or no such day


# ----- answering and printing ---------------------------------------------------------------
def _non_blank(lines: Iterable[str]) -> Iterator[str]:
    return (line.strip() for line in lines if line.strip())


def read_questions(lines: Iterable[str]) -> list[str]:
    questions = list(_non_blank(lines))
    if not questions:
        raise QAError("no questions on standard input: give one question per line, e.g. `qa ask - < questions.txt`")
    return questions


def ask_many(
    assistant: Assistant, questions: list[str], *, as_json: bool, stream: bool, top_k: int | None, filters: Filters
) -> int:
    """Answer each question in turn, printing as it goes; returns how many failed."""
    failed = 0
    for number, question in enumerate(questions, start=1):
        if not as_json:
            if number > 1:
                out.print()
            out.print(f"[bold]Q{number}: {escape(question)}[/]")
        try:
            answer = _answer(assistant, question, stream and not as_json, top_k, filters)
        except PER_QUESTION_ERRORS as exc:
            failed += 1
            _print_error(question, exc, as_json, f"Q{number}: ")
            continue
        if as_json:
            _print_line(answer.to_dict())  # JSON lines: one answer per input line, in order
        else:
            print_answer(answer, streamed=stream)
        sys.stdout.flush()
    return failed


def chat(assistant: Assistant, lines: Iterable[str] | None, *, as_json: bool, top_k: int | None, filters: Filters) -> int:
    """A conversation: each line is a turn (`lines`), or typed at a prompt when `lines` is None.
    `/new` starts over, `/exit` ends. Returns how many turns failed."""
    talk, failed = assistant.conversation(), 0
    if lines is None and not as_json:
        out.print("[dim]Ask about the stored articles; follow-ups may refer to earlier answers. "
                  "/new starts over, /exit or Ctrl-D ends.[/]")
    for question in _turns(lines):
        if question in ("/exit", "/quit"):
            break
        if question == "/new":
            talk = assistant.conversation()
            if not as_json:
                out.print("[dim](new conversation)[/]")
            continue
        try:
            answer = talk.ask(question, top_k=top_k, filters=filters)
        except PER_QUESTION_ERRORS as exc:
            failed += 1
            _print_error(question, exc, as_json)
            continue
        if as_json:
            _print_line(answer.to_dict())
        else:
            if answer.search_question and answer.search_question != question:
                out.print(f"[dim](searched for: {escape(answer.search_question)})[/]")
            print_answer(answer)
            out.print()
        sys.stdout.flush()
    return failed


def _turns(lines: Iterable[str] | None) -> Iterator[str]:
    if lines is not None:
        yield from _non_blank(lines)
        return
    while True:
        try:
            line = out.input("[bold]?[/] ").strip()
        except EOFError:
            out.print()
            return
        if line:
            yield line


def ask_one(assistant: Assistant, question: str, *, as_json: bool, stream: bool, top_k: int | None, filters: Filters) -> None:
    answer = _answer(assistant, question, stream and not as_json, top_k, filters)
    if as_json:
        print_json(answer.to_dict())
    else:
        print_answer(answer, streamed=stream)


def _answer(assistant: Assistant, question: str, stream: bool, top_k: int | None, filters: Filters) -> Answer:
    if not stream:
        return assistant.ask(question, top_k=top_k, filters=filters)
    answer: Answer | None = None
    for part in assistant.ask_stream(question, top_k=top_k, filters=filters):
        if isinstance(part, str):
            out.print(escape(part), end="")
        else:
            answer = part
    out.print()
    if answer is None:  # ask_stream always ends with the Answer
        raise RuntimeError("the answer stream ended without an Answer")
    out.print("[dim](verified)[/]" if answer.citations else "")
    return answer


def print_answer(answer: Answer, streamed: bool = False) -> None:
    if answer.short:
        out.print(f"[bold green]{escape(answer.short)}[/]")
    if not streamed:
        style = "" if answer.answerable else "italic yellow"
        out.print(f"[{style}]{escape(answer.answer)}[/]" if style else escape(answer.answer))
    for number, c in enumerate(answer.citations, start=1):
        meta = ", ".join(x for x in (c.source, c.published) if x)
        out.print(f"\n[bold][{number}][/] {escape(c.title)}" + (f" ({escape(meta)})" if meta else ""))
        out.print(f"    [dim]{escape(c.article_id)} chars {c.start}-{c.end}[/]")
        found = f"fuzzy match, {c.score:g}" if c.match == "fuzzy" else c.match
        out.print(f"    “{escape(c.quote)}” [dim](quote found in article, {escape(found)})[/]")
    _print_support(answer)
    from qa.answer.conflict_note import conflict_lines  # disagreeing reports, newest first

    for line in conflict_lines(answer.conflicts):
        out.print(escape(line))
    if answer.unsupported:
        out.print(f"\n[yellow]not found in any cited passage:[/] {escape(', '.join(answer.unsupported))}")
    for u in answer.unverified:
        out.print(f"\n[red]dropped unverifiable quote[/] ({escape(u.reason)}): “{escape(u.quote)}”")
    out.print(f"\n[dim]model: {escape(answer.model)} · {answer.timings.get('total', 0):.0f} ms[/]")


def _print_support(answer: Answer) -> None:
    """Which answer-level checks passed: "answer supported" only when all did. A withdrawn
    answer's passages are listed as "may be related", not as an answer."""
    from qa.answer.support import check_label

    support = answer.support
    if support is not None and support.supported:
        out.print(f"\n[green]answer supported[/] [dim]({'; '.join(check_label(c.name) for c in support.checks)})[/]")
    elif support is not None:
        out.print("\n[yellow]an answer was withdrawn: not supported[/] "
                  + escape("; ".join(f"{check_label(c.name)}: {c.detail}" for c in support.failed)))
    if answer.related:
        out.print("\n[bold]may be related[/] [dim](not an answer)[/]")
        for c in answer.related:
            meta = ", ".join(x for x in (c.title, c.published) if x)
            out.print(f"  - {escape(meta)}: “{escape(c.quote)}”")


def _print_error(question: str, exc: QAError, as_json: bool, label: str = "") -> None:
    if as_json:  # a row in the output, so the rows still line up with the questions
        _print_line({"question": question, "error": str(exc)})
    else:
        err.print(f"[bold red]error:[/] {label}{escape(str(exc))}")


def _print_line(data: dict) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
