"""The offline extractive model: a deterministic llama-index LLM that answers from the prompt.

It reads the same rendered prompt a real model reads (question and numbered sources), lets the
reader (qa/reader/reading.py) pick the supporting sentence and the short answer inside it, and replies in
the JSON format the prompt asks for, quoting the sentence verbatim. When the best sentence scores
below the reader's threshold it abstains.

`naive=True` is the baseline the eval compares against: the sentence sharing most question words
among the first three sources, quoted whole, never abstaining.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

from llama_index.core.base.llms.types import CompletionResponse, CompletionResponseGen, LLMMetadata
from llama_index.core.llms import CustomLLM
from llama_index.core.llms.callbacks import llm_completion_callback
from pydantic import PrivateAttr

from qa.answer.prompts import ABSTENTION, read_condense_prompt, read_prompt
from qa.ingest.chunking import sentence_spans
from qa.reader.features import Passage
from qa.reader.question_types import content_of_question
from qa.reader.reading import Pick, Reader
from qa.text.tokens import terms

MODEL_NAME = "extractive"


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
        name = f"{MODEL_NAME}-naive" if self.naive else MODEL_NAME
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

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self.reply(prompt))

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        text = self.reply(prompt)
        sent = ""
        for piece in text.split(" "):
            delta = piece if not sent else " " + piece
            sent += delta
            yield CompletionResponse(text=sent, delta=delta)

    # ----- the model ----------------------------------------------------------------------
    def reply(self, prompt: str) -> str:
        follow_up = read_condense_prompt(prompt)
        if follow_up is not None:
            return condense(*follow_up)
        question, sources = read_prompt(prompt)
        numbers = [s.number for s in sources]
        passages = [Passage(s.title, s.text) for s in sources]
        if self.naive:
            chosen, short = naive_pick(question, passages[:3]), None
        else:
            chosen, short = self.choose(question, passages)
        if not chosen:
            return json.dumps({"answer": ABSTENTION, "answerable": False, "citations": []})
        answer = " ".join(f"{c.text} [{numbers[c.passage]}]" for c in chosen)
        citations = [{"source": numbers[c.passage], "quote": c.text} for c in chosen]
        reply: dict[str, Any] = {"answer": answer, "answerable": True, "citations": citations}
        if short:
            reply["short"] = short
        return json.dumps(reply, ensure_ascii=False)

    def choose(self, question: str, passages: list[Passage]) -> tuple[list[Pick], str | None]:
        """The sentences to cite (best first) and the short answer, or ([], None) to abstain."""
        reading = self.reader.read(question, passages)
        if not reading.answerable:
            return [], None
        # Cite the sentence that holds the short answer; it is among the best few.
        lead = reading.sentences[reading.short_sentence or 0]
        chosen = [lead]
        for other in reading.sentences[:3]:
            if other.passage != lead.passage and math.exp(other.score - lead.score) >= self.second_ratio:
                chosen.append(other)
                break
        return chosen, reading.short


def naive_pick(question: str, passages: list[Passage]) -> list[Pick]:
    """The sentence with the most distinct question words (ties: the earlier one)."""
    wanted = set(terms(content_of_question(question)))
    best: Pick | None = None
    for p, passage in enumerate(passages):
        for start, end in sentence_spans(passage.text):
            text = passage.text[start:end]
            shared = len(wanted & set(terms(text)))
            if shared and (best is None or shared > best.score):
                best = Pick(p, start, end, text, float(shared))
    return [best] if best else []


def condense(history: list[tuple[str, str]], question: str) -> str:
    """A standalone question: the follow-up plus the earlier question's topic words it lacks.

    "and how many bodies?" after "How many hostages would be released?" becomes
    "and how many bodies? (hostages released)". Questions that already stand alone pass through.
    The reader knows this form (qa/reader/questions.py: own_words) and picks the short answer by the
    follow-up's own words.
    """
    earlier = [text for role, text in history if role == "user"]
    if not earlier:
        return question
    own = set(terms(question))
    if len(own) >= 4:
        return question  # long enough to carry its own topic
    from qa.text.tokens import STOPWORDS, words

    missing = []
    for word in words(content_of_question(earlier[-1])):
        if word in STOPWORDS or word in missing or set(terms(word)) <= own:
            continue
        missing.append(word)
    return f"{question} ({' '.join(missing)})" if missing else question
