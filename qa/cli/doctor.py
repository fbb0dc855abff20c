"""`qa doctor`: check the store and, with --repair, fix it."""

from __future__ import annotations

import typer

from qa.cli.console import escape, out, print_json, user_errors
from qa.cli.context import load_settings, require_store


@user_errors
def doctor_command(
    repair: bool = typer.Option(False, "--repair", help="Fix what is found (re-embeds from stored chunk texts)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Check the store (index, orphans, missing chunks, BM25, sqlite); exit 1 when problems remain."""
    from qa.doctor.checks import run

    settings = load_settings()
    require_store(settings)  # checking a store that is not there would create an empty one
    report = run(settings, fix=repair)
    if as_json:
        print_json(report.to_dict())
    else:
        for action in report.repaired:
            out.print(f"[cyan]repaired[/]  {escape(action)}")
        for f in report.findings:
            out.print(f"{'[green]ok[/]     ' if f.ok else '[red]PROBLEM[/]'}  {f.check:12} {escape(f.detail)}")
        advice = [f.advice for f in report.problems if f.advice]
        for line in advice:
            out.print(escape(line))
        if len(advice) < len(report.problems):
            out.print("run `qa doctor --repair` to fix these (no article is lost)")
    if not report.healthy:
        raise typer.Exit(1)
