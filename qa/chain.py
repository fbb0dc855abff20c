"""The answering chain: retrieve -> prompt -> model -> parse -> verify citations -> Answer.

Any llama-index LLM fits; the offline extractive model goes through exactly this path.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.llms import LLM

from qa.citations import verify
from qa.claims import unsupported_claims
from qa.parsing import parse_reply
from qa.prompts import ABSTENTION, Prompts
from qa.retrieval import HybridRetriever, Mode
from qa.types import Answer, Article, Citation, Filters, RetrievedChunk

_MARKER = re.compile(r"\s?\[(\d+)\]")


class AnswerChain:
    def __init__(
        self,
        retriever: HybridRetriever,
        llm: LLM,
        prompts: Prompts,
        load_article: Callable[[str], Article | None],
        model_name: str,
    ):
        self.retriever = retriever
        self.llm = llm
        self.prompts = prompts
        self.load_article = load_article
        self.model_name = model_name

    def run(self, question: str, top_k: int, filters: Filters | None, mode: Mode) -> Answer:
        started = time.perf_counter()
        chunks = self.retriever.retrieve(question, top_k, filters, mode)
        retrieve_ms = round((time.perf_counter() - started) * 1000, 2)
        return self.answer(question, chunks, {"retrieve": retrieve_ms})

    def answer(
        self, question: str, chunks: list[RetrievedChunk], timings: dict[str, float] | None = None
    ) -> Answer:
        """Everything after retrieval: prompt -> model -> parse -> verify."""
        timings = dict(timings or {})
        clock = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[stage] = round((now - clock) * 1000, 2)
            clock = now

        system, user = self.prompts.render(question, chunks)
        lap("prompt")
        response = self.llm.chat(
            [ChatMessage(role=MessageRole.SYSTEM, content=system), ChatMessage(role=MessageRole.USER, content=user)]
        )
        lap("model")
        reply = parse_reply(response.message.content or "")
        lap("parse")
        citations, unverified = verify(reply.citations, chunks, self.load_article)
        lap("verify")
        timings["total"] = round(sum(timings.values()), 2)
        answer_text = renumber_markers(reply.answer, citations) if reply.answerable else reply.answer
        unsupported = unsupported_claims(answer_text, [c.quote for c in citations]) if reply.answerable else []
        return Answer(
            question=question,
            answer=answer_text or ABSTENTION,
            answerable=reply.answerable,
            citations=tuple(citations),
            unverified=tuple(unverified),
            unsupported=tuple(unsupported),
            retrieved=tuple(chunks),
            model=self.model_name,
            timings=timings,
            usage=_usage(response),
        )


def _usage(response) -> dict[str, int]:
    """Token counts when the model reports them (OpenAI-style `usage` in the raw response)."""
    raw = getattr(response, "raw", None)
    usage = raw.get("usage") if isinstance(raw, dict) else getattr(raw, "usage", None)
    if usage is None:
        return {}
    if not isinstance(usage, dict):
        usage = getattr(usage, "model_dump", lambda: {})()
    keys = ("prompt_tokens", "completion_tokens", "total_tokens")
    return {k: int(usage[k]) for k in keys if isinstance(usage.get(k), int)}


def renumber_markers(answer: str, citations: list[Citation]) -> str:
    """Rewrite the model's [source] markers as [citation] numbers (1-based, in citation order);
    markers whose source has no verified citation are removed."""
    by_source: dict[int, int] = {}
    for position, citation in enumerate(citations, start=1):
        if citation.source_number is not None:
            by_source.setdefault(citation.source_number, position)

    def replace(match: re.Match) -> str:
        number = by_source.get(int(match.group(1)))
        return f" [{number}]" if number else ""

    return _MARKER.sub(replace, answer).strip()
