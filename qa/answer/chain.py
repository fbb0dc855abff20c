"""The answering chain: retrieve -> prompt -> model -> parse -> verify citations -> Answer.

Any llama-index LLM fits; the offline extractive model goes through exactly this path.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, cast

from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.llms import LLM

from qa.answer.citations import verify
from qa.answer.claims import unsupported_claims
from qa.answer.conflict_note import present
from qa.answer.conflicts import Found, find_conflicts
from qa.answer.gate import shown_answer
from qa.answer.parsing import parse_reply
from qa.answer.prompts import Prompts
from qa.answer.streaming import AnswerTextStream
from qa.answer.support import check_support, withdrawal
from qa.errors import ModelError
from qa.models.errors import model_errors
from qa.models.protocols import AnswerRequest, Preparable, ReadsSources
from qa.reader.reading import Reader
from qa.retrieval.hybrid import HybridRetriever, Mode
from qa.types import ABSTENTION, Answer, Article, Filters, RetrievedChunk


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
        self._reader: Reader | None = None

    @property
    def reader(self) -> Reader:
        """The extractive reader that reads each article's value when reports are compared: the
        offline model's own, else one built on first use (the comparison is the same for every model)."""
        own = getattr(self.llm, "reader", None)
        if isinstance(own, Reader):
            return own
        if self._reader is None:
            from qa.models.embedding import embed_sentences

            self._reader = Reader(embed_sentences)
        return self._reader

    def run(self, question: str, top_k: int, filters: Filters | None, mode: Mode) -> Answer:
        chunks, timings = self.retrieve(question, top_k, filters, mode)
        return self.answer(question, chunks, timings, filters=filters)

    def retrieve(self, question: str, top_k: int, filters: Filters | None, mode: Mode):
        if isinstance(self.llm, Preparable):  # lets a model load while the search runs
            self.llm.prepare()
        started = time.perf_counter()
        chunks = self.retriever.retrieve(question, top_k, filters, mode)
        return chunks, {"retrieve": round((time.perf_counter() - started) * 1000, 2)}

    def _messages(self, question: str, chunks: list[RetrievedChunk]) -> list[ChatMessage]:
        system, user = self.prompts.render(question, chunks)
        return [ChatMessage(role=MessageRole.SYSTEM, content=system), ChatMessage(role=MessageRole.USER, content=user)]

    def answer(
        self, question: str, chunks: list[RetrievedChunk], timings: dict[str, float] | None = None,
        filters: Filters | None = None,
    ) -> Answer:
        """Everything after retrieval: prompt -> model -> parse -> verify -> support. `filters`: what
        retrieval was restricted to; an answer citing an article outside them is withdrawn."""
        timings = dict(timings or {})
        ask = self._prompted(question, chunks, timings)
        started = time.perf_counter()
        with model_errors(self.llm, self.model_name):
            if isinstance(ask, AnswerRequest):
                content, response = cast(ReadsSources, self.llm).reply_to(ask), None
            else:
                response = self.llm.chat(ask)
                content = response.message.content or ""
        timings["model"] = _ms(started)
        return self._finish(question, chunks, content, response, timings, filters)

    def _prompted(
        self, question: str, chunks: list[RetrievedChunk], timings: dict[str, float]
    ) -> AnswerRequest | list[ChatMessage]:
        """What the model is given: the sources as data for a model that reads them so
        (qa/models/protocols.py: ReadsSources), else the rendered chat messages."""
        started = time.perf_counter()
        if isinstance(self.llm, ReadsSources):
            prompted: AnswerRequest | list[ChatMessage] = self.prompts.request(question, chunks)
        else:
            prompted = self._messages(question, chunks)
        timings["prompt"] = _ms(started)
        return prompted

    def answer_stream(
        self, question: str, chunks: list[RetrievedChunk], timings: dict[str, float] | None = None,
        filters: Filters | None = None,
    ) -> Iterator[str | Answer]:
        """Yield the answer text as it arrives, then the final verified `Answer`."""
        timings = dict(timings or {})
        ask = self._prompted(question, chunks, timings)
        started = time.perf_counter()
        responses: Iterator[Any]
        if isinstance(ask, AnswerRequest):
            request, reader = ask, cast(ReadsSources, self.llm)
            responses = _words_of(lambda: reader.reply_to(request))
        else:
            messages = ask
            responses = _lazy_stream(lambda: self.llm.stream_chat(messages))
        visible = AnswerTextStream()
        text, last = "", None
        with model_errors(self.llm, self.model_name):
            for last in responses:
                text += last.delta or ""
                delta = visible.feed(text)
                if delta:
                    yield delta
        timings["model"] = _ms(started)
        yield self._finish(question, chunks, text, last, timings, filters)

    def _finish(
        self, question, chunks, content: str, response, timings: dict[str, float], filters: Filters | None = None
    ) -> Answer:
        _check_complete(content, response, self.model_name)
        started = time.perf_counter()
        reply = parse_reply(content)
        timings["parse"] = _ms(started)
        started = time.perf_counter()
        citations, unverified = verify(reply.citations, chunks, self.load_article)
        timings["verify"] = _ms(started)
        shown = shown_answer(reply, citations, self.prompts.instructions)
        support = None
        if shown.answerable:  # quoted: now is the answer about what was asked?
            started = time.perf_counter()
            support = check_support(question, reply.short, citations, filters, self.load_article)
            timings["support"] = _ms(started)
        timings["total"] = round(sum(v for k, v in timings.items() if k != "total"), 2)
        common = dict(question=question, unverified=tuple(unverified), retrieved=tuple(chunks),
                      model=self.model_name, timings=timings, usage=_usage(response), support=support)
        if support is not None and not support.supported:
            # Not an answer: the quotes are real, but they do not answer this question.
            return Answer(answer=ABSTENTION, answerable=False, withdrawn=withdrawal(support),
                          related=tuple(citations[:RELATED]), **common)
        unsupported = unsupported_claims(shown.answer, [c.quote for c in citations]) if shown.answerable else []
        answer = Answer(
            answer=shown.answer,
            short=shown.short,
            answerable=shown.answerable,
            citations=tuple(citations) if shown.answerable else (),
            unsupported=tuple(unsupported),
            withdrawn=shown.withdrawn,
            **common,
        )
        if not shown.answerable:
            return answer
        started = time.perf_counter()
        found = find_conflicts(question, shown.short, citations, chunks, self.load_article, self.reader)
        if found is not None:
            answer = self._with_conflicts(answer, found, chunks, filters)
        timings["conflicts"] = _ms(started)
        timings["total"] = round(sum(v for k, v in timings.items() if k != "total"), 2)
        return replace(answer, timings=timings)

    def _with_conflicts(self, answer: Answer, found: Found, chunks, filters: Filters | None) -> Answer:
        """The answer led by the newest report, with a note on the reports that differ
        (qa/answer/conflicts.py). A new lead must pass the support check too, else the model's stays."""
        shown = present(answer.question, answer.answer, answer.short, answer.citations, found, chunks)
        support = answer.support
        if shown.swapped:
            support = check_support(answer.question, shown.short, shown.citations, filters, self.load_article)
            if not support.supported:
                shown = present(answer.question, answer.answer, answer.short, answer.citations,
                                found, chunks, keep_lead=True)
                support = answer.support
        # The note's values come from the verified reports in `conflicts`; the claim check reads
        # the lead (the model's answer, or the newest report's sentence).
        lead = shown.answer[: len(shown.answer) - len(shown.note)].strip() if shown.note else shown.answer
        unsupported = unsupported_claims(lead, [c.quote for c in shown.citations])
        return replace(answer, answer=shown.answer, short=shown.short, citations=shown.citations,
                       support=support, unsupported=tuple(unsupported), conflicts=found.reports)


