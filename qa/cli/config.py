"""`qa config`: the effective settings and where each comes from."""

from __future__ import annotations

import typer
from rich.table import Table

from qa.cli.console import escape, out, print_json, user_errors
from qa.cli.context import load_settings


@user_errors
def config_command(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Print the effective settings (environment, .env and defaults combined)."""
    rows = load_settings().describe()
    if as_json:
        print_json({name: value for name, value, _ in rows})
        return
    table = Table("setting", "value", "environment variable", "description")
    for name, value, description in rows:
        table.add_row(name, escape(str(value)), f"QA_{name.upper()}", escape(description))
    out.print(table)
