"""Upload and path safety: hostile file names, duplicate names, size limits, and where the UI binds."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from qa.ui.uploads import MAX_NAME_BYTES, UploadLimits, safe_name, stage_uploads

ROOMY = UploadLimits(max_file_bytes=10_000, max_total_bytes=100_000)
LONG_NAME = "é" * 200 + ".txt"  # 404 bytes, more than a file system allows


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("/etc/cron.d/evil.md", "evil.md"),
        ("..\\..\\windows\\win.ini.txt", "win.ini.txt"),
        ("report\x00.txt", "report.txt"),
        ("a\nb\rc\x1b[31m.txt", "abc_31m.txt"),
        ("..", "upload"),
        ("", "upload"),
        (".hidden.txt", "hidden.txt"),
        ("$(rm -rf ~);`x`.md", "_(rm -rf _)__x_.md"),
        ("Café Ödön.html", "Café Ödön.html"),
    ],
)
def test_safe_name_keeps_one_harmless_component(raw, expected):
    assert safe_name(raw) == expected


def test_safe_name_cuts_long_names_to_whole_characters_and_keeps_the_extension():
    name = safe_name(LONG_NAME)
    assert name.endswith(".txt") and len(name.encode()) <= MAX_NAME_BYTES
    name.encode("utf-8").decode("utf-8")  # no half character left at the cut


def test_hostile_names_stay_inside_the_upload_folder(tmp_path):
    incoming, folder = tmp_path / "incoming", tmp_path / "upload"
    incoming.mkdir(), folder.mkdir()
    victim = write(tmp_path, "victim.txt", "do not touch")
    names = ["../victim.txt", str(victim), "..\\victim.txt", "evil\x00.txt", LONG_NAME, "/", "..", "."]
    files = [(name, write(incoming, f"src{i}.txt", f"Article {i} body text.")) for i, name in enumerate(names)]
    staged = stage_uploads(files, folder, ROOMY)
    assert all(s.accepted for s in staged), staged
    assert victim.read_text() == "do not touch"
    written = sorted(folder.iterdir())
    assert len(written) == len(names)  # nothing overwritten, nothing written elsewhere
    assert all(p.parent == folder.resolve() or p.parent == folder for p in written)
    assert {p.read_text() for p in written} == {f"Article {i} body text." for i in range(len(names))}
    assert all(len(p.name.encode()) <= MAX_NAME_BYTES + 4 for p in written)
    assert "\x00" not in staged[3].name and staged[3].name == "evil?.txt"


def test_duplicate_names_in_one_upload_get_distinct_files_and_article_ids(tmp_path, open_assistant):
    incoming, folder = tmp_path / "incoming", tmp_path / "upload"
    incoming.mkdir(), folder.mkdir()
    texts = ["The mill reopened in May.", "The ferry stopped in June.", "The bridge closed in July."]
    names = ["news.txt", "news.txt", "NEWS.txt"]
    files = [(n, write(incoming, f"{i}.txt", t)) for i, (n, t) in enumerate(zip(names, texts))]
    staged = stage_uploads(files, folder, ROOMY)
    assert [s.path.name for s in staged] == ["news.txt", "news-2.txt", "NEWS-3.txt"]
    assistant = open_assistant()
    report = assistant.ingest([s.path for s in staged])
    assert [f.status for f in report.files] == ["added"] * 3
    ids = [a for f in report.files for a in f.articles]
    assert len(set(ids)) == 3
    assert sorted(assistant.article(i).text for i in ids) == sorted(texts)


def test_size_limits_refuse_one_file_with_a_reason_and_keep_the_others(tmp_path):
    incoming, folder = tmp_path / "incoming", tmp_path / "upload"
    incoming.mkdir(), folder.mkdir()
    limits = UploadLimits(max_file_bytes=1000, max_total_bytes=1500)
    files = [
        ("small.txt", write(incoming, "a", "x" * 400)),
        ("huge.txt", write(incoming, "b", "y" * 5000)),   # over the per-file limit
        ("medium.txt", write(incoming, "c", "z" * 900)),  # fits alone, not with small (1300) + this
        ("tiny.txt", write(incoming, "d", "w" * 300)),  # 400 + 900 + 300 > 1500
        ("gone.txt", incoming / "missing"),
    ]
    staged = stage_uploads(files, folder, limits)
    assert [s.accepted for s in staged] == [True, False, True, False, False]
    assert "file is 0.0 MB; the limit is 0.0 MB per file (QA_MAX_UPLOAD_MB)" in staged[1].reason
    assert "QA_MAX_UPLOAD_TOTAL_MB" in staged[3].reason and "separate upload" in staged[3].reason
    assert "cannot read the uploaded file" in staged[4].reason
    assert sorted(p.name for p in folder.iterdir()) == ["medium.txt", "small.txt"]


def test_limits_come_from_settings_in_megabytes():
    from qa.settings import Settings

    settings = Settings(max_upload_mb=2, max_upload_total_mb=3)
    limits = UploadLimits.from_mb(settings.max_upload_mb, settings.max_upload_total_mb)
    assert limits == UploadLimits(2 * 1024 * 1024, 3 * 1024 * 1024)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "host, auth, warned",
    [(None, None, False), ("0.0.0.0", None, True), ("0.0.0.0", "admin:s3cret-pass", False)],
)
def test_ui_binds_loopback_by_default_and_warns_when_exposed_without_login(tmp_path, host, auth, warned):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_") and k != "GRADIO_SERVER_NAME"}
    env.update(QA_STORE=str(tmp_path / "store"), QA_PORT=str(_free_port()), QA_UI_EXIT_AFTER_START="1",
               GRADIO_ANALYTICS_ENABLED="False")
    if host:
        env["QA_HOST"] = host
    if auth:
        env["QA_UI_AUTH"] = auth
    run = subprocess.run([sys.executable, str(REPO / "app.py")], env=env, cwd=tmp_path, capture_output=True,
                         text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    assert f"UI served at http://{host or '127.0.0.1'}:" in run.stdout
    assert ("reachable from other machines" in run.stderr) is warned
    if warned:
        assert "QA_UI_AUTH" in run.stderr


def test_browser_upload_with_hostile_duplicate_and_oversized_files(tmp_path):
    """End to end through Gradio's upload: a file over QA_MAX_UPLOAD_MB is refused at the door (the
    page names the file and the limit; nothing is added); the others, sent again without it, each
    get a row; the duplicates become two articles; nothing lands outside the app."""
    from playwright.sync_api import sync_playwright
    from test_ui_browser import CHROMIUM, expect, running_app

    files = [
        {"name": "../../escape-attempt.txt", "mimeType": "text/plain", "buffer": b"The dam opened in May 2024."},
        {"name": "dup.txt", "mimeType": "text/plain", "buffer": b"The ferry carried 9,120 people in August."},
        {"name": "dup.txt", "mimeType": "text/plain", "buffer": b"The quarry shipped 5,600 tonnes of slate."},
        {"name": "big.txt", "mimeType": "text/plain", "buffer": b"The report runs long. " * 200},  # 4.4 KB
    ]
    with running_app(tmp_path / "store", ingest=False, extra_env={"QA_MAX_UPLOAD_MB": "0.004"}) as url, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(url)
        page.get_by_role("tab", name="Library").click()
        expect(page.locator("#qa-upload")).to_contain_text("at most 0.004 MB a file")
        page.locator("#qa-upload input[type=file]").set_input_files(files)
        expect(page.get_by_text("maximum allowed size")).to_contain_text('"big.txt"')
        expect(page.locator("#qa-upload-results")).to_be_hidden()  # nothing was added
        page.locator("#qa-upload input[type=file]").set_input_files(files[:3])
        expect(page.locator("#qa-upload")).to_contain_text("41.0 B")  # the files have landed
        page.locator("#qa-add").click()
        results = page.locator("#qa-upload-results")
        expect(results).to_contain_text("dup-2", timeout=60_000)
        table = results.inner_text()
        assert table.count("added") == 3 and "escape-attempt" in table and "big" not in table
        expect(page.locator("#qa-articles")).to_contain_text("dup-2")
        browser.close()
    assert not (tmp_path.parent / "escape-attempt.txt").exists() and not (REPO / "escape-attempt.txt").exists()
