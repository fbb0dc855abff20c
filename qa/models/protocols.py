"""What the answering chain may ask of a model beyond llama-index's `LLM` interface.

Every model is a llama-index `LLM` (the chain calls `chat`/`stream_chat` with the rendered
prompt). A model may also implement these optional protocols; the chain and the eval check
with `isinstance`, so nothing is found by `getattr` and a typo cannot silently turn a hook off.

- `ReadsSources`: the model reads the question and the numbered sources as data (the offline
  extractive model) instead of the rendered prompt, so a reworded template cannot break it. It
  still replies in the format the answer prompt asks of every model, and the reply goes through
  the same parsing and citation checks.
- `Preparable`: work to start before each search (load a parser while retrieval runs).
- `Warmable`: batch work ahead of many questions (an eval run).
- `ServerModel`: a model behind an HTTP server, described in error messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Source:
    """One numbered source as the model is shown it."""

    number: int  # the [n] a reply cites
    title: str
    text: str


@dataclass(frozen=True)
class AnswerRequest:
    question: str
    sources: tuple[Source, ...]


@runtime_checkable
class ReadsSources(Protocol):
    def reply_to(self, request: AnswerRequest) -> str:
        """The reply, in the answer prompt's JSON format, to a question about these sources."""
        ...

    def condense(self, history: Sequence[tuple[str, str]], question: str) -> str:
        """The follow-up `question` rewritten to stand alone; history holds (role, text) turns."""
        ...


@runtime_checkable
class Preparable(Protocol):
    def prepare(self) -> None: ...


@runtime_checkable
class Warmable(Protocol):
    def warm(self, questions: Sequence[str], passages: Iterable[str]) -> None: ...


@runtime_checkable
class ServerModel(Protocol):
    """A model reached over HTTP: what an error message names (never the API key)."""

    @property
    def model(self) -> str: ...

    @property
    def server(self) -> str: ...

    @property
    def sdk_retries(self) -> int: ...

    @property
    def request_timeout(self) -> float: ...


# The reply the answer prompt asks for (prompts/answer.txt), as a JSON schema a server can
# enforce (QA_JSON_SCHEMA). Every key is required so a constrained small model cannot skip the
# quote; an abstaining reply leaves quote, source and short empty.
REPLY_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "answerable": {"type": "boolean"},
        "quote": {"type": "string"},
        "source": {"type": "integer"},
        "short": {"type": "string"},
        "answer": {"type": "string"},
    },
    "required": ["answerable", "quote", "source", "short", "answer"],
}
