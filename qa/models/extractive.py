"""The offline extractive model: a deterministic llama-index LLM that answers from the sources.

The chain hands it the question and the numbered sources as data (`ReadsSources`,
qa/models/protocols.py); the reader (qa/reader/) picks the supporting sentence and the short
answer inside it, and the model replies in the JSON format the answer prompt asks of every model,
quoting the sentence verbatim. The reply then goes through the same parsing and citation checks
as a real model's. When the best sentence scores below the reader's threshold it abstains, and
also when none of the reader's candidate answers passes the answer checks (qa/reader/support.py:
the question's names are where the answer was found, the answer is of the kind asked).

`naive=True` is the baseline the eval compares against: the sentence sharing most question words
among the first three sources, quoted whole, never abstaining.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from llama_index.core.base.llms.types import CompletionResponse, CompletionResponseGen, LLMMetadata
from llama_index.core.llms import CustomLLM
from llama_index.core.llms.callbacks import llm_completion_callback
from pydantic import PrivateAttr

from qa.models.names import EXTRACTIVE, EXTRACTIVE_NAIVE
from qa.models.protocols import AnswerRequest
from qa.reader import extractive
from qa.reader.features import Passage
from qa.reader.reading import Reader
from qa.text.sentences import sentence_spans
from qa.types import ABSTENTION


class ExtractiveLLM(CustomLLM):
    """Deterministic extractive model. A second sentence from another source joins the answer when
    the reader finds it nearly as likely (`second_ratio` of the best's probability)."""

    second_ratio: float = 0.5
    naive: bool = False
    threshold: float | None = None  # None: the trained threshold shipped with the sentence scorer
    _reader: Any = PrivateAttr(default=None)

    @classmethod
    def class_name(cls) -> str:
        return "ExtractiveLLM"

    @property
    def metadata(self) -> LLMMetadata:
        name = EXTRACTIVE_NAIVE if self.naive else EXTRACTIVE
        return LLMMetadata(model_name=name, context_window=1_000_000, num_output=1024, is_chat_model=False)

    def prepare(self) -> None:
        """Called before each search: the first one starts loading the parser in the background."""
        if not self.naive:
            from qa.reader import syntax

            syntax.load_in_background()

    def warm(self, questions: Sequence[str], passages: Iterable[str]) -> None:
        """Ahead of many questions (an eval run): parse the questions and the passages' sentences
        in a few large batches. The parser costs several milliseconds a call however short the
        text, so one call a question was a third of the model's time; answers are unchanged."""
        if self.naive:
            return
        from qa.reader import syntax

        texts = list(dict.fromkeys(questions))
        for passage in passages:
            texts.extend(passage[s:e] for s, e in sentence_spans(passage))
            if len(texts) >= syntax.WARM_LIMIT:  # a store too big to parse up front: answering
                break  # parses the rest as it goes
        syntax.parse_all(texts[: syntax.WARM_LIMIT], batch_size=256)

    @property
    def reader(self) -> Reader:
        if self._reader is None:
            from qa.models.embedding import embed_sentences

            self._reader = Reader(embed_sentences, threshold=self.threshold)
        return self._reader

    # ----- the protocol the chain uses (qa/models/protocols.py: ReadsSources) ----------------
    def reply_to(self, request: AnswerRequest) -> str:
        numbers = [s.number for s in request.sources]
        passages = [Passage(s.title, s.text) for s in request.sources]
        if self.naive:
            chosen, short = extractive.naive_pick(request.question, passages[:3]), None
        else:
            chosen, short = extractive.choose(self.reader, request.question, passages, self.second_ratio)
        if not chosen:
            return json.dumps({"answer": ABSTENTION, "answerable": False, "citations": []})
        answer = " ".join(f"{c.text} [{numbers[c.passage]}]" for c in chosen)
        citations = [{"source": numbers[c.passage], "quote": c.text} for c in chosen]
        reply: dict[str, Any] = {"answer": answer, "answerable": True, "citations": citations}
        if short:
            reply["short"] = short
        return json.dumps(reply, ensure_ascii=False)

    def condense(self, history: Sequence[tuple[str, str]], question: str) -> str:
        return extractive.condense(history, question)

    # ----- llama-index's text interface -------------------------------------------------------
    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        raise NotImplementedError(_NO_TEXT_PROMPTS)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        raise NotImplementedError(_NO_TEXT_PROMPTS)


# The model reads sources as data; a rendered prompt is text it would have to parse back, which
# breaks as soon as a template is reworded (the reason for the protocol).
_NO_TEXT_PROMPTS = (
    "the extractive model reads the question and sources as data: call reply_to(AnswerRequest) "
    "(qa/models/protocols.py), as qa's answering chain does, not complete(prompt)"
)
