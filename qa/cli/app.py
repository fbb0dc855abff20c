"""The `qa` command line: the global options and the list of commands, each defined in the
module of its group. Commands only parse arguments and print results; the work is in Assistant.

Heavy modules load inside the commands, so `qa --help` and `qa config` stay fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from qa.cli import ask, config, doctor, evaluate, library, serve
from qa.cli.context import set_global_options

app = typer.Typer(
    name="qa",
    help="Ask questions about news articles; every answer cites exact, verified passages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    store: Optional[Path] = typer.Option(None, "--store", help="Store folder (default: QA_STORE or a per-user folder)."),
    collection: Optional[str] = typer.Option(None, "--collection", help="Collection name (QA_COLLECTION)."),
) -> None:
    set_global_options(store, collection)


# `qa --help` lists the commands in this order.
app.command("ingest")(library.ingest_command)
app.command("ask")(ask.ask_command)
app.command("chat")(ask.chat_command)
app.command("articles")(library.articles_command)
app.command("remove")(library.remove_command)
app.command("stats")(library.stats_command)
app.command("config")(config.config_command)
app.command("doctor")(doctor.doctor_command)
app.command("serve")(serve.serve_command)
app.command("eval")(evaluate.eval_command)

if __name__ == "__main__":  # pragma: no cover  (`python -m qa.cli.app`; `python -m qa.cli` is the short form)
    app()
