"""Which gold files the Eval tab may read: one from the gold folder, picked by name, or one the
user uploaded in this browser session. Anything else is refused with one message that says the
same whether or not the path exists, so the tab cannot be used to probe the server's files."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from qa.errors import QAError

REFUSED = ("only a gold file from the list (eval/gold) or a .jsonl file uploaded on this page can be run; "
           "pick one from the list or upload the file again")
NOTHING = "pick a gold file from the list, or upload a .jsonl gold file"


@dataclass(frozen=True)
class GoldFiles:
    folder: Path  # the gold folder; files are offered by name only

    def names(self) -> list[str]:
        """The .jsonl files in the folder, by name (what the dropdown offers)."""
        if not self.folder.is_dir():
            return []
        return sorted(p.name for p in self.folder.glob("*.jsonl") if p.is_file())

    def default(self) -> str | None:
        names = self.names()
        return "sample.jsonl" if "sample.jsonl" in names else (names[0] if names else None)

    def resolve(self, pick: str | None, uploaded: str | None, session_uploads: Iterable[str]) -> Path:
        """The file to run: the upload when there is one (it must be one of this session's
        uploads), else the picked name (it must be one of `names()`). Raises QAError otherwise."""
        if uploaded:
            path = str(Path(uploaded).resolve())
            if path not in {str(Path(p).resolve()) for p in session_uploads}:
                raise QAError(REFUSED)
            return Path(path)
        if not pick:
            raise QAError(NOTHING)
        if pick not in self.names():  # a name from the list, never a path
            raise QAError(REFUSED)
        return self.folder / pick


def remember_upload(uploaded: str | None, session_uploads: list[str] | None) -> list[str]:
    """This session's uploads plus `uploaded` (Gradio has already checked it is in its upload
    folder: a client cannot register a file of the server's)."""
    seen = list(session_uploads or [])
    if uploaded:
        seen.append(str(Path(uploaded).resolve()))
    return seen
