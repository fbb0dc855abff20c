"""Find article files and load one: the checks every file gets (it exists, is a regular, readable
text file of a supported type), then the reader of its format (qa.ingest.formats).

`load_file` returns the articles a file holds or raises `ArticleError` with a one-line message
that says what is wrong and what to do (the caller adds the path).
"""

from __future__ import annotations

import codecs
import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from qa.errors import ArticleError
from qa.ingest.formats import FORMATS, SNIFF_BYTES, SUPPORTED_SUFFIXES, normalise_text, slug  # noqa: F401  (callers import them from here)
from qa.types import Article


# ----- finding files ------------------------------------------------------------------------
def walk(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files to read, in a stable order. Folders are walked recursively (hidden entries and
    unsupported suffixes skipped); named files and missing paths are passed on as given, so
    that `load_file` can say what is wrong with them."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _walk_folder(path)
        else:
            yield path


def _walk_folder(folder: Path) -> Iterator[Path]:
    """Depth first, one folder listing at a time. A stable order needs each folder's names
    sorted, so a folder's names (only the names: no file is opened) are held while it is walked."""
    try:
        with os.scandir(folder) as listing:
            names = sorted(
                (entry.name, entry.is_dir(follow_symlinks=False))  # not following links avoids cycles
                for entry in listing
                if not entry.name.startswith(".")
                and (entry.is_dir(follow_symlinks=False) or os.path.splitext(entry.name)[1].lower() in SUPPORTED_SUFFIXES)
            )
    except OSError:
        yield folder  # load_file reports why it cannot be read
        return
    for name, is_dir in names:
        path = folder / name
        yield from _walk_folder(path) if is_dir else (path,)


# ----- load_file ----------------------------------------------------------------------------
def load_file(path: Path, max_bytes: int | None = None) -> list[Article]:
    """The articles in one file; ArticleError (message without the path) when it cannot be used.
    A file larger than `max_bytes` fails before it is read (QA_MAX_FILE_MB)."""
    path = Path(path)
    suffix = path.suffix.lower()
    _check_path(path, suffix)
    return FORMATS[suffix].read(path, _read(path, max_bytes))


MB = 1024 * 1024


def too_large(size: int, max_bytes: int, what: str = "file") -> ArticleError:
    """The one message for anything over the size limit: its size, the limit, how to raise it."""
    shown = f"more than {max_bytes / MB:,.1f}" if size < 0 else f"{size / MB:,.1f}"
    enough = math.ceil(size / MB) if size > 0 else math.ceil(2 * max_bytes / MB)
    return ArticleError(
        f"{what} is {shown} MB, over the {max_bytes / MB:g} MB limit; split it, or raise the limit "
        f"(e.g. QA_MAX_FILE_MB={enough})"
    )


def _check_path(path: Path, suffix: str) -> None:
    if not path.exists():
        if path.is_symlink():
            raise ArticleError("broken symbolic link (its target does not exist); fix or remove the link")
        raise ArticleError("no such file or folder")
    if path.is_dir():
        try:
            os.scandir(path).close()
        except PermissionError:
            raise ArticleError("cannot read folder (permission denied)") from None
        raise ArticleError("is a folder, not a file; name a file, or ingest the folder to read its files")
    if suffix not in SUPPORTED_SUFFIXES:
        kind = f"'{suffix}'" if suffix else "(the name has no extension)"
        raise ArticleError(
            f"unsupported file type {kind} (supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}); "
            "convert it or rename it if it is one of these"
        )
    if not path.is_file():  # a FIFO or device would block or never end
        raise ArticleError("not a regular file")


def _read(path: Path, max_bytes: int | None) -> bytes:
    try:
        if max_bytes is not None and (size := path.stat().st_size) > max_bytes:
            raise too_large(size, max_bytes)
        with path.open("rb") as file:
            data = file.read() if max_bytes is None else file.read(max_bytes + 1)
        if max_bytes is not None and len(data) > max_bytes:  # it grew since stat()
            raise too_large(-1, max_bytes)
    except PermissionError:
        raise ArticleError("cannot read file (permission denied)") from None
    except OSError as exc:
        raise ArticleError(f"cannot read file ({exc.strerror or exc})") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ArticleError("looks like UTF-16 or UTF-32 text; save it as UTF-8")
    if not data.strip():
        raise ArticleError("file is empty")
    if b"\x00" in data[:SNIFF_BYTES]:
        raise ArticleError("looks like a binary file, not text")
    return data
