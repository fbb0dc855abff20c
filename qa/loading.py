"""Read article files: .txt/.md (optional front matter), .html, .json and .jsonl.

`load_file` returns the articles a file holds or raises `ArticleError` with a message that says
what is wrong and what to do. The stored text is normalised only in ways that are deterministic
(line endings, surrounding whitespace), because citations index into it.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from qa.errors import ArticleError
from qa.types import Article

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl"})
FIELDS = ("id", "title", "source", "url", "published")
_ALIASES = {"date": "published", "link": "url", "outlet": "source", "publisher": "source"}
_MAX_TITLE = 120
_MAX_ID = 200


def walk(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files to read, in a stable order. Folders are walked recursively (hidden entries and
    unsupported suffixes skipped); named files and missing paths are passed on as given."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _walk_folder(path)
        else:
            yield path


def _walk_folder(folder: Path) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        yield folder  # load_file reports why it cannot be read
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            yield from _walk_folder(path)
        elif path.suffix.lower() in SUPPORTED_SUFFIXES:
            yield path


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9_-]+", "-", ascii_name.lower()).strip("-") or "article"


_MONTH_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y")


def parse_date(value: str) -> str:
    """An ISO date 'YYYY-MM-DD' from common spellings; ValueError when unreadable."""
    value = " ".join(str(value).split())
    if not value:
        return ""
    iso = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?", value)
    if iso:
        return date(int(iso[1]), int(iso[2]), int(iso[3])).isoformat()
    for fmt in _MONTH_FORMATS:
        try:
            return datetime.strptime(value.replace("Sept ", "Sep "), fmt).date().isoformat()
        except ValueError:
            continue
    raise ValueError(f"cannot read date {value!r}")


def load_file(path: Path) -> list[Article]:
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists() and not path.is_symlink():
        raise ArticleError("no such file or folder")
    if path.is_dir():
        raise ArticleError("cannot read this folder (permission denied?)")
    if suffix not in SUPPORTED_SUFFIXES:
        raise ArticleError(
            f"unsupported file type '{suffix or '(none)'}' (supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})"
        )
    try:
        data = path.read_bytes()
    except PermissionError:
        raise ArticleError("cannot read file (permission denied)") from None
    except OSError as exc:
        raise ArticleError(f"cannot read file ({exc.strerror or exc})") from None
    if not data.strip():
        raise ArticleError("file is empty")
    if b"\x00" in data[:8192]:
        raise ArticleError("looks like a binary file, not text")
    if suffix in (".html", ".htm"):
        return [_html_article(path, _decode_html(data))]
    text = _decode(data)
    if suffix == ".json":
        return _json_articles(path, text)
    if suffix == ".jsonl":
        return _jsonl_articles(path, text)
    return [_text_article(path, text, markdown=suffix != ".txt")]


# ----- decoding and normalising -------------------------------------------------------------
def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"not valid UTF-8 text (invalid byte 0x{data[exc.start]:02X} at offset {exc.start}); "
            "save it as UTF-8"
        ) from None


def _decode_html(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        declared = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", data[:4096], re.IGNORECASE)
        if declared:
            try:
                return data.decode(declared.group(1).decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                pass
        return _decode(data)


def normalise_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _one_line(value: Any) -> str:
    return " ".join(str(value).split())


def _title_from(text: str, markdown: bool) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if markdown:
        first = first.lstrip("#").strip()
    first = _one_line(first)
    if len(first) <= _MAX_TITLE:
        return first
    cut = first[:_MAX_TITLE].rsplit(" ", 1)[0] or first[:_MAX_TITLE]
    return cut.rstrip(" ,;:-") + "…"


def _article(path: Path, text: str, fields: dict[str, Any], default_id: str, markdown: bool = False) -> Article:
    text = normalise_text(text)
    if not text:
        raise ArticleError("file is empty")
    article_id = _one_line(fields.get("id") or "") or default_id
    if len(article_id) > _MAX_ID or any(unicodedata.category(c) == "Cc" for c in article_id):
        raise ArticleError(f"id {article_id[:40]!r}: ids must be at most {_MAX_ID} characters, no control characters")
    try:
        published = parse_date(_one_line(fields.get("published") or ""))
    except ValueError:
        raise ArticleError(f"published: cannot read date {str(fields.get('published'))!r}; use YYYY-MM-DD") from None
    return Article(
        id=article_id,
        title=_one_line(fields.get("title") or "") or _title_from(text, markdown),
        text=text,
        source=_one_line(fields.get("source") or ""),
        url=_one_line(fields.get("url") or ""),
        published=published,
        path=str(path),
    )


# ----- formats ------------------------------------------------------------------------------
def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Front matter (`---` / key: value lines / `---`) at the top of a text file, and the body."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    closing = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if closing is None:
        raise ArticleError("front matter starts with '---' but has no closing '---' line")
    fields: dict[str, str] = {}
    for number, line in enumerate(lines[1:closing], start=2):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition(":")
        if not sep:
            raise ArticleError(f"front matter line {number}: expected 'key: value', got {stripped[:40]!r}")
        key = _ALIASES.get(key.strip().lower(), key.strip().lower())
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if key in FIELDS:
            fields[key] = value
    return fields, "\n".join(lines[closing + 1 :])


def _text_article(path: Path, text: str, markdown: bool) -> Article:
    fields, body = split_front_matter(text)
    return _article(path, body, fields, slug(path.stem), markdown)


def _html_article(path: Path, html: str) -> Article:
    from qa.html_text import extract_article

    metadata, text = extract_article(html)
    if len(re.findall(r"\w", text)) < 20:
        raise ArticleError("no article text found in the HTML page (is it a navigation or script-only page?)")
    return _article(path, text, {**metadata, "id": ""}, slug(path.stem))


def _records_to_articles(path: Path, records: list[tuple[str, Any]]) -> list[Article]:
    articles: list[Article] = []
    seen: dict[str, str] = {}
    several = len(records) > 1
    for position, (where, record) in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise ArticleError(f"{where}: expected a JSON object with a 'text' field")
        record = {_ALIASES.get(k, k): v for k, v in record.items()}
        text = record.get("text")
        if text is None:
            raise ArticleError(f"{where}: missing required field 'text'")
        if not isinstance(text, str):
            raise ArticleError(f"{where}: field 'text' must be a string")
        if not text.strip():
            raise ArticleError(f"{where}: field 'text' is empty")
        for name in FIELDS:
            if record.get(name) is not None and not isinstance(record[name], (str, int)):
                raise ArticleError(f"{where}: field '{name}' must be a string")
        default_id = f"{slug(path.stem)}-{position}" if several else slug(path.stem)
        try:
            article = _article(path, text, {k: record.get(k) for k in FIELDS}, default_id)
        except ArticleError as exc:
            raise ArticleError(f"{where}: {exc}") from None
        if article.id in seen:
            raise ArticleError(f"duplicate article id {article.id!r} ({seen[article.id]} and {where})")
        seen[article.id] = where
        articles.append(article)
    return articles


def _json_articles(path: Path, text: str) -> list[Article]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ArticleError(f"invalid JSON ({exc})") from None
    if isinstance(data, dict):
        return _records_to_articles(path, [("the object", data)])
    if isinstance(data, list) and data:
        return _records_to_articles(path, [(f"item {i}", r) for i, r in enumerate(data)])
    raise ArticleError("expected a JSON object or a non-empty list of objects")


def _jsonl_articles(path: Path, text: str) -> list[Article]:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((f"line {number}", json.loads(line)))
        except ValueError as exc:
            raise ArticleError(f"line {number}: invalid JSON ({exc})") from None
    if not records:
        raise ArticleError("file is empty")
    return _records_to_articles(path, records)
