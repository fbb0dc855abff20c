"""The offline extractive model: a deterministic llama-index LLM that answers from the prompt.

It reads the same rendered prompt a real model reads (question and numbered sources), picks the
sentence that best supports an answer, and replies in the JSON format the prompt asks for,
quoting that sentence verbatim. When no sentence covers enough of the question it abstains.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from llama_index.core.base.llms.types import CompletionResponse, CompletionResponseGen, LLMMetadata
from llama_index.core.llms import CustomLLM
from llama_index.core.llms.callbacks import llm_completion_callback

from qa.answer_types import content_of_question, offers, question_type
from qa.chunking import sentence_spans
from qa.prompts import ABSTENTION, read_condense_prompt, read_prompt
from qa.tokens import terms

MODEL_NAME = "extractive"


@dataclass(frozen=True)
class Candidate:
    source: int
    text: str
    coverage: float  # idf-weighted share of the question's content words the sentence holds
    score: float


class ExtractiveLLM(CustomLLM):
    """Deterministic sentence-extraction model; `min_coverage` is the abstention threshold."""

    min_coverage: float = 0.5
    type_bonus: float = 0.2
    second_ratio: float = 0.9  # a second sentence (other article) joins when this close to the best

    @classmethod
    def class_name(cls) -> str:
        return "ExtractiveLLM"

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            model_name=MODEL_NAME, context_window=1_000_000, num_output=1024, is_chat_model=False
        )

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
        chosen = self.choose(question, [(s.number, s.title, s.text) for s in sources])
        if not chosen:
            return json.dumps({"answer": ABSTENTION, "answerable": False, "citations": []})
        answer = " ".join(f"{c.text} [{c.source}]" for c in chosen)
        citations = [{"source": c.source, "quote": c.text} for c in chosen]
        return json.dumps(
            {"answer": answer, "answerable": True, "citations": citations}, ensure_ascii=False
        )

    def choose(self, question: str, sources: list[tuple[int, str, str]]) -> list[Candidate]:
        candidates = self.rank(question, sources)
        if not candidates or candidates[0].coverage < self.min_coverage:
            return []
        best = candidates[0]
        chosen = [best]
        for other in candidates[1:]:
            if other.score < self.second_ratio * best.score:
                break
            if other.source != best.source and other.coverage >= self.min_coverage:
                chosen.append(other)
                break
        return chosen

    def rank(self, question: str, sources: list[tuple[int, str, str]]) -> list[Candidate]:
        """Sentences of all sources, best first. (number, title, text) per source."""
        sentences = [
            (number, text[s:e]) for number, _, text in sources for s, e in sentence_spans(text)
        ]
        if not sentences:
            return []
        titles = {number: set(terms(title)) for number, title, _ in sources}
        sentence_terms = [set(terms(t)) for _, t in sentences]
        wanted = set(terms(content_of_question(question)))
        if not wanted:
            return []
        df = Counter(t for ts in sentence_terms for t in ts & wanted)
        n = len(sentences)
        idf = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in wanted}
        total = sum(idf.values())
        kind = question_type(question)
        ranked = []
        for position, ((number, text), ts) in enumerate(zip(sentences, sentence_terms)):
            # A word of the article's title counts half: the sentence is about that subject.
            in_title = (titles[number] & wanted) - ts
            coverage = (sum(idf[t] for t in ts & wanted) + 0.5 * sum(idf[t] for t in in_title)) / total
            score = coverage - 0.01 * (number - 1)
            if kind is not None and coverage > 0:
                score += self.type_bonus if offers(kind, text, question) else 0.0
            ranked.append((score, -position, Candidate(number, text, coverage, score)))
        ranked.sort(key=lambda r: (r[0], r[1]), reverse=True)
        return [c for _, _, c in ranked]


def condense(history: list[tuple[str, str]], question: str) -> str:
    """A standalone question: the follow-up plus the earlier question's topic words it lacks.

    "and how many bodies?" after "How many hostages would be released?" becomes
    "and how many bodies? (hostages released)". Questions that already stand alone pass through.
    """
    earlier = [text for role, text in history if role == "user"]
    if not earlier:
        return question
    own = set(terms(question))
    if len(own) >= 4:
        return question  # long enough to carry its own topic
    from qa.tokens import STOPWORDS, words

    missing = []
    for word in words(content_of_question(earlier[-1])):
        if word in STOPWORDS or word in missing or set(terms(word)) <= own:
            continue
        missing.append(word)
    return f"{question} ({' '.join(missing)})" if missing else question
