"""The question as typed, made fit to search: control characters and terminal escape sequences
removed, whitespace collapsed; and the one check every way of asking shares (it is text, it
asks something, it is not too long). Light on purpose: `qa ask ""` is refused with nothing else loaded.
"""

from __future__ import annotations

import re

from qa.errors import EmptyQuestionError

# Terminal escape sequences (CSI such as colours; OSC such as window titles and the other string
# sequences, up to their terminator; ESC with intermediates such as a charset switch; the 8-bit
# CSI) and the other control characters: a question pasted from a terminal or a log carries
# them, and a stray "\x1b[31m" must not turn a good question into an abstention.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC, DCS, SOS, PM, APC with their terminator
    r"|\x1b[ -/]*[0-~]"  # the other escape sequences
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")  # not tab, line breaks (nor NEL): spaces


def normalise_question(text: str) -> str:
    """`text` without escape sequences and control characters, its whitespace runs (tabs and
    line breaks too) made single spaces."""
    return " ".join(_CONTROLS.sub("", _ESCAPES.sub("", text)).split())


def clean_question(question: object, limit: int | None = None) -> str:
    """The question normalised (`normalise_question`), or an `EmptyQuestionError` that says what
    is wrong with it: not text, nothing to ask, or longer than `limit` characters (None: no limit)."""
    if not isinstance(question, str):
        kind = type(question).__name__
        hint = "; decode it first, e.g. data.decode('utf-8')" if isinstance(question, (bytes, bytearray)) else ""
        raise EmptyQuestionError(
            f'the question must be text (str), not {kind}{hint}; e.g. ask("How many hostages would be released?")'
        )
    question = normalise_question(question)
    if not question or not any(ch.isalnum() for ch in question):
        raise EmptyQuestionError(
            'the question is empty; ask something, e.g. "How many hostages would be released?"'
        )
    if limit is not None and len(question) > limit:
        raise EmptyQuestionError(
            f"the question is {len(question):,} characters long; the limit is {limit:,} "
            "(QA_MAX_QUESTION_CHARS); shorten it to the question itself"
        )
    return question
