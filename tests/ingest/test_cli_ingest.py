"""`qa ingest` as a user runs it: what it counts, names that hold line breaks, the file size limit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import SAMPLE

QA = str(Path(sys.executable).with_name("qa"))


def run(*args, store, **env_vars):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update(QA_STORE=str(store), **env_vars)
    return subprocess.run([QA, *map(str, args)], capture_output=True, text=True, env=env, timeout=300)


def test_counts_say_articles_and_files_apart(tmp_path):
    store = tmp_path / "store"
    first = run("ingest", SAMPLE, store=store)  # 8 files, one of them a .jsonl with 2 articles
    assert first.returncode == 0, first.stderr
    summary = first.stdout.splitlines()[-1]
    assert summary.startswith("articles: 9 added, 0 updated, 0 unchanged; files: 8 added, 0 updated, 0 unchanged, 0 failed;")
    assert "wire-briefs.jsonl, 2 articles, " in first.stdout
    again = run("ingest", "--json", SAMPLE, store=store)
    report = json.loads(again.stdout)
    assert report["articles"] == {"added": 0, "updated": 0, "unchanged": 9, "duplicate": 0}
    assert (report["unchanged"], report["added"]) == (8, 0)
    assert [len(f["outcomes"]) for f in report["files"]] == [len(f["articles"]) for f in report["files"]]


def test_non_latin_names_are_three_articles_both_times(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("日本.txt", "中国.txt", "Москва.txt"):
        (folder / name).write_text(f"A report filed as {name} about the harbour board vote.", encoding="utf-8")
    store = tmp_path / "store"
    for expected in ("articles: 3 added", "articles: 0 added, 0 updated, 3 unchanged"):
        result = run("ingest", folder, store=store)
        assert result.returncode == 0 and expected in result.stdout, result.stdout
    ids = sorted(a["id"] for a in json.loads(run("articles", "--json", store=store).stdout))
    assert ids == sorted(["日本", "中国", "москва"])


def test_control_characters_in_names_are_escaped_on_result_lines(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "two\nlines.txt").write_text("The harbour board voted on Tuesday to repair the pier.", encoding="utf-8")
    (folder / "tab\there\x1b[31m.txt").write_bytes(b"\xff\xfe not text")
    result = run("ingest", folder, store=tmp_path / "store")
    lines = result.stdout.splitlines()
    assert len(lines) == 3, lines  # two result lines and the summary: no name broke a line
    assert lines[0].startswith("failed") and "tab␉here␛[31m.txt" in lines[0] and "\x1b" not in result.stdout
    assert lines[1].startswith("added") and "two␊lines.txt" in lines[1]


def test_a_file_over_the_size_limit_fails_before_it_is_read(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    big = folder / "big.txt"
    with big.open("wb") as file:  # sparse: 3 MB that were never written
        file.truncate(3 * 1024 * 1024)
    shutil.copy(SAMPLE / "gaza-ceasefire-talks.md", folder / "good.md")
    result = run("ingest", folder, store=tmp_path / "store", QA_MAX_FILE_MB="2")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    failed = next(line for line in result.stdout.splitlines() if line.startswith("failed"))
    assert failed.endswith("big.txt (file is 3.0 MB, over the 2 MB limit; split it, or raise the limit "
                           "(e.g. QA_MAX_FILE_MB=3))")
    assert "articles: 1 added" in result.stdout
    raised = run("ingest", big, store=tmp_path / "store", QA_MAX_FILE_MB="3")
    assert "over the" not in raised.stdout and "looks like a binary file" in raised.stdout  # read now: zeros


def test_web_addresses_with_files_one_line_each_and_duplicates(tmp_path):
    from web_pages import build_pages
    from web_server import Route, WebServer, rss

    page = build_pages()[0]
    web = WebServer().start()
    try:
        web.routes["/pier-vote.html"] = Route(page.html.encode())
        web.routes["/copy.html"] = Route(f"<html><body><p>Updated 09:15</p><p>{'</p><p>'.join(page.body)}</p></body></html>".encode())
        web.routes["/feed"] = Route(rss([(web.url("/copy.html"), "Copy", "Wed, 18 Jun 2025 07:00:00 GMT"),
                                         (web.url("/nowhere"), "Gone", "Wed, 18 Jun 2025 07:00:00 GMT")]),
                                    "application/rss+xml")
        note = tmp_path / "note.txt"
        note.write_text("A short local note about the harbour board meeting on Tuesday evening.", encoding="utf-8")
        store = tmp_path / "store"
        result = run("ingest", web.url("/pier-vote.html"), note, web.url("/feed"), store=store)
        lines = result.stdout.splitlines()
        assert result.returncode == 1  # one entry's page is missing
        assert lines[0].startswith("added") and lines[0].split()[1] == web.url("/pier-vote.html") + ","
        assert lines[1].startswith("added") and lines[1].endswith("note.txt, 1 chunks")
        assert lines[2].startswith("duplicate") and web.url("/copy.html") in lines[2] and "duplicate of pier-vote (" in lines[2]
        assert lines[3].startswith("failed") and lines[3].endswith("(the server answered HTTP 404 Not Found)")
        assert lines[4].startswith("articles: 2 added, 0 updated, 0 unchanged, 1 duplicate; files and pages: 2 added,")
        kept = run("ingest", "--keep-duplicates", web.url("/copy.html"), store=store)
        assert kept.returncode == 0 and kept.stdout.startswith("added") and "; pages: 1 added," in kept.stdout
        again = run("ingest", web.url("/pier-vote.html"), store=store)
        assert again.stdout.startswith("unchanged")
    finally:
        web.stop()
