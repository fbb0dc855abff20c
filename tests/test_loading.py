"""Article loaders: each format, metadata, ids, dates, and every bad-input message."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.errors import ArticleError
from qa.loading import load_file, parse_date, slug, split_front_matter, walk

NEWS_PAGE = """<!doctype html><html><head><title>Site | Port reopens</title>
<meta property="og:title" content="Port reopens after storm">
<meta property="og:site_name" content="Coastal Ledger">
<meta property="article:published_time" content="2025-09-17T08:00:00Z">
<link rel="canonical" href="https://example.org/port"></head>
<body><header><a href="/">Home</a> <a href="/world">World</a></header>
<nav><ul><li>Politics</li><li>Sport</li></ul></nav>
<script>var tracking = "secret-tracker";</script>
<article><h1>Port reopens after storm</h1>
<p>The container terminal reopened on Tuesday after divers found only minor damage.</p>
<p>Three shelters remain open &amp; house 640 people.</p>
<div class="share-buttons">Share on social</div></article>
<aside class="related">Related: Ten things to know</aside>
<footer>Copyright Coastal Ledger</footer></body></html>"""


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_markdown_with_front_matter(tmp_path):
    path = write(tmp_path, "a.md", "---\nid: port-story\ntitle: 'Port reopens'\nOutlet: Ledger\ndate: July 8, 2025\n"
                 "link: https://x.org/a\nauthor: ignored\n---\nFirst line.\r\n\r\nSecond line.\n")
    [a] = load_file(path)
    assert (a.id, a.title, a.source, a.published, a.url) == ("port-story", "Port reopens", "Ledger", "2025-07-08", "https://x.org/a")
    assert a.text == "First line.\n\nSecond line."
    assert a.path == str(path) and len(a.hash) == 64


def test_plain_text_without_front_matter(tmp_path):
    long_first = "Word " * 60
    [a] = load_file(write(tmp_path, "My Story (Draft) 2.txt", long_first + "\nBody."))
    assert a.id == "my-story-draft-2"
    assert a.title.endswith("…") and len(a.title) <= 121
    assert a.text.startswith("Word Word")
    [b] = load_file(write(tmp_path, "note.md", "# Heading here\n\nText."))
    assert b.title == "Heading here"


def test_html_news_page_keeps_article_drops_boilerplate(tmp_path):
    [a] = load_file(write(tmp_path, "Port Page.html", NEWS_PAGE))
    assert a.id == "port-page"
    assert (a.title, a.source, a.url, a.published) == (
        "Port reopens after storm", "Coastal Ledger", "https://example.org/port", "2025-09-17",
    )
    assert "container terminal reopened" in a.text and "Three shelters remain open & house 640 people." in a.text
    for junk in ("Politics", "secret-tracker", "Related", "Copyright", "Share on social", "Home"):
        assert junk not in a.text


def test_json_and_jsonl(tmp_path):
    rows = [{"id": "one", "title": "One", "text": "First article.", "published": "2025-01-02"},
            {"text": "Second article without id.", "source": "Wire"}]
    articles = load_file(write(tmp_path, "feed.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n\n"))
    assert [a.id for a in articles] == ["one", "feed-2"]
    assert articles[1].title == "Second article without id." and articles[1].source == "Wire"
    [single] = load_file(write(tmp_path, "single.json", json.dumps({"text": "Only one.", "title": "T"})))
    assert single.id == "single"
    listed = load_file(write(tmp_path, "list.json", json.dumps(rows)))
    assert len(listed) == 2


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.txt", b"", "file is empty"),
        ("blank.md", b"   \n\n", "file is empty"),
        ("bin.txt", b"\x00\x01\x02abc", "binary"),
        ("latin.txt", "café".encode("latin-1"), "not valid UTF-8 text (invalid byte 0xE9 at offset 3)"),
        ("nav.html", b"<html><body><nav>Home News</nav><script>x()</script></body></html>", "no article text"),
        ("bad.jsonl", b'{"text": "ok"}\n{"text": oops}\n', "line 2: invalid JSON"),
        ("notext.jsonl", b'{"id": "a"}\n', "line 1: missing required field 'text'"),
        ("type.jsonl", b'{"text": 5}\n', "field 'text' must be a string"),
        ("dup.jsonl", b'{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', "duplicate article id 'a' (line 1 and line 2)"),
        ("bad.json", b"[1, 2]", "item 0: expected a JSON object"),
        ("broken.json", b"{", "invalid JSON"),
        ("date.md", b"---\npublished: soon\n---\nText here.", "published: cannot read date 'soon'; use YYYY-MM-DD"),
        ("open.md", b"---\ntitle: x\nText that never closes the block.", "no closing '---'"),
        ("kv.md", b"---\njust words\n---\nText.", "expected 'key: value'"),
        ("doc.pdf", b"%PDF", "unsupported file type '.pdf'"),
    ],
)
def test_bad_files_raise_clear_errors(tmp_path, name, content, message):
    with pytest.raises(ArticleError) as info:
        load_file(write(tmp_path, name, content))
    assert message in str(info.value)


def test_missing_path_and_folder(tmp_path):
    with pytest.raises(ArticleError, match="no such file or folder"):
        load_file(tmp_path / "nope.txt")


def test_latin1_html_with_declared_charset(tmp_path):
    html = '<html><head><meta charset="iso-8859-1"></head><body><p>Le café a rouvert ses portes hier matin à Paris.</p></body></html>'
    [a] = load_file(write(tmp_path, "fr.html", html.encode("latin-1")))
    assert "café" in a.text


def test_walk_is_recursive_sorted_and_skips_hidden_and_unsupported(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("b/z.md", "a.txt", "b/y.html", ".hidden.txt", ".git/c.txt", "notes.pdf"):
        write(tmp_path, name, "x")
    found = [p.relative_to(tmp_path).as_posix() for p in walk([tmp_path])]
    assert found == ["a.txt", "b/y.html", "b/z.md"]
    assert list(walk([tmp_path / "notes.pdf", tmp_path / "missing"])) == [tmp_path / "notes.pdf", tmp_path / "missing"]


@pytest.mark.parametrize(
    "value, iso",
    [("2025-07-08", "2025-07-08"), ("2025-07-08T21:00:00Z", "2025-07-08"), ("2025/7/8", "2025-07-08"),
     ("July 8, 2025", "2025-07-08"), ("8 July 2025", "2025-07-08"), ("Jul 8, 2025", "2025-07-08"),
     ("2025-07-08T21:00:00+02:00", "2025-07-08"), ("", "")],
)
def test_parse_date(value, iso):
    assert parse_date(value) == iso


@pytest.mark.parametrize("value", ["soon", "2025-13-01", "08/07/2025", "yesterday"])
def test_parse_date_rejects(value):
    with pytest.raises(ValueError):
        parse_date(value)


@pytest.mark.parametrize(
    "name, expected",
    [("000_caebc0e7e3d1eba1", "000_caebc0e7e3d1eba1"), ("Harbor Storm (Update)", "harbor-storm-update"),
     ("Café Ünïcode", "cafe-unicode"), ("///", "article")],
)
def test_slug(name, expected):
    assert slug(name) == expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(max_size=400), title=st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=30))
def test_front_matter_round_trip(tmp_path, body, title):
    path = tmp_path / "prop.md"
    path.write_text(f"---\ntitle: {title}\n---\n" + body, encoding="utf-8")
    try:
        [a] = load_file(path)
    except ArticleError:
        return
    _, read_body = split_front_matter(path.read_text(encoding="utf-8"))
    assert a.text == read_body.replace("\r\n", "\n").replace("\r", "\n").strip()
    assert "\r" not in a.text + a.title and a.text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".txt", ".md", ".json", ".jsonl", ".html"]))
def test_arbitrary_bytes_never_crash(tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        articles = load_file(path)
    except ArticleError:
        return
    assert articles and all(a.text and a.text == a.text.strip() for a in articles)
