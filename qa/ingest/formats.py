"""The article file formats and how each is read: `FORMATS` (at the end) maps a file suffix to
its reader and a label. Adding a format is one row there: loading, the `qa ingest` help and the
web UI's upload picker all take their suffixes from it.

A reader turns a file's bytes into articles or raises `ArticleError` with a one-line message
that says what is wrong and what to do (the caller adds the path). The stored text is normalised
only in deterministic ways (line endings, surrounding whitespace), because citations index into it.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.errors import ArticleError
from qa.ingest.dates import parse_date
from qa.text.clean import one_line
from qa.types import Article

SNIFF_BYTES = 8192  # how much of a file is looked at to tell what it holds
_FIELDS = ("id", "title", "source", "url", "published", "author")
_ALIASES = {"date": "published", "link": "url", "outlet": "source", "publisher": "source",
            "byline": "author", "by": "author", "creator": "author"}
_MAX_TITLE = 120
_MAX_ID = 200
_MIN_HTML_WORD_CHARS = 20


def slug(name: str) -> str:
    """A lower-case id made of the name's letters, digits, '_' and '-', runs of anything else
    becoming one '-' ("Harbor Storm (Update)" -> "harbor-storm-update", "Москва" -> "москва",
    "日本" -> "日本"). Accents on Latin letters are dropped ("Café" -> "cafe", as ids always were);
    the marks of other scripts are part of their letters and stay. A name with no letter or digit
    at all ("!!!", "🙂") gets "article-" and a short hash of the name, so different names still
    give different ids."""
    kept: list[str] = []
    base_is_ascii = False
    for c in unicodedata.normalize("NFKD", name):
        if unicodedata.category(c).startswith("M"):
            if base_is_ascii:
                continue  # "e" + U+0301 -> "e"; "カ" + U+3099 stays "ガ" after NFC below
        else:
            base_is_ascii = c.isascii()
        kept.append(c)
    text = unicodedata.normalize("NFC", "".join(kept)).lower()
    # as before: each run of other characters becomes one "-" ("a -- b" -> "a----b" stays stable)
    words = "".join(c if c.isalnum() or c in "_-" or unicodedata.category(c).startswith("M") else "\0" for c in text)
    result = re.sub("\0+", "-", words).strip("-")
    if result:
        return result
    digest = hashlib.sha256(unicodedata.normalize("NFC", name).encode("utf-8", "surrogatepass")).hexdigest()
    return f"article-{digest[:8]}"


def default_ids(path: Path, count: int) -> tuple[str, ...]:
    """The ids a file's articles get when it names none: its name's slug, numbered when the file
    holds several articles ("feed.jsonl" -> "feed-1", "feed-2", ...)."""
    stem = slug(path.stem)
    return (stem,) if count == 1 else tuple(f"{stem}-{n}" for n in range(1, count + 1))


# ----- decoding -----------------------------------------------------------------------------
def _decode(data: bytes) -> str:
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + len(data) - len(body)
        raise ArticleError(
            f"not valid UTF-8 text (invalid byte 0x{data[offset]:02X} at offset {offset}); save it as UTF-8"
        ) from None
    if not text.strip():
        raise ArticleError("file is empty")
    return text


_DECLARED_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)


def _decode_html(data: bytes) -> str:
    """UTF-8, else the charset the page declares in a <meta> tag."""
    try:
        return _decode(data)
    except ArticleError as not_utf8:
        declared = _DECLARED_CHARSET.search(data[:SNIFF_BYTES])
        if declared is None:
            raise
        name = declared[1].decode("ascii")
        try:
            codec = codecs.lookup(name)
        except LookupError:
            raise ArticleError(f"unknown charset '{name}' declared in the page; save it as UTF-8") from None
        if codec.name.startswith(("utf-8", "utf-16", "utf-32")):  # ASCII-readable <meta>: not UTF-16/32
            raise not_utf8 from None
        try:
            text = data.decode(codec.name)  # LookupError for non-text codecs such as rot13 or hex
            text.encode("utf-8")  # some codecs yield unpaired surrogates
        except (LookupError, UnicodeError):
            raise ArticleError(f"not valid {name} text, as the page declares; save it as UTF-8") from None
        if not text.strip():
            raise ArticleError("file is empty") from None
        return text


# ----- building articles --------------------------------------------------------------------
def normalise_text(text: str) -> str:
    """The stored form of a text: "\\n" line endings, no surrounding whitespace. Nothing else."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _title_from(text: str, markdown: bool) -> str:
    """The first non-empty line, without markdown heading marks, cut at a word to 120 chars."""
    for line in text.split("\n"):
        title = one_line(line.lstrip(" \t#") if markdown else line)
        if title:
            break
    else:
        return ""
    if len(title) <= _MAX_TITLE:
        return title
    head = title[: _MAX_TITLE - 1]  # room for the ellipsis
    if title[_MAX_TITLE - 1] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:-") + "…"


