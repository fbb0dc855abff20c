"""`qa ask` shows disagreeing reports (qa/cli/ask.py print_answer, qa/answer/conflict_note.py
conflict_lines): the text output lists each report with its date, newest first; `--json` has
them as `conflicts`; article text in them cannot inject terminal markup."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO
from qa.answer.conflict_note import conflict_lines
from qa.cli.ask import print_answer
from qa.cli.console import out
from qa.types import Answer, ConflictReport

QA = str(Path(sys.executable).with_name("qa"))
PAIRS = ("garrow-hill-collapse", "garrow-hill-collapse-update", "brightwell-foods-layoffs", "brightwell-foods-union")


def run(*args, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env["QA_STORE"] = str(Path(cwd) / "store")
    return subprocess.run([QA, *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_qa_ask_prints_the_reports_newest_first_with_their_dates(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in PAIRS:
        shutil.copy(REPO / "data" / "conflicts" / f"{name}.md", folder)
    assert run("ingest", folder, cwd=tmp_path).returncode == 0

    shown = run("ask", "How many miners were killed in the Garrow Hill colliery collapse?", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert "(an earlier report, 2025-03-14, said four [2])" in text
    listing = text[text.index("reports differ (newest first):"):]
    assert listing.index("2025-03-17  nine") < listing.index("2025-03-14  four")
    assert "Garrow Hill death toll rises to nine as search ends" in listing
    assert "(2025-03-17)" in text or "2025-03-17)" in text  # every citation shows its date

    data = json.loads(run("ask", "--json", "How many miners were killed in the Garrow Hill colliery collapse?",
                          cwd=tmp_path).stdout)
    assert [(c["value"], c["published"]) for c in data["conflicts"]] == [("nine", "2025-03-17"), ("four", "2025-03-14")]

    agree = run("ask", "How many jobs will Brightwell Foods cut?", cwd=tmp_path)
    assert agree.returncode == 0 and "reports differ" not in agree.stdout


def test_report_lines_are_escaped_for_the_terminal():
    hostile = ConflictReport("[bold red]9[/]", "a", "2025-03-17", "It is [bold red]9[/]\x1b]52;c;aGk=\x07.", 0, 30,
                             "Title \x1b[2J")
    answer = Answer(question="q", answer="a", answerable=True, conflicts=(hostile,))
    with out.capture() as captured:
        print_answer(answer)
    text = captured.get()
    assert "[bold red]9[/]" in text  # shown as text, not applied as markup
    assert "\x1b" not in text
    assert conflict_lines(()) == []
