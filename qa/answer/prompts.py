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
from functools import cached_property
from pathlib import Path

from qa.errors import PromptError
from qa.models.protocols import AnswerRequest, Source
from qa.text.clean import one_line
from qa.types import ABSTENTION, RetrievedChunk

_FIELD = re.compile(r"\{[a-z]*\}")

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

    @cached_property  # read for every answer (qa/answer/gate.py); the templates never change
    def instructions(self) -> str:
        """The templates' own words (no sources, no question): what a reply must not just repeat."""
        return "\n".join(_FIELD.sub(" ", template) for template in (self.system, self.answer))

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

    def request(self, question: str, chunks: list[RetrievedChunk]) -> AnswerRequest:
        """The same question and numbered sources as data, for a model that reads them so."""
        sources = tuple(Source(n, source_title(c), c.text) for n, c in enumerate(chunks, start=1))
        return AnswerRequest(question, sources)


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


def source_title(chunk: RetrievedChunk) -> str:
    """A source's title as every model is shown it."""
    return one_line(chunk.title) or "untitled"


def render_sources(question: str, chunks: list[RetrievedChunk]) -> str:
    ref = _reference(question, chunks)
    blocks = []
    for number, chunk in enumerate(chunks, start=1):
        blocks.append(
            f"=== SOURCE [{number}] ref={ref} ===\n"
            f"Title: {source_title(chunk)}\n"
            f"Outlet: {one_line(chunk.source) or 'unknown'}\n"
            f"Published: {chunk.published or 'unknown'}\n"
            f"Text:\n{chunk.text}\n"
            f"=== END SOURCE [{number}] ref={ref} ==="
        )
    return "\n\n".join(blocks) if blocks else "(no sources were found)"