def _check_id(raw: Any) -> str:
    article_id = str(raw).strip()
    if not article_id:
        raise ArticleError("id is empty; give a non-empty id or leave it out")
    if len(article_id) > _MAX_ID:
        raise ArticleError(f"id is longer than {_MAX_ID} characters; use a shorter id")
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in article_id):
        raise ArticleError("id contains control characters or line breaks; use plain text")
    return article_id


def _article(
    path: Path | str, text: str, fields: dict[str, str], default_id: str, markdown: bool = False
) -> Article:
    """An Article from raw text and metadata; `fields` holds only the fields that were given
    (always strings, so one_line's None-as-"" never applies)."""
    text = normalise_text(text)
    if not text:
        raise ArticleError("file is empty")
    article_id = _check_id(fields["id"]) if "id" in fields else default_id
    raw_date = one_line(fields.get("published", ""))
    try:
        published = parse_date(raw_date)
    except ValueError:
        raise ArticleError(f"published: cannot read date {raw_date!r}; use YYYY-MM-DD") from None
    return Article(
        id=article_id,
        title=one_line(fields.get("title", "")) or _title_from(text, markdown),
        text=text,
        source=one_line(fields.get("source", "")),
        url=one_line(fields.get("url", "")),
        published=published,
        path=str(path),
        author=_author(fields.get("author", "")),
    )


def _names(value: Any) -> Any:
    """A JSON author as one string: a list of names (or of {"name": ...}) joined by ", "; other
    values as they are (a non-string is then refused with the field's name)."""
    items = value if isinstance(value, list) else [value]
    names = [item.get("name") if isinstance(item, dict) else item for item in items]
    if names and all(isinstance(n, str) for n in names):
        return ", ".join(n.strip() for n in names if n and n.strip())
    return value


def _author(byline: str) -> str:
    """A byline as a name: "By Ana Ruiz" -> "Ana Ruiz"."""
    return re.sub(r"^by\s+", "", one_line(byline), flags=re.IGNORECASE)


# ----- text and markdown --------------------------------------------------------------------
def _split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Front matter (`---` / key: value lines / `---`) at the very top, and the body after it."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[0].strip() != "---":
        return {}, text
    closing = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if closing is None:
        raise ArticleError("front matter opens with '---' but has no closing '---' line; add one")
    fields: dict[str, str] = {}
    for number, line in enumerate(lines[1:closing], start=2):
        stripped = line.strip()
        # blank lines, comments, and YAML list items or indented continuations (of unknown keys)
        if not stripped or stripped.startswith(("#", "- ")) or line[0] in " \t":
            continue
        key, colon, value = stripped.partition(":")
        if not colon:
            raise ArticleError(f"front matter line {number}: expected 'key: value', got {stripped[:40]!r}")
        key = key.strip().lower()
        key = _ALIASES.get(key, key)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if key in _FIELDS:
            fields[key] = value
    return fields, "\n".join(lines[closing + 1 :])


def _text_article(path: Path, text: str, markdown: bool) -> Article:
    fields, body = _split_front_matter(text)
    return _article(path, body, fields, default_ids(path, 1)[0], markdown)


def _read_text(path: Path, data: bytes) -> list[Article]:
    return [_text_article(path, _decode(data), markdown=False)]


def _read_markdown(path: Path, data: bytes) -> list[Article]:
    return [_text_article(path, _decode(data), markdown=True)]


# ----- HTML ---------------------------------------------------------------------------------
def _read_html(path: Path, data: bytes) -> list[Article]:
    return [html_article(path, data, default_ids(path, 1)[0])]


def html_article(
    source: Path | str, data: bytes, default_id: str, charset: str = "", fallback: dict[str, str] | None = None
) -> Article:
    """The article of an HTML page. `charset`: the one the server named (else UTF-8, else the
    page's <meta>); `fallback`: metadata used where the page has none (a feed entry's date)."""
    from qa.ingest.html import extract_article  # bs4/lxml load only when a page is read

    metadata, text = extract_article(_decode_declared(data, charset) if charset else _decode_html(data))
    if len(re.findall(r"\w", text)) < _MIN_HTML_WORD_CHARS:
        raise ArticleError(
            "no article text found in the HTML page (only navigation, scripts or too little text); "
            "save the article text as .txt instead"
        )
    try:
        parse_date(metadata.get("published", ""))
    except ValueError:  # a page's own odd timestamp should not lose the article
        metadata = {**metadata, "published": ""}
    fields = {k: v for k, v in (fallback or {}).items() if v}
    fields.update({k: v for k, v in metadata.items() if v and k in _FIELDS and k != "id"})
    return _article(source, text, fields, default_id)


def text_article(source: str, data: bytes, default_id: str, charset: str = "") -> Article:
    """A plain-text document (a web server's text/plain), read as a .txt file is."""
    text = _decode_declared(data, charset) if charset else _decode(data)
    fields, body = _split_front_matter(text)
    return _article(source, body, fields, default_id)


