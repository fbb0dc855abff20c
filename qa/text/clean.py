"""Small text clean-ups shared by the stages."""

from __future__ import annotations


def one_line(value: object) -> str:
    """The value as one line: runs of whitespace (newlines included) become one space."""
    return " ".join(str(value or "").split())
