"""Article loaders: each format, metadata, ids, titles, dates, HTML cleaning, and every bad-input message."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.errors import ArticleError
from qa.ingest.dates import parse_date
from qa.ingest.formats import FORMATS, MAIN_SUFFIXES, SUPPORTED_SUFFIXES, slug
from qa.ingest.html import extract_article
from qa.ingest.loading import load_file, walk

NEWS_PAGE = """<!doctype html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Port reopens after storm | Coastal Ledger</title>
<meta property="og:title" content="Port reopens after storm">
<meta property="og:site_name" content="Coastal Ledger">
<meta property="article:published_time" content="2025-09-17T08:00:00Z">
<link rel="canonical" href="https://example.org/news/port">
<style>.story { color: black; }</style>
<script>var tracking = "secret-tracker";</script>
</head>
<body class="single has-sidebar">
<header class="site-header"><a href="/">Coastal Ledger home</a><p>News for Port Avalen</p></header>
<nav class="site-nav"><ul><li><a href="/politics">Politics desk</a></li><li>Sport scores</li></ul></nav>
<div class="cookie-banner">We use cookies to improve your experience.</div>
<main>
  <article class="story">
    <h1>Port reopens after storm</h1>
    <p class="byline">By <a href="/staff/ana">Ana Ruiz</a></p>
    <p>The container terminal reopened on Tuesday after divers found only
       minor damage to the   quay walls.</p>
    <figure><img src="port.jpg"><figcaption>Photo caption about cranes</figcaption></figure>
    <p>Three shelters remain open &amp; house 640 people, officials said.</p>
    <h2>What comes next</h2>
    <ul><li>Ferries resume on Friday.</li><li>Schools stay closed.</li></ul>
    <blockquote>"We were lucky," the harbour master said.</blockquote>
    <div class="share-buttons"><button>Share on social</button> Email this story</div>
    <script>trackView("port")</script>
  </article>
  <aside class="related"><h3>Related stories</h3><p>Ten things to know about storms</p></aside>
  <section id="comments"><p>Reader comment: first!</p></section>
  <div class="newsletter-signup"><p>Sign up for our morning newsletter</p></div>
