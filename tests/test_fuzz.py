"""Property-based fuzzing of the loaders (txt, md, html, json, jsonl), the HTML extractor and the
citation aligner. Arbitrary bytes and unicode either load or fail with `ArticleError` (one line);
the offset invariants always hold:
- every chunk: article.text[start:end] == chunk.text
- every citation: article.text[start:end] == citation.quote

Default runs are a few hundred examples per property; `pytest --long` runs ten times as many.
How many inputs were fuzzed is printed and written to test-artifacts/fuzz.json."""

import json
import os
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from qa.answer.citations import align, align_fuzzy, verify
from qa.answer.parsing import RawCitation
from qa.errors import ArticleError
from qa.ingest.chunking import chunk_text
from qa.ingest.html import extract_article
from qa.ingest.loading import load_file, normalise_text
from qa.types import Article, RetrievedChunk

pytestmark = pytest.mark.long
ARTIFACTS = Path(os.environ.get("QA_TEST_ARTIFACTS", REPO / "test-artifacts"))
FUZZED: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def report_counts(long_run):
    yield
    total = sum(FUZZED.values())
    print(f"\nfuzzed inputs: {total} ({dict(FUZZED)})")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "fuzz.json").write_text(json.dumps({"long": long_run, "total": total, "by_property": FUZZED},
                                                    indent=2), encoding="utf-8")


