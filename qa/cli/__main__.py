"""`python -m qa.cli`: the `qa` command, for when the console script is not on PATH."""

from qa.cli.app import app

app()
