"""An eval's questions answered by several processes, each with the store open.

The offline model is CPU-bound Python and spaCy, which hold the interpreter lock, so threads do
not run it in parallel; processes do. Each worker opens the same store (which is safe to read
from several processes) with the run's settings, parses the stored sentences once, and answers
batches of questions in gold order. Answers do not depend on which worker gives them.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from qa.errors import QAError
from qa.evaluation.gold import GoldQuestion
from qa.evaluation.scoring import QuestionResult, Span, answer_all, warm_model
from qa.models.registry import is_offline_llm
from qa.settings import Settings
from qa.types import RetrievalMode

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from qa.assistant import Assistant

MAX_AUTO_WORKERS = 4
MIN_QUESTIONS_PER_WORKER = 300  # starting a worker (imports, store, parser) costs a few seconds

_assistant: Assistant | None = None  # the worker process's own assistant, opened at its first batch


def auto_workers(settings: Settings, questions: int, embedder: BaseEmbedding | None = None) -> int:
    """Processes for `qa eval` when not told: one per core for the offline model on a gold set
    big enough to pay for starting them; one otherwise. A remote model waits on its server, which
    --concurrency (threads) covers; an embedder object given by the caller cannot be shared."""
    if embedder is not None or not is_offline_llm(settings.llm):
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_AUTO_WORKERS, questions // MIN_QUESTIONS_PER_WORKER))


def _prepare() -> None:
    """Imports and the parser, while the parent is still building the store."""
    import qa.assistant  # noqa: F401
    from qa.reader import syntax

    syntax.available()


def _open(settings: Settings) -> Assistant:
    global _assistant
    if _assistant is None:
        from qa.assistant import Assistant

        _assistant = Assistant.open(settings)
        _assistant.lexical.ensure_current(_assistant.store)
        warm_model(_assistant, [], _assistant.lexical.texts())
    return _assistant


def _answer(
    settings: Settings, batch: list[GoldQuestion], spans: dict[str, list[Span]], top_k: int, mode: RetrievalMode,
    concurrency: int, depth: int,
) -> list[QuestionResult]:
    assistant = _open(settings)
    warm_model(assistant, [q.question for q in batch], ())
    return answer_all(assistant, batch, spans, top_k, mode, concurrency, depth)


class EvalWorkers:
    """Worker processes for one eval run. Start them before building the store: their imports
    and parser loading (a few seconds) then overlap the build."""

    def __init__(self, workers: int):
        self.workers = workers
        # spawn, not fork: the parent has Chroma's and the tokenizer's threads running.
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_prepare)
        for _ in range(workers):  # the pool starts a process per task until it has `workers`
            self._pool.submit(int)

    def __enter__(self) -> EvalWorkers:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def answer(
        self,
        settings: Settings,
        questions: list[GoldQuestion],
        spans: dict[str, list[Span]],
        *,
        top_k: int,
        mode: RetrievalMode,
        concurrency: int,
        depth: int,
        on_done: Callable[[QuestionResult], None] | None = None,
    ) -> list[QuestionResult]:
        """Results in gold order. `settings` must name the store the caller has open (a store
        only this process can see cannot be shared)."""
        size = max(10, min(100, len(questions) // (self.workers * 8)))  # about 8 batches a worker
        batches = [questions[i : i + size] for i in range(0, len(questions), size)]
        done: list[list[QuestionResult]] = [[] for _ in batches]
        try:
            futures = {
                self._pool.submit(
                    _answer, settings, batch, {q.id: spans[q.id] for q in batch}, top_k, mode, concurrency, depth
                ): n
                for n, batch in enumerate(batches)
            }
            for future in as_completed(futures):
                batch_results = done[futures[future]] = future.result()
                if on_done is not None:
                    for result in batch_results:
                        on_done(result)
        except BrokenProcessPool as error:
            raise QAError(f"an eval worker process died ({error}); run again with --workers 1 (workers=1 in Python)") from error
        return [result for batch in done for result in batch]