</main>
<footer><p>Copyright 2025 Coastal Ledger. All rights reserved.</p></footer>
</body></html>"""

NEWS_LINES = [
    "Port reopens after storm",
    "By Ana Ruiz",
    "The container terminal reopened on Tuesday after divers found only minor damage to the quay walls.",
    "Three shelters remain open & house 640 people, officials said.",
    "What comes next",
    "Ferries resume on Friday.",
    "Schools stay closed.",
    '"We were lucky," the harbour master said.',
]
BOILERPLATE = [
    "Coastal Ledger home",
    "News for Port Avalen",
    "Politics",
    "Sport scores",
    "cookies",
    "caption",
    "Share on social",
    "Email this story",
    "trackView",
    "secret-tracker",
    "color",
    "Related",
    "Ten things",
    "Reader comment",
    "newsletter",
    "Copyright",
]
LOREM = "The council approved the budget after a long debate about schools and roads."


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def load_one(tmp_path: Path, name: str, content: str | bytes):
    [article] = load_file(write(tmp_path, name, content))
    return article


def error_of(tmp_path: Path, name: str, content: str | bytes) -> str:
    with pytest.raises(ArticleError) as info:
        load_file(write(tmp_path, name, content))
    message = str(info.value)
    assert "\n" not in message and str(tmp_path) not in message
    return message


# ----- text and markdown ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["story.md", "story.txt", "story.markdown", "STORY.MD"])
def test_front_matter_fields_aliases_and_quotes(tmp_path, name):
    content = (
        "---\n"
        "# a comment line\n"
        "ID:  port-story \n"
        "title: 'Port   reopens'\n"
        "\n"
        'Outlet: "Coastal Ledger"\n'
        "date: July 8, 2025\n"
        "link: https://x.org/a\n"
        "byline: By Ana Ruiz\n"
        "tags:\n"
        "  - storms\n"
        "- ports\n"
        "---\n"
        "First line.\r\n\r\nSecond line.\n"
    )
    a = load_one(tmp_path, name, content)
    assert (a.id, a.title, a.source, a.published, a.url) == (
        "port-story",
        "Port reopens",
        "Coastal Ledger",
        "2025-07-08",
        "https://x.org/a",
    )
    assert a.author == "Ana Ruiz"  # "byline:" is an alias of "author:", and "By " is not part of the name
    assert a.text == "First line.\n\nSecond line."
    assert a.path == str(tmp_path / name) and len(a.hash) == 64


def test_publisher_alias_and_canonical_key_names(tmp_path):
    a = load_one(
        tmp_path, "a.md", "---\npublisher: Wire\nurl: u\npublished: 2025/7/8\nsource: Later\n---\nBody."
    )
    assert (a.source, a.url, a.published) == ("Later", "u", "2025-07-08")  # the later line wins


@pytest.mark.parametrize(
    "name, content, title, article_id",
    [
        (
            "My Story (Draft) 2.txt",
            "\n\n  First line here.  \nSecond.",
            "First line here.",
            "my-story-draft-2",
        ),
        ("note.md", "# Heading   here\n\nText.", "Heading here", "note"),
        ("note.markdown", "###   Deep heading\nText.", "Deep heading", "note"),
        ("note.md", "#\n\n## Real heading\nText.", "Real heading", "note"),
        ("note.txt", "# Not markdown\nText.", "# Not markdown", "note"),
        ("Café Ünïcode.md", "---\ntitle: Given\n---\nBody.", "Given", "cafe-unicode"),
        ("partial.md", "---\nsource: Wire\n---\n# From body\nText.", "From body", "partial"),
        ("explicit.md", "---\nid: '  Mixed Case id '\n---\nText.", "Text.", "Mixed Case id"),
    ],
)
def test_title_and_id_defaults(tmp_path, name, content, title, article_id):
    a = load_one(tmp_path, name, content)
    assert (a.title, a.id) == (title, article_id)
    assert a.source in ("", "Wire") and a.published == ""


def test_title_truncated_at_word_boundary(tmp_path):
    words = " ".join(f"word{i}" for i in range(40))  # about 270 characters
    a = load_one(tmp_path, "long.txt", words + "\nBody.")
    assert a.title.endswith("…") and len(a.title) <= 120
    assert words.startswith(a.title[:-1]) and words[len(a.title) - 1] == " "  # cut between words
    assert a.text.startswith(words)  # the text keeps the full first line
    exact = "x" * 110 + " " + "y" * 9  # 120 characters: kept whole
    assert load_one(tmp_path, "exact.txt", exact).title == exact
    one_word = load_one(tmp_path, "word.txt", "z" * 300).title
    assert one_word == "z" * 119 + "…"


def test_text_normalisation_only_line_endings_and_outer_whitespace(tmp_path):
    body = "\ufeff \r\n  Line one\twith  spaces.\r\rLine two — “quoted” café.\u00a0 \r\n\r\n"
    a = load_one(tmp_path, "crlf.txt", body.encode("utf-8"))
    assert a.text == "Line one\twith  spaces.\n\nLine two — “quoted” café."
    b = load_one(tmp_path, "crlf.md", "---\r\ntitle: T\r\n---\r\nA\r\nB\r\n")
    assert (b.title, b.text) == ("T", "A\nB")


def test_bom_before_front_matter(tmp_path):
    a = load_one(tmp_path, "bom.md", b"\xef\xbb\xbf---\ntitle: T\n---\nBody text.")
    assert (a.title, a.text) == ("T", "Body text.")


# ----- ids --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, expected",
    [
        ("000_caebc0e7e3d1eba1", "000_caebc0e7e3d1eba1"),
        ("Harbor Storm (Update)", "harbor-storm-update"),
        ("Café Ünïcode", "cafe-unicode"),
        ("--a__b--", "a__b"),
        ("Ærø 東京 news", "ærø-東京-news"),  # letters of any script are kept
        ("Storm - Update", "storm---update"),  # each run of other characters is one '-', as always
        ("日本", "日本"),
        ("中国", "中国"),
        ("Москва", "москва"),
        ("ガス", "ガス"),  # a mark of another script stays: "カス" is another word
        ("हिन्दी", "हिन्दी"),
        ("서울", "서울"),
        ("ﬁle²", "file2"),
        ("///", "article-732c4e97"),  # no letter or digit: a short hash of the name
        ("🙂", "article-d06f1525"),
    ],
)
def test_slug(name, expected):
    assert slug(name) == expected


def test_slug_of_names_without_letters_differ():
    assert len({slug(name) for name in ("///", "🙂", "😀", "!!!", "")}) == 5


# ----- JSON and JSON Lines ----------------------------------------------------------------------
def test_jsonl_records_ids_and_aliases(tmp_path):
    rows = [
        {"id": "one", "title": "One", "text": "First article.", "published": "2025-01-02"},
        {"text": "Second article\r\nwithout id.", "source": " Wire  Service ", "date": "8 July 2025"},
        {"id": 42, "text": "Numeric id.", "url": None},
    ]
    content = "\r\n".join(json.dumps(r) for r in rows[:2]) + "\n\n   \n" + json.dumps(rows[2]) + "\n"
    one, two, three = load_file(write(tmp_path, "feed.jsonl", content))
    assert (one.id, one.title, one.published) == ("one", "One", "2025-01-02")
    assert (two.id, two.title, two.source, two.published) == (
        "feed-2",
        "Second article",
        "Wire Service",
        "2025-07-08",
    )
    assert two.text == "Second article\nwithout id."
    assert (three.id, three.url) == ("42", "")


def test_jsonl_line_separator_inside_string_is_not_a_line_break(tmp_path):
    record = json.dumps({"text": "Before\u2028after, one record."}, ensure_ascii=False)
    [a] = load_file(write(tmp_path, "sep.jsonl", record + "\n"))
    assert a.text == "Before\u2028after, one record." and a.id == "sep"


def test_json_object_and_list(tmp_path):
    single = load_one(tmp_path, "single.json", json.dumps({"text": "Only one.", "title": "T"}))
    assert (single.id, single.title) == ("single", "T")
    rows = [{"text": "A first."}, {"text": "A second.", "id": "custom"}, {"text": "A third."}]
    assert [a.id for a in load_file(write(tmp_path, "list.json", json.dumps(rows)))] == [
        "list-1",
        "custom",
        "list-3",
    ]
    assert [a.id for a in load_file(write(tmp_path, "one.json", json.dumps(rows[:1])))] == ["one"]


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("Ana Ruiz", "Ana Ruiz"),
        (["Ana Ruiz", "Li Wei"], "Ana Ruiz, Li Wei"),
        ([{"name": "Ana Ruiz"}, {"name": "Li Wei", "url": "x"}], "Ana Ruiz, Li Wei"),
        ({"name": "Ana Ruiz"}, "Ana Ruiz"),
    ],
)
def test_json_author_as_a_string_a_list_or_objects_with_a_name(tmp_path, author, expected):
    a = load_one(tmp_path, "a.json", json.dumps({"text": "Body.", "author": author}))
    assert a.author == expected


def test_json_author_that_is_no_name_is_refused_with_the_field_name(tmp_path):
    message = error_of(tmp_path, "a.json", json.dumps({"text": "Body.", "author": 7}))
    assert "'author' must be a string" in message


# ----- HTML -------------------------------------------------------------------------------------
def test_news_page_keeps_article_and_drops_boilerplate(tmp_path):
    a = load_one(tmp_path, "Port Page.html", NEWS_PAGE)
    assert a.id == "port-page"
    assert (a.title, a.source, a.url, a.published) == (
        "Port reopens after storm",
        "Coastal Ledger",
        "https://example.org/news/port",
        "2025-09-17",
    )
    assert a.text.split("\n") == NEWS_LINES
    for junk in BOILERPLATE:
        assert junk not in a.text


@pytest.mark.parametrize(
    "head, body, expected",
    [
        ("<title> Page\n title </title>", "", {"title": "Page title"}),
        ("", "<h1>Heading <em>one</em></h1>", {"title": "Heading one"}),
        ('<meta property="og:url" content="https://o.rg/x">', "", {"url": "https://o.rg/x"}),
        ('<meta name="application-name" content="Daily">', "", {"source": "Daily"}),
        ('<meta name="Date" content="2025-07-08">', "", {"published": "2025-07-08"}),
        ('<meta name="pubdate" content="July 8, 2025">', "", {"published": "July 8, 2025"}),
        (
            '<meta itemprop="datePublished" content="2025-07-08T10:00:00+02:00">',
            "",
            {"published": "2025-07-08T10:00:00+02:00"},
        ),
        (
            "",
            '<time itemprop="datePublished" datetime="2025-07-09">July 9</time>',
            {"published": "2025-07-09"},
        ),
        (
            "",
            '<footer><time datetime="2025-07-10T09:00Z">Jul 10</time></footer>',
            {"published": "2025-07-10T09:00Z"},
        ),
    ],
)
def test_html_metadata_fallbacks(head, body, expected):
    html = f"<html><head>{head}</head><body>{body}<p>{LOREM}</p></body></html>"
    metadata, text = extract_article(html)
    assert set(metadata) == {"title", "source", "url", "published", "author"}
    assert {k: v for k, v in metadata.items() if v} == expected
    assert text.endswith(LOREM)


@pytest.mark.parametrize(
    "body, expected",
    [
        # several <article>: the one with the most paragraph text
        (
            f"<article><p>Teaser card.</p></article><article><p>{LOREM}</p><p>More.</p></article>",
            f"{LOREM}\nMore.",
        ),
        (f"<div><p>Outside text.</p></div><main><h2>Sub</h2><p>{LOREM}</p></main>", f"Sub\n{LOREM}"),
        (f'<div><p>Outside.</p></div><div role="main"><p>{LOREM}</p></div>', LOREM),
        # no semantic container: the element with the most paragraph text
        (f"<div><p>Short.</p></div><div><p>{LOREM}</p><p>{LOREM}</p></div>", f"{LOREM}\n{LOREM}"),
        # text directly in divs, inline tags joined, <br> ends a line
        (
            f"<div>Intro {LOREM} <b>bold</b>er<br>after the break<div>Inner block.</div> tail</div>",
            f"Intro {LOREM} bolder\nafter the break\nInner block.\ntail",
        ),
        (
            f"<div><p>{LOREM}</p><table><tr><td>cell a</td><td>cell b</td></tr></table></div>",
            f"{LOREM}\ncell a cell b",
        ),
        (
            f"<article><p>{LOREM} &lt;tag&gt; &eacute;t&eacute; &#8220;q&#8221;<!-- c --></p></article>",
            f"{LOREM} <tag> été “q”",
        ),
        (
            f'<article><p>{LOREM}</p><p hidden>Hidden.</p><div class="ad-slot">Buy now</div></article>',
            LOREM,
        ),
    ],
)
def test_html_container_and_lines(body, expected):
    assert extract_article(f"<html><body>{body}</body></html>")[1] == expected


def test_html_wrapper_marked_like_a_sidebar_is_kept():
    sidebar = '<div class="sidebar"><p>Side.</p></div>'
    html = f'<body><div class="page with-sidebar"><p>{LOREM}</p>{sidebar}</div></body>'
    assert extract_article(html)[1] == LOREM


def test_html_bad_metadata_date_is_dropped_and_title_falls_back_to_text(tmp_path):
    html = f'<html><head><meta name="date" content="last week"></head><body><p>{LOREM}</p></body></html>'
    a = load_one(tmp_path, "page.htm", html)
    assert (a.published, a.title, a.text) == ("", LOREM, LOREM)


@pytest.mark.parametrize(
    "meta",
    [
        '<meta charset="iso-8859-1">',
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
    ],
)
def test_html_declared_charset(tmp_path, meta):
    french = "Le café a rouvert ses portes hier matin à Paris."
    html = f"<html><head>{meta}</head><body><p>{french}</p></body></html>"
    assert load_one(tmp_path, "fr.html", html.encode("latin-1")).text == french


# ----- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, content, words",
    [
        ("empty.txt", b"", ["file is empty"]),
        ("blank.md", b"  \r\n\n\t", ["file is empty"]),
        ("bom.txt", b"\xef\xbb\xbf \n", ["file is empty"]),
        ("only-front.md", b"---\ntitle: T\n---\n\n", ["file is empty"]),
        ("bin.txt", b"\x00\x01\x02\x03binary", ["looks like a binary file, not text"]),
        ("bin.html", b"<p>\x00</p>", ["binary"]),
        ("utf16.txt", "text".encode("utf-16"), ["UTF-16", "save it as UTF-8"]),
        (
            "latin.txt",
            b"caf\xe9 au lait",
            ["not valid UTF-8 text (invalid byte 0xE9 at offset 3); save it as UTF-8"],
        ),
        ("latin-bom.md", b"\xef\xbb\xbfcaf\xe9", ["invalid byte 0xE9 at offset 6"]),
        ("latin.html", b"<p>caf\xe9 au lait</p>", ["not valid UTF-8 text", "save it as UTF-8"]),
        ("bad-charset.html", b'<meta charset="klingon"><p>caf\xe9</p>', ["unknown charset 'klingon'"]),
        (
            "nav.html",
            b"<html><body><nav>Home News Sport</nav><script>x()</script></body></html>",
            ["no article text found in the HTML page"],
        ),
        ("tiny.html", b"<p>Too short.</p>", ["no article text found"]),
        (
            "doc.pdf",
            b"%PDF-1.4",
            ["unsupported file type '.pdf'", ".html, .json, .jsonl, .markdown, .md, .txt"],
        ),
        ("README", b"text", ["unsupported file type", "no extension"]),
        (
            "open.md",
            b"---\ntitle: x\nText that never closes the block.",
            ["front matter", "no closing '---'"],
        ),
        ("kv.md", b"---\njust words\n---\nText.", ["front matter line 2", "expected 'key: value'"]),
        (
            "date.md",
            b"---\npublished: soon\n---\nText here.",
            ["published: cannot read date 'soon'; use YYYY-MM-DD"],
        ),
        ("emptyid.md", b"---\nid: '  '\n---\nText.", ["id is empty"]),
        ("ctrlid.md", b"---\nid: a\x07b\n---\nText.", ["id contains control characters"]),
        ("longid.md", b"---\nid: " + b"x" * 201 + b"\n---\nText.", ["id is longer than 200 characters"]),
        (
            "bad.jsonl",
            b'{"text": "ok"}\n{"text": "a" "b"}\n',
            ["line 2: invalid JSON (Expecting ',' delimiter at column 14)"],
        ),
        ("notext.jsonl", b'{"text": "ok"}\n\n{"id": "a"}\n', ["line 3: missing required field 'text'"]),
        ("emptytext.jsonl", b'{"text": "  \\n "}\n', ["line 1: field 'text' is empty"]),
        ("type.jsonl", b'{"text": 5}\n', ["line 1: field 'text' must be a string, not a number"]),
        (
            "title.jsonl",
            b'{"text": "t", "title": ["a"]}\n',
            ["line 1: field 'title' must be a string, not a list"],
        ),
        ("array.jsonl", b'["text"]\n', ["line 1: expected a JSON object"]),
        (
            "dup.jsonl",
            b'{"id": "x", "text": "a"}\n{"text": "b"}\n\n{"id": "x", "text": "c"}\n',
            ["duplicate article id 'x' (lines 1 and 4)"],
        ),
        (
            "dupdefault.jsonl",
            b'{"id": "dupdefault-2", "text": "a"}\n{"text": "b"}\n',
            ["duplicate article id"],
        ),
        (
            "baddate.jsonl",
            b'{"text": "t", "published": "soon"}\n',
            ["line 1: published: cannot read date 'soon'"],
        ),
        ("badid.jsonl", b'{"text": "t", "id": "a\\nb"}\n', ["line 1: id contains control characters"]),
        ("sepid.jsonl", b'{"text": "t", "id": "a\\u2028b"}\n', ["line 1: id contains control characters"]),
        ("surrogate.jsonl", b'{"text": "bad \\ud800 escape"}\n', ["line 1: field 'text'", "surrogate"]),
        ("deep.jsonl", b"[" * 100_000 + b"]" * 100_000, ["line 1: invalid JSON"]),
        ("bad.json", b'[{"text": "ok"}, 2]', ["item 2: expected a JSON object", "got a number"]),
        ("item.json", b'[{"text": "ok"}, {"title": "no text"}]', ["item 2: missing required field 'text'"]),
        (
            "dup.json",
            b'[{"id": "x", "text": "a"}, {"id": "x", "text": "b"}]',
            ["duplicate article id 'x' (items 1 and 2)"],
        ),
        (
            "broken.json",
            b'{\n  "text": "a",\n  "id" "b"\n}',
            ["invalid JSON (Expecting ':' delimiter at line 3, column 8)"],
        ),
        ("emptylist.json", b"[]", ["JSON list is empty"]),
        ("scalar.json", b'"just text"', ["expected a JSON object"]),
        ("object.json", b'{"text": ""}', ["field 'text' is empty"]),
    ],
)
def test_bad_files_raise_clear_errors(tmp_path, name, content, words):
    message = error_of(tmp_path, name, content)
    for word in words:
        assert word in message


def test_missing_paths_and_folders(tmp_path):
    with pytest.raises(ArticleError, match="^no such file or folder$"):
        load_file(tmp_path / "nope.txt")
    with pytest.raises(ArticleError, match="^is a folder"):
        load_file(tmp_path)
    (tmp_path / "link.txt").symlink_to(tmp_path / "gone.txt")
    with pytest.raises(ArticleError, match="broken symbolic link"):
        load_file(tmp_path / "link.txt")


def test_permission_denied(tmp_path, monkeypatch):
    path = write(tmp_path, "secret.txt", "text")

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)  # root may read anything: fake the refusal
    with pytest.raises(ArticleError, match=r"^cannot read file \(permission denied\)$"):
        load_file(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(ArticleError, match="not a regular file"):
        load_file(tmp_path / "pipe.txt")


# ----- walk -------------------------------------------------------------------------------------
def test_walk_recursive_sorted_skips_hidden_and_unsupported(tmp_path):
    for name in (
        "b/z.md",
        "a.txt",
        "b/y.HTML",
        "b/c/deep.jsonl",
        ".hidden.txt",
        ".git/c.txt",
        "b/.cache/x.md",
        "notes.pdf",
        "Makefile",
    ):
        write(tmp_path, name, "x")
    found = [p.relative_to(tmp_path).as_posix() for p in walk([tmp_path])]
    assert found == ["a.txt", "b/c/deep.jsonl", "b/y.HTML", "b/z.md"]
    named = [tmp_path / "notes.pdf", str(tmp_path / "missing"), tmp_path / ".hidden.txt"]
    assert list(walk(named)) == [Path(p) for p in named]
    with pytest.raises(ArticleError, match="unsupported file type '.pdf'"):
        load_file(next(walk([tmp_path / "notes.pdf"])))


def test_walk_streams(tmp_path):
    path = write(tmp_path, "a.txt", "x")
    assert list(itertools.islice(walk(itertools.repeat(path)), 3)) == [path] * 3  # endless input is fine


def test_supported_suffixes_come_from_the_one_format_table():
    assert SUPPORTED_SUFFIXES == frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl"})
    assert list(FORMATS) == [".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl"]  # the UI's order
    assert MAIN_SUFFIXES == (".txt", ".md", ".html", ".json", ".jsonl")  # one per format, for help texts
    assert FORMATS[".md"] == FORMATS[".markdown"] and FORMATS[".html"] == FORMATS[".htm"]


# ----- dates ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, iso",
    [
        ("2025-07-08", "2025-07-08"),
        ("2025-07-08T21:00:00Z", "2025-07-08"),
        ("2025-07-08T23:30:00-05:00", "2025-07-08"),  # the date as the outlet wrote it
        ("2025-07-08T21:00:00.123+0200", "2025-07-08"),
        ("2025-07-08 21:00", "2025-07-08"),
        ("2025/07/08", "2025-07-08"),
        ("2025/7/8", "2025-07-08"),
        ("July 8, 2025", "2025-07-08"),
        ("8 July 2025", "2025-07-08"),
        ("Jul 8, 2025", "2025-07-08"),
        ("Sept. 8, 2025", "2025-09-08"),
        ("Tuesday, July 8, 2025", "2025-07-08"),
        ("8th Jul 2025", "2025-07-08"),
        ("Tue, 08 Jul 2025 21:00:00 GMT", "2025-07-08"),
        ("  July   8,\n2025 ", "2025-07-08"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_parse_date(value, iso):
    assert parse_date(value) == iso


@pytest.mark.parametrize(
    "value",
    [
        "soon",
        "2025-13-01",
        "2025-02-30",
        "08/07/2025",
        "yesterday",
        "2025-07-08Tnoon",
        "Ju 8, 2025",
        "July 32, 2025",
        "Someday, July 8, 2025",
        "2025",
        "20250708x",
    ],
)
def test_parse_date_rejects(value):
    with pytest.raises(ValueError):
        parse_date(value)


# ----- properties -------------------------------------------------------------------------------
_VALUE = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\r\n\x00"), max_size=30
)
_ID = (
    st.text(  # quotes excluded: a value wrapped in quotes is unwrapped, which the check would need to mirror
        alphabet=st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp"), exclude_characters="'\""),
        min_size=1,
        max_size=30,
    ).filter(str.strip)
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=400),
    title=_VALUE,
    source=_VALUE,
    article_id=st.none() | _ID,
    published=st.sampled_from(["", "2025-07-08", "July 8, 2025", "2025-07-08T21:00:00Z"]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_front_matter_body_round_trip(tmp_path, body, title, source, article_id, published, newline):
    lines = ["---", f"title: {title}", f"source: {source}", f"published: {published}"]
    lines += [f"id: {article_id}"] if article_id is not None else []
    data = (newline.join([*lines, "---"]) + newline + body).encode("utf-8")
    path = tmp_path / "prop.md"
    path.write_bytes(data)
    expected = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not expected or b"\x00" in data[:8192]:
        with pytest.raises(ArticleError):
            load_file(path)
        return
    [a] = load_file(path)
    assert a.text == expected
    assert a.id == (article_id.strip() if article_id is not None else "prop")
    assert a.published == ("2025-07-08" if published else "")
    assert a.title and a.title == a.title.strip() and "\n" not in a.title
    assert all("\r" not in value for value in (a.id, a.title, a.text, a.source, a.url, a.published))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.binary(max_size=300)
    | st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass"))
    | st.builds(lambda t: json.dumps({"text": t}).encode("utf-8"), st.text(max_size=50)),
    suffix=st.sampled_from([".txt", ".md", ".json", ".jsonl", ".html"]),
)
def test_arbitrary_bytes_give_articles_or_article_error(tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        articles = load_file(path)
    except ArticleError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert articles
    for a in articles:
        assert a.text and a.text == a.text.strip() and a.id
        assert all("\r" not in value for value in (a.id, a.title, a.text, a.source, a.url, a.published))
        assert len(a.hash) == 64  # the text can be encoded (no unpaired surrogates)


def test_a_file_over_the_size_limit_fails_before_it_is_opened(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    with big.open("wb") as file:
        file.truncate(3 * 1024 * 1024 + 1)  # sparse: nothing to read anyway
    small = write(tmp_path, "small.txt", "A short article.")

    def never(self, *args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", never)
    with pytest.raises(ArticleError, match=r"^file is 3\.0 MB, over the 2 MB limit; .*\(e\.g\. QA_MAX_FILE_MB=4\)$"):
        load_file(big, max_bytes=2 * 1024 * 1024)
    monkeypatch.undo()
    assert load_file(small, max_bytes=16)[0].text == "A short article."  # 16 bytes: at the limit


def test_a_file_that_grows_past_the_limit_while_read_fails(tmp_path, monkeypatch):
    path = write(tmp_path, "growing.txt", "x" * 100)
    real_stat = Path.stat
    monkeypatch.setattr(Path, "stat", lambda self, **kw: os.stat_result((*real_stat(self, **kw)[:6], 10, 0, 0, 0)))
    with pytest.raises(ArticleError, match=r"^file is more than 0\.0 MB, over the"):
        load_file(path, max_bytes=50)
