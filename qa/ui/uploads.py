"""Staging files uploaded through the web UI: safe names, size limits, one folder per upload.

The browser chooses the file names, so they are untrusted: a name may hold `../`, an absolute
path, NUL or control characters, or be hundreds of bytes long. Each upload is copied into its own
fresh folder under a sanitised, de-duplicated name; the copy is opened exclusively inside that
folder, so nothing outside it is written and no file of the same upload is overwritten. A file
too large (or one that would push the upload past its total) is refused with a one-line reason
while the other files go on.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from qa.ingest.formats import slug

MB = 1024 * 1024
# File systems allow 255 bytes per name; stay well below so a "-2" suffix still fits.
MAX_NAME_BYTES = 120
_UNSAFE = re.compile(r"[^\w .,()+=@-]")


@dataclass(frozen=True)
class UploadLimits:
    max_file_bytes: int
    max_total_bytes: int

    @classmethod
    def from_mb(cls, max_file_mb: float, max_total_mb: float) -> UploadLimits:
        return cls(int(max_file_mb * MB), int(max_total_mb * MB))


@dataclass(frozen=True)
class StagedFile:
    """One uploaded file: where it was copied (`path`), or why it was refused (`reason`)."""

    name: str  # the name the browser gave, made printable, for the results table
    path: Path | None = None
    reason: str = ""

    @property
    def accepted(self) -> bool:
        return self.path is not None


def display_name(raw: str) -> str:
    """The user's file name as one printable line (for messages only, never for paths)."""
    printable = "".join(c if c.isprintable() else "?" for c in raw)
    return printable[:200] or "(no name)"


def safe_name(raw: str) -> str:
    """A harmless file name for an uploaded file: the last path component only, no control,
    separator or shell characters, no leading dots, at most MAX_NAME_BYTES bytes (UTF-8),
    keeping the extension (it picks the loader)."""
    base = re.split(r"[/\\]", raw.replace("\x00", ""))[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(c for c in base if c.isprintable())
    base = _UNSAFE.sub("_", base).strip(" .")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = f".{suffix[:12]}" if suffix else ""
    stem = _cut_bytes(stem.strip(" ."), MAX_NAME_BYTES - len(suffix.encode())) or "upload"
    return stem + suffix


def _cut_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")[:limit]
    return data.decode("utf-8", errors="ignore").rstrip(" .")


def _unique(name: str, taken: set[str]) -> str:
    """`name`, or `name-2`, `name-3`, ... so that no two files of one upload share an article id
    (ids come from the slug of the file name, so "A.txt" and "a.txt" collide too)."""
    stem, suffix = os.path.splitext(name)
    candidate, n = name, 1
    while slug(os.path.splitext(candidate)[0]) + suffix.lower() in taken:
        n += 1
        candidate = f"{_cut_bytes(stem, MAX_NAME_BYTES - len(suffix.encode()) - 4)}-{n}{suffix}"
    taken.add(slug(os.path.splitext(candidate)[0]) + suffix.lower())
    return candidate


def _mb(size: int) -> str:
    return f"{size / MB:.1f} MB"


def stage_uploads(files: Iterable[tuple[str, Path]], folder: Path, limits: UploadLimits) -> list[StagedFile]:
    """Copy (browser name, local temporary path) pairs into `folder` (a fresh, empty folder
    owned by this upload). Returns one StagedFile per input, in order."""
    folder = Path(folder).resolve()
    staged: list[StagedFile] = []
    taken: set[str] = set()
    total = 0
    for raw_name, source in files:
        shown = display_name(raw_name)
        try:
            size = Path(source).stat().st_size
        except OSError as exc:
            staged.append(StagedFile(shown, reason=f"cannot read the uploaded file ({exc.strerror or exc})"))
            continue
        if size > limits.max_file_bytes:
            staged.append(StagedFile(shown, reason=(
                f"file is {_mb(size)}; the limit is {_mb(limits.max_file_bytes)} per file "
                "(QA_MAX_UPLOAD_MB); split it or raise the limit")))
            continue
        if total + size > limits.max_total_bytes:
            staged.append(StagedFile(shown, reason=(
                f"this upload would exceed {_mb(limits.max_total_bytes)} in total (QA_MAX_UPLOAD_TOTAL_MB); "
                "add this file in a separate upload")))
            continue
        target = folder / _unique(safe_name(raw_name), taken)
        if target.resolve().parent != folder:  # cannot happen after safe_name; never write elsewhere
            staged.append(StagedFile(shown, reason="unsafe file name; rename the file"))
            continue
        try:
            with open(source, "rb") as src, open(target, "xb") as dst:  # "x": never overwrite
                shutil.copyfileobj(src, dst)
        except OSError as exc:
            staged.append(StagedFile(shown, reason=f"cannot copy the uploaded file ({exc.strerror or exc})"))
            continue
        total += size
        staged.append(StagedFile(shown, path=target))
    return staged