RELATED = 2  # verified passages a withdrawn answer shows as "may be related"


def _words_of(reply: Callable[[], str]) -> Iterator[Any]:
    """A model that answers at once, streamed word by word like a model that writes (the pieces
    carry no raw server response: `_check_complete` and `_usage` see none, as for any local model)."""
    text = reply()
    for i, piece in enumerate(text.split(" ")):
        yield _Piece(piece if i == 0 else " " + piece)


@dataclass(frozen=True)
class _Piece:
    delta: str
    raw: None = None


def _lazy_stream(start: Callable[[], Iterator[Any]]) -> Iterator[Any]:
    """The model's stream, started inside the caller's error handling."""
    yield from start()


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _check_complete(content: str, response, model: str) -> None:
    """An empty reply or one cut off by the token limit is an error, not a short answer."""
    raw = getattr(response, "raw", None)
    choices = raw.get("choices") if isinstance(raw, dict) else getattr(raw, "choices", None)
    finish = None
    if choices:
        first = choices[0]
        finish = first.get("finish_reason") if isinstance(first, dict) else getattr(first, "finish_reason", None)
    if finish == "length":
        raise ModelError(
            f"model '{model}': the reply was cut off at the token limit (QA_MAX_TOKENS); raise it and ask again"
        )
    if not content.strip():
        raise ModelError(f"model '{model}' returned an empty reply; try again or use another model")


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
