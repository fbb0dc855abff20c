"""`qa config`: the effective settings and where each comes from.

A value is never cut: a store path is what the user copies. A wide terminal gets a table whose
cells fold; a narrower one (80 columns) a list, each value whole on its setting's line and the
variable and description wrapped below it.
"""

from __future__ import annotations

import textwrap
from typing import Any

import typer

from qa.cli.console import escape, out, print_json, user_errors
from qa.cli.context import load_settings

TABLE_WIDTH = 120  # narrower than this, four columns squeeze the descriptions to a word a line


@user_errors
def config_command(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Print the effective settings (environment, .env and defaults combined)."""
    rows = load_settings().describe()  # URL passwords already shown as ***
    if as_json:
        print_json({name: value for name, value, _ in rows})
        return
    if out.width >= TABLE_WIDTH:
        _print_table(rows)
    else:
        _print_list(rows, out.width)


def _print_table(rows: list[tuple[str, Any, str]]) -> None:
    from rich.table import Table

    table = Table("setting", "value", "environment variable", "description")
    for column in table.columns:
        column.overflow = "fold"  # wrap, even inside a long word: never "…"
    table.columns[0].no_wrap = table.columns[2].no_wrap = True
    for name, value, description in rows:
        table.add_row(name, escape(str(value)), f"QA_{name.upper()}", escape(description))
    out.print(table)


def _print_list(rows: list[tuple[str, Any, str]], width: int) -> None:
    """`name = value` on one line (a long value runs on and the terminal wraps it, whole), then
    the variable and the description, indented and wrapped to the width."""
    for name, value, description in rows:
        out.print(f"[bold]{name}[/] = {escape(str(value))}")
        about = textwrap.fill(
            f"QA_{name.upper()}: {description}", width=max(width, 40) - 1,
            initial_indent="    ", subsequent_indent="    ", break_on_hyphens=False,
        )
        out.print(f"[dim]{escape(about)}[/]")