def examples(long_run: bool) -> settings:
    return settings(max_examples=3000 if long_run else 300, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


# ----- strategies -----------------------------------------------------------------------------
ANY_CHAR = st.characters(codec=None)  # every code point, surrogates included
TRICKY = st.sampled_from(["\r\n", "\r", "\n", "\x00", "\ufeff", "\u2028", "\u202e", "\u200b", " ", "\t", "---",
                          ":", "#", "\"", "'", "<", ">", "&", "{", "}", "[", "]", "\\", ". ", "Mr. ", "…", "é"])
TEXT = st.lists(st.one_of(st.text(ANY_CHAR, max_size=30), TRICKY), max_size=40).map("".join)


def _encode(text: str, how: str) -> bytes:
    data = text.encode("utf-8", "surrogatepass")  # lone surrogates make invalid UTF-8
    return {"plain": data, "bom": b"\xef\xbb\xbf" + data, "latin1": text.encode("latin-1", "replace")}[how]


TEXT_BYTES = st.builds(_encode, TEXT, st.sampled_from(["plain", "bom", "latin1"]))
FRONT_MATTER = st.builds(
    lambda pairs, body, close: "---\n" + "".join(f"{k}: {v}\n" for k, v in pairs) + ("---\n" if close else "") + body,
    st.lists(st.tuples(st.sampled_from(["id", "title", "source", "url", "published", "date", "x", " id", ""]), TEXT),
             max_size=6),
    TEXT, st.booleans(),
).map(lambda t: t.encode("utf-8", "surrogatepass"))
JSON_LEAF = st.none() | st.booleans() | st.integers() | st.floats() | st.text(ANY_CHAR, max_size=40)
JSON_VALUE = st.recursive(JSON_LEAF, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
RECORD = st.fixed_dictionaries(
    {"text": st.one_of(TEXT, JSON_VALUE)},
    optional={k: st.one_of(TEXT, JSON_VALUE) for k in ("id", "title", "source", "url", "published", "date")},
)


def _json_bytes(value, ascii_only: bool) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only, allow_nan=True).encode("utf-8", "surrogatepass")


JSON_BYTES = st.builds(_json_bytes, st.one_of(RECORD, st.lists(RECORD, max_size=4), JSON_VALUE), st.booleans())
JSONL_BYTES = st.lists(st.one_of(st.builds(_json_bytes, RECORD, st.booleans()), st.binary(max_size=20)),
                       max_size=5).map(lambda lines: b"\n".join(lines))
TAGS = ["p", "div", "article", "main", "nav", "script", "style", "h1", "li", "ul", "br", "td", "tr", "table", "span",
        "a", "b", "time", "meta", "title", "aside", "footer", "section", "template", "pre", "!--", "![CDATA["]
ATTRS = st.sampled_from(['', ' class="sidebar"', ' role="main"', ' hidden', ' id="nav"', ' itemprop="datePublished"',
                         ' datetime="2025-07-08"', ' property="og:title" content="T"', ' charset="latin-1"',
                         ' charset="rot13"', ' class="page has-sidebar"', ' onclick="x()"'])


@st.composite
def html_pages(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 30))):
        kind = draw(st.integers(0, 3))
        tag = draw(st.sampled_from(TAGS))
        if kind == 0:
            parts.append(f"<{tag}{draw(ATTRS)}>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        else:
            parts.append(draw(TEXT))
    return "".join(parts)


HTML_BYTES = st.builds(_encode, html_pages(), st.sampled_from(["plain", "plain", "bom", "latin1"]))
INPUTS = {
    ".txt": st.one_of(st.binary(max_size=500), TEXT_BYTES, FRONT_MATTER),
    ".md": st.one_of(TEXT_BYTES, FRONT_MATTER),
    ".html": st.one_of(HTML_BYTES, st.binary(max_size=300)),
    ".json": st.one_of(JSON_BYTES, st.binary(max_size=200)),
    ".jsonl": st.one_of(JSONL_BYTES, JSON_BYTES),
}


def check_article(article: Article) -> None:
    assert isinstance(article.text, str) and article.text == normalise_text(article.text) and article.text
    assert "\r" not in article.text and article.id and article.id == article.id.strip()
    for size, overlap in ((16, 4), (160, 30)):
        for chunk in chunk_text(article.id, article.text, size, overlap):
            assert article.text[chunk.start : chunk.end] == chunk.text and chunk.text


# ----- loaders --------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", sorted(INPUTS))
def test_loaders_give_articles_with_exact_chunk_offsets_or_article_error(tmp_path, long_run, suffix):
    path = tmp_path / f"fuzz{suffix}"

    @examples(long_run)
    @given(data=INPUTS[suffix])
    def run(data: bytes) -> None:
        FUZZED[f"load{suffix}"] += 1
        path.write_bytes(data)
        try:
            articles = load_file(path)
        except ArticleError as exc:
            assert str(exc) and "\n" not in str(exc)
            return
        assert articles and len({a.id for a in articles}) == len(articles)
        for article in articles:
            check_article(article)

    run()


def test_json_record_text_is_stored_as_given(tmp_path, long_run):
    path = tmp_path / "fuzz.json"

    @examples(long_run)
    @given(text=TEXT, ascii_only=st.booleans())
    def run(text: str, ascii_only: bool) -> None:
        FUZZED["json-text-round-trip"] += 1
        path.write_bytes(_json_bytes({"id": "a", "text": text}, ascii_only))
        try:
            [article] = load_file(path)
        except ArticleError as exc:
            assert "\n" not in str(exc)
            assert not normalise_text(text) or any("\ud800" <= c <= "\udfff" for c in text) or not ascii_only
            return
        assert article.text == normalise_text(text)
        check_article(article)

    run()


def test_html_extractor_never_crashes_and_gives_clean_lines(long_run):
    # Decoded files never hold lone surrogates (load_file refuses them), so pages here do not either.
    @examples(long_run)
    @given(page=html_pages().map(lambda page: page.encode("utf-8", "replace").decode("utf-8")))
    def run(page: str) -> None:
        FUZZED["extract_article"] += 1
        metadata, text = extract_article(page)
        assert set(metadata) == {"title", "source", "url", "published", "author"}
        for line in text.split("\n") if text else []:
            assert line and line == " ".join(line.split())

    run()


# ----- the citation aligner -----------------------------------------------------------------
EDITS = st.lists(st.tuples(st.sampled_from(["delete", "insert", "replace", "space", "quote", "case"]),
                           st.integers(0, 10_000), st.characters()), max_size=3)


def _mutate(quote: str, edits) -> str:
    for kind, at, char in edits:
        at = at % (len(quote) + 1)
        if kind == "delete" and quote:
            quote = quote[:at] + quote[at + 1 :]
        elif kind == "insert":
            quote = quote[:at] + char + quote[at:]
        elif kind == "replace" and at < len(quote):
            quote = quote[:at] + char + quote[at + 1 :]
        elif kind == "space":
            quote = quote[:at] + "  \n" + quote[at:]
        elif kind == "quote":
            quote = quote.replace('"', "“").replace("'", "’").replace("-", "—")
        elif kind == "case":
            quote = quote.swapcase()
    return quote


ARTICLE_TEXT = st.lists(st.one_of(st.text(max_size=30), TRICKY,
                                  st.sampled_from(["The ferry carried 9,120 passengers in August.", "“Yes,” she said — twice."])),
                        min_size=1, max_size=30).map("".join).map(normalise_text).filter(bool)


def _chunk(article: Article, start: int, end: int) -> RetrievedChunk:
    return RetrievedChunk(chunk_id=f"{article.id}#0", article_id=article.id, title=article.title, source="",
                          published="", url="", start=start, end=end, text=article.text[start:end], score=1.0)


def test_citation_quotes_are_always_verbatim_at_their_offsets(long_run):
    @examples(long_run)
    @given(text=ARTICLE_TEXT, other=ARTICLE_TEXT, data=st.data(), edits=EDITS, source=st.integers(-1, 4))
    def run(text: str, other: str, data, edits, source: int) -> None:
        FUZZED["verify"] += 1
        articles = {"a": Article(id="a", title="A", text=text), "b": Article(id="b", title="B", text=other)}
        start = data.draw(st.integers(0, len(text) - 1))
        end = data.draw(st.integers(start + 1, len(text)))
        quote = _mutate(text[start:end], edits)
        sources = [_chunk(articles["b"], 0, len(other)), _chunk(articles["a"], start, end)]
        citations, unverified = verify([RawCitation(source, quote)], sources, articles.get)
        assert len(citations) + len(unverified) == 1
        for c in citations:
            article = articles[c.article_id]
            assert 0 <= c.start < c.end <= len(article.text)
            assert article.text[c.start : c.end] == c.quote
            assert c.source_number == [s.article_id for s in sources].index(c.article_id) + 1
        if not edits and text[start:end].strip(" \t\n\"“”'‘’"):
            # an untouched quote is always found, verbatim unless the source it names matches loosely
            assert citations and (citations[0].match == "exact" or citations[0].source_number == source)

    run()


def test_align_and_fuzzy_stay_inside_the_text(long_run):
    @examples(long_run)
    @given(text=ARTICLE_TEXT, quote=TEXT, hint=st.integers(-5, 10_000))
    def run(text: str, quote: str, hint: int) -> None:
        FUZZED["align"] += 1
        for found in (align(text, quote, hint), align_fuzzy(text, quote)):
            if found is not None:
                assert 0 <= found[0] < found[1] <= len(text)

    run()