def _decode_declared(data: bytes, charset: str) -> str:
    """Text in the charset a server declared; UTF-8 rules when the bytes are valid UTF-8."""
    try:
        return _decode(data)
    except ArticleError:
        try:
            text = data.decode(codecs.lookup(charset).name)
        except (LookupError, UnicodeError):
            raise ArticleError(f"not valid {charset} text, as the server declares") from None
        if not text.strip():
            raise ArticleError("file is empty") from None
        return text


# ----- JSON and JSON Lines ------------------------------------------------------------------
def _unpaired_surrogate(value: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in value)


_JSON_TYPES = {dict: "an object", list: "a list", bool: "true/false", int: "a number", float: "a number"}


def _record_fields(record: Any) -> tuple[str, dict[str, str]]:
    """(text, given metadata fields) of one JSON record; ArticleError (without position) if bad."""
    if not isinstance(record, dict):
        got = _JSON_TYPES.get(type(record), "a string")
        raise ArticleError(f"expected a JSON object with a 'text' field, got {got}")
    record = {**{_ALIASES[k]: v for k, v in record.items() if k in _ALIASES}, **record}
    if record.get("text") is None:
        raise ArticleError("missing required field 'text'")
    fields = {}
    for name in ("text", *_FIELDS):
        value = record.get(name)
        if value is None:
            continue
        if name == "id" and type(value) is int:
            value = str(value)  # numeric ids are common in feeds
        if name == "author":
            value = _names(value)  # feeds and exports often give a list, or {"name": ...}
        if not isinstance(value, str):
            raise ArticleError(f"field '{name}' must be a string, not {_JSON_TYPES.get(type(value), 'that')}")
        if _unpaired_surrogate(value):
            raise ArticleError(f"field '{name}' has an invalid \\u escape (an unpaired surrogate)")
        fields[name] = value
    text = fields.pop("text")
    if not text.strip():
        raise ArticleError("field 'text' is empty")
    return text, fields


def _records_to_articles(path: Path, kind: str, records: list[tuple[int, Any]]) -> list[Article]:
    """Articles from (line or item number, record) pairs; any bad record fails the whole file.
    `kind` ("line", "item", or "" for a lone object) names positions in messages."""
    articles: list[Article] = []
    seen: dict[str, int] = {}
    for default_id, (number, record) in zip(default_ids(path, len(records)), records):
        try:
            text, fields = _record_fields(record)
            article = _article(path, text, fields, default_id)
        except ArticleError as exc:
            raise ArticleError(f"{kind} {number}: {exc}" if kind else str(exc)) from None
        if article.id in seen:
            raise ArticleError(
                f"duplicate article id {article.id!r} ({kind}s {seen[article.id]} and {number}); "
                "ids must be unique"
            )
        seen[article.id] = number
        articles.append(article)
    return articles


def _json_error(exc: ValueError | RecursionError, line_too: bool) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at {f'line {exc.lineno}, ' if line_too else ''}column {exc.colno}"
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc)


def _read_json(path: Path, data: bytes) -> list[Article]:
    try:
        parsed = json.loads(_decode(data))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise ArticleError(f"invalid JSON ({_json_error(exc, line_too=True)})") from None
    if isinstance(parsed, dict):
        return _records_to_articles(path, "", [(1, parsed)])
    if isinstance(parsed, list) and parsed:
        return _records_to_articles(path, "item", list(enumerate(parsed, start=1)))
    if isinstance(parsed, list):
        raise ArticleError("the JSON list is empty; add article objects with a 'text' field")
    raise ArticleError("expected a JSON object with a 'text' field, or a list of such objects")


def _read_jsonl(path: Path, data: bytes) -> list[Article]:
    text, records = _decode(data), []
    # split on line feeds only: str.splitlines() would also split at U+2028 inside JSON strings
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            records.append((number, json.loads(line)))
        except (ValueError, RecursionError) as exc:
            raise ArticleError(f"line {number}: invalid JSON ({_json_error(exc, line_too=False)})") from None
    return _records_to_articles(path, "line", records)


# ----- the table ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Format:
    label: str  # suffixes with the same label are one format (".md" and ".markdown")
    read: Callable[[Path, bytes], list[Article]]  # (path, file bytes) -> its articles


# Lower-case suffix -> format; the order is the order users see them in.
FORMATS: dict[str, Format] = {
    ".txt": Format("plain text", _read_text),
    ".md": Format("Markdown", _read_markdown),
    ".markdown": Format("Markdown", _read_markdown),
    ".html": Format("HTML", _read_html),
    ".htm": Format("HTML", _read_html),
    ".json": Format("JSON", _read_json),
    ".jsonl": Format("JSON Lines", _read_jsonl),
}
SUPPORTED_SUFFIXES = frozenset(FORMATS)


def _first_suffix_of_each_format() -> tuple[str, ...]:
    first: dict[str, str] = {}
    for suffix, fmt in FORMATS.items():
        first.setdefault(fmt.label, suffix)
    return tuple(first.values())


# For short help texts: ".txt .md .html .json .jsonl".
MAIN_SUFFIXES = _first_suffix_of_each_format()
