"""Prompt templates (files under prompts/) and the source-block format they present.

Templates are checked on load: each may use only the variables listed in `ALLOWED`, and must use
the ones listed in `REQUIRED`, so a typo in a template fails loudly instead of silently.
Sources are wrapped in blocks whose delimiters carry a reference derived from the content, so
article text cannot fake the end of a block (it would have to contain a hash of itself).
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from dataclasses import dataclass
from pathlib import Path

from qa.errors import PromptError
from qa.types import RetrievedChunk

ABSTENTION = "The articles don't say."

ALLOWED = {
    "system": {"abstention"},
    "answer": {"question", "sources", "abstention"},
    "condense": {"history", "question"},
}
REQUIRED = {
    "system": set(),
    "answer": {"question", "sources"},
    "condense": {"history", "question"},
}


@dataclass(frozen=True)
class Prompts:
    system: str
    answer: str
    condense: str

    def render_condense(self, history: list[tuple[str, str]], question: str) -> str:
        """The prompt that turns a follow-up into a standalone question. history: (role, text)."""
        lines = [f"{role.capitalize()}: {json.dumps(text, ensure_ascii=False)}" for role, text in history]
        return self.condense.format(history="\n".join(lines), question=json.dumps(question, ensure_ascii=False))

    def render(self, question: str, chunks: list[RetrievedChunk]) -> tuple[str, str]:
        """(system message, user message) for a question and its retrieved chunks."""
        system = self.system.format(abstention=ABSTENTION)
        user = self.answer.format(
            question=json.dumps(question, ensure_ascii=False),
            sources=render_sources(question, chunks),
            abstention=ABSTENTION,
        )
        return system, user


def template_fields(template: str) -> set[str]:
    try:
        return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}
    except ValueError as exc:
        raise PromptError(f"malformed template: {exc}") from None


def check_template(name: str, template: str) -> str:
    fields = template_fields(template)
    unknown = fields - ALLOWED[name]
    if unknown or "" in fields:
        bad = ", ".join(sorted("{}" if f == "" else "{" + f + "}" for f in unknown | ({""} & fields)))
        raise PromptError(
            f"prompt '{name}' uses {bad}, which it may not; allowed: "
            + ", ".join("{" + f + "}" for f in sorted(ALLOWED[name]))
            + " (write {{ and }} for literal braces)"
        )
    missing = REQUIRED[name] - fields
    if missing:
        raise PromptError(
            f"prompt '{name}' must use " + ", ".join("{" + f + "}" for f in sorted(missing))
        )
    return template


def load_prompts(folder: Path) -> Prompts:
    texts = {}
    for name in ALLOWED:
        path = Path(folder) / f"{name}.txt"
        try:
            texts[name] = check_template(name, path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise PromptError(
                f"cannot read prompt template {path}: {exc.strerror or exc}; set QA_PROMPTS_DIR "
                "to a folder holding system.txt, answer.txt and condense.txt"
            ) from None
        except PromptError as exc:
            raise PromptError(f"{path}: {exc}") from None
    return Prompts(**texts)


# ----- source blocks ------------------------------------------------------------------------
def _reference(question: str, chunks: list[RetrievedChunk]) -> str:
    digest = hashlib.sha256(question.encode("utf-8"))
    for chunk in chunks:
        digest.update(chunk.chunk_id.encode("utf-8"))
        digest.update(chunk.text.encode("utf-8"))
    return digest.hexdigest()[:12]


def _one_line(value: str) -> str:
    return " ".join(value.split())


def render_sources(question: str, chunks: list[RetrievedChunk]) -> str:
    ref = _reference(question, chunks)
    blocks = []
    for number, chunk in enumerate(chunks, start=1):
        blocks.append(
            f"=== SOURCE [{number}] ref={ref} ===\n"
            f"Title: {_one_line(chunk.title) or 'untitled'}\n"
            f"Outlet: {_one_line(chunk.source) or 'unknown'}\n"
            f"Published: {chunk.published or 'unknown'}\n"
            f"Text:\n{chunk.text}\n"
            f"=== END SOURCE [{number}] ref={ref} ==="
        )
    return "\n\n".join(blocks) if blocks else "(no sources were found)"


@dataclass(frozen=True)
class PromptSource:
    number: int
    title: str
    text: str


# Header fields are one line each ([^\n]*): with DOTALL a greedy `.*` could run on to a fake
# "Outlet:/Text:" header inside the article text and make that text the source.
_BLOCK = re.compile(
    r"=== SOURCE \[(\d+)\] ref=([0-9a-f]{12}) ===\n"
    r"Title: ([^\n]*)\nOutlet: [^\n]*\nPublished: [^\n]*\nText:\n(.*?)\n=== END SOURCE \[\1\] ref=\2 ===",
    re.DOTALL,
)
_QUESTION = re.compile(r"^Question \(JSON string\): (.*)$", re.MULTILINE)


def read_prompt(prompt: str) -> tuple[str, list[PromptSource]]:
    """The question and sources from a rendered answer prompt (what the extractive model reads)."""
    # The question line comes after the sources: take the last one.
    match = next(reversed(list(_QUESTION.finditer(prompt))), None)
    question = ""
    if match:
        try:
            question = str(json.loads(match.group(1)))
        except ValueError:
            question = match.group(1)
    sources = [
        PromptSource(int(m.group(1)), m.group(3), m.group(4)) for m in _BLOCK.finditer(prompt)
    ]
    return question, sources


_FOLLOW_UP = re.compile(r"^Follow-up question \(JSON string\): (.*)$", re.MULTILINE)
_HISTORY_LINE = re.compile(r"^(User|Assistant): (\".*\")$", re.MULTILINE)


def read_condense_prompt(prompt: str) -> tuple[list[tuple[str, str]], str] | None:
    """(history, follow-up) from a rendered condense prompt, or None for any other prompt."""
    matches = list(_FOLLOW_UP.finditer(prompt))
    # An answer prompt always has a "Question (JSON string):" line; a condense prompt never does
    # (its texts are JSON-escaped onto prefixed lines), so article text cannot fake one.
    if not matches or _QUESTION.search(prompt):
        return None
    try:
        question = str(json.loads(matches[-1].group(1)))
        history = [(m.group(1).lower(), str(json.loads(m.group(2)))) for m in _HISTORY_LINE.finditer(prompt)]
    except ValueError:
        return None
    return history, question
