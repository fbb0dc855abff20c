"""The Python API: one object that ingests articles and answers questions about them.

    from qa import Assistant
    assistant = Assistant.open()
    assistant.ingest(["data/sample"])
    print(assistant.ask("How many hostages would be released?").to_dict())
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.errors import EmptyQuestionError, FilterError, QAError, StoreError
from qa.settings import Settings, load_settings
from qa.text.question import clean_question
from qa.types import Answer, Article, ArticleInfo, FileResult, Filters, IngestReport, RetrievalMode

# The pipeline's modules load when an Assistant is opened, not at `import qa.assistant`: the CLI
# checks a question (qa/text/question.py) and lists articles (`Library`) without llama-index.
if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.llms import LLM

    from qa.ingest.pipeline import Ingestor
    from qa.store.chroma import ArticleStore


class Assistant:
    def __init__(self, settings: Settings, store: ArticleStore, embedder: BaseEmbedding, llm: LLM):
        from qa.answer.chain import AnswerChain
        from qa.answer.prompts import load_prompts
        from qa.models.registry import model_label
        from qa.retrieval.hybrid import HybridRetriever
        from qa.retrieval.index_files import index_folder
        from qa.retrieval.snapshot import StoreSnapshot

        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.llm = llm
        self.lexical = StoreSnapshot(index_folder(settings))  # the BM25 index and the local copy
        self.retriever = HybridRetriever(
            store, self.lexical, embedder, settings.dense_weight, settings.rerank
        )
        self.chain = AnswerChain(
            self.retriever, llm, load_prompts(settings.prompts_dir), self._retrieved_article, model_label(llm)
        )

    @classmethod
    def open(
        cls, settings: Settings | None = None, *, llm: LLM | None = None, embedder: BaseEmbedding | None = None,
        create: bool = True, **overrides: Any,
    ) -> Assistant:
        """Open (or create) the store named by the settings. `llm`/`embedder` replace the
        configured backends with any llama-index LLM / embedding object. `create=False`: a store
        folder with no store in it is a `StoreMissingError` and nothing is created (the CLI opens
        so for every command but `qa ingest`)."""
        from qa.models.registry import build_embedder, build_llm
        from qa.store.opening import open_store, require_store

        settings = _settings(settings, overrides)
        embedder = embedder or build_embedder(settings)
        llm = llm or build_llm(settings)  # a bad model setting is reported first, store or not
        if not create:
            require_store(settings)
        dim = _dimension(embedder)
        return cls(settings, open_store(settings, embedder.model_name, dim, create=create), embedder, llm)

    # ----- articles -------------------------------------------------------------------------
    def ingest(
        self, paths: Iterable[str | Path], on_file: Callable[[FileResult], None] | None = None, *,
        keep_duplicates: bool = False, refuse_private_urls: bool | None = None,
        on_found: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Files, folders and http(s) addresses of pages or feeds (see docs/ingest.md).
        `refuse_private_urls`: None follows QA_REFUSE_PRIVATE_URLS; a web front end passes True."""
        self.store.ensure_available()
        ingestor = self._ingestor()
        ingestor.keep_duplicates = keep_duplicates
        if refuse_private_urls is not None:
            ingestor.refuse_private_urls = refuse_private_urls
        report = ingestor.ingest(paths, on_file, on_found)
        if report.count("added") or report.count("updated"):
            self.lexical.ensure_current(self.store)  # build BM25 now, not on the first question
        return report

    def add_articles(self, articles: list[Article], batch: int = 64) -> IngestReport:
        """Store articles that are already in memory (e.g. SQuAD paragraphs), in batches."""
        self.store.ensure_available()
        report = self._ingestor().ingest_articles(articles, batch)
        self.lexical.ensure_current(self.store)
        return report

    def _ingestor(self) -> Ingestor:
        from qa.ingest.pipeline import Ingestor

        return Ingestor(
            self.store, self.embedder, self.settings.chunk_size, self.settings.chunk_overlap,
            on_written=self.lexical.remember, max_file_bytes=int(self.settings.max_file_mb * 1024 * 1024),
            refuse_private_urls=self.settings.refuse_private_urls,
        )

    def articles(self) -> list[ArticleInfo]:
        return stored_articles(self.store)

    def article(self, article_id: str) -> Article | None:
        return self.store.article(article_id)

    def _retrieved_article(self, article_id: str) -> Article | None:
        """An article as retrieval saw it: from the local copy built at the same store stamp as
        the retrieved chunks (no store call), else from the store."""
        entry = self.lexical.article(article_id)
        return entry.article if entry is not None else self.store.article(article_id)

    def remove(self, article_id: str) -> bool:
        """Delete an article and its chunks; False when no article has that id."""
        return self.store.remove(article_id)

    def stats(self) -> dict[str, Any]:
        return store_stats(self.store, self.settings, self.chain.model_name)

    # ----- questions ------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        top_k: int | None = None,
        filters: Filters | dict | None = None,
        retrieval: RetrievalMode | None = None,
    ) -> Answer:
        question, k, filters = self._prepare(question, top_k, filters)
        answer = self.chain.run(question, k, filters, retrieval or self.settings.retrieval)
        return replace(answer, search_question=question)  # searched as asked: no condensing here

    def _prepare(
        self, question: str, top_k: int | None, filters: Filters | dict | None
    ) -> tuple[str, int, Filters | None]:
        from qa.store.filters import checked_filters

        question = self._check_question(question)
        checked = checked_filters(filters)  # before the store: a misspelt filter fails fast
        self.store.ensure_available()
        if len(self.lexical) == 0:  # (retrieval reads the store's stamp itself; only an empty
            self.lexical.ensure_current(self.store)  # or unloaded index needs a look here)
        if len(self.lexical) == 0:
            raise StoreError(
                f"the store at {self.store.where} has no articles yet; add some first, "
                "e.g. qa ingest data/sample"
            )
        self._check_articles_exist(checked)
        k = top_k or self.settings.top_k
        if not 1 <= k <= 50:
            raise QAError(f"top_k must be between 1 and 50, not {k}")
        return question, k, checked

    def check_filters(self, filters: Filters | dict | None) -> Filters | None:
        """`filters` checked and normalised (None when it filters nothing), as `ask` takes them:
        a `Filters`, or a dict with the keys article_ids (an id or a list of ids), published_from
        and published_to (ISO days 'YYYY-MM-DD'). A `FilterError` for an unknown key, a wrong
        type, an impossible date or range, or an article id no stored article has."""
        from qa.store.filters import checked_filters

        checked = checked_filters(filters)
        self._check_articles_exist(checked)
        return checked

    def _check_articles_exist(self, filters: Filters | None) -> None:
        """An unknown id would only make every question unanswerable: say so instead. One store
        lookup by id (not the local copy, which may predate a removal)."""
        if filters is None or not filters.article_ids:
            return
        stored = self.store.records_of(list(filters.article_ids))
        unknown = [i for i in filters.article_ids if stored[i] is None]
        if unknown:
            which = f"id {unknown[0]!r}" if len(unknown) == 1 else f"ids {', '.join(map(repr, unknown))}"
            raise FilterError(f"no article with {which} in the store; `qa articles` lists the ids")

    def ask_stream(
        self, question: str, top_k: int | None = None, filters: Filters | dict | None = None,
        retrieval: RetrievalMode | None = None,
    ) -> Iterator[str | Answer]:
        """Yield text deltas of the answer as the model writes them, then the final `Answer`."""
        question, k, filters = self._prepare(question, top_k, filters)
        chunks, timings = self.chain.retrieve(question, k, filters, retrieval or self.settings.retrieval)
        for part in self.chain.answer_stream(question, chunks, timings, filters=filters):
            yield part if isinstance(part, str) else replace(part, search_question=question)

    def condense(self, history: list[tuple[str, str]], question: str) -> str:
        """A follow-up question rewritten to stand alone, using the conversation so far. A question
        that names its own topic and points back at nothing is returned as written, without asking
        the model: rewriting it could only leak the earlier topic into it (qa/text/followups.py)."""
        from qa.text.followups import depends_on_earlier

        question = self._check_question(question)
        if not any(role == "user" for role, _ in history) or not depends_on_earlier(question):
            return question
        from llama_index.core.base.llms.types import ChatMessage, MessageRole

        from qa.models.errors import model_errors
        from qa.models.protocols import ReadsSources

        with model_errors(self.llm, self.chain.model_name):
            if isinstance(self.llm, ReadsSources):
                text = self.llm.condense(history, question)
            else:
                prompt = self.chain.prompts.render_condense(history, question)
                text = self.llm.chat([ChatMessage(role=MessageRole.USER, content=prompt)]).message.content or ""
        standalone = " ".join(text.split()).strip('"')
        return standalone[: self.settings.max_question_chars] or question

    def chat(self, messages: list[dict[str, str]], **options: Any) -> Answer:
        """Answer the last user message of an OpenAI-style message list, condensing it with the
        earlier turns first when it is a follow-up."""
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            raise EmptyQuestionError(
                'messages must be a list of dicts like {"role": "user", "content": "How many hostages ...?"}'
            )
        chat = [m for m in messages if m.get("role") in ("user", "assistant")]
        if not chat or chat[-1].get("role") != "user":
            raise EmptyQuestionError("the conversation must end with a user message")
        question = self._check_question(chat[-1].get("content"))  # None or bytes: a clear error, not "None"
        turns = [(m["role"], _turn_text(m.get("content"))) for m in chat[:-1]] + [("user", question)]
        if options.get("filters") is not None:  # wrong filters fail before the condensing model call
            options["filters"] = self.check_filters(options["filters"])
        standalone = self.condense(turns[:-1], question)
        answer = self.ask(standalone, **options)
        return replace(answer, question=question, search_question=standalone)

    def conversation(self) -> Conversation:
        return Conversation(self)

    def _check_question(self, question: object) -> str:
        return clean_question(question, self.settings.max_question_chars)


class Conversation:
    """A chat: each question after the first is condensed with the earlier turns before retrieval.

        talk = assistant.conversation()
        talk.ask("How many hostages would be released?")
        talk.ask("and how many bodies?")
    """

    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self.history: list[tuple[str, str]] = []

    def ask(self, question: str, **options: Any) -> Answer:
        messages = [{"role": r, "content": t} for r, t in self.history] + [{"role": "user", "content": question}]
        answer = self.assistant.chat(messages, **options)
        self.history += [("user", answer.question), ("assistant", answer.answer)]
        return answer


def _dimension(embedder: BaseEmbedding) -> int:
    """The embedder's vector size: known for WordLlama, else asked of the model once."""
    from qa.models.embedding import WordLlamaEmbedding

    if isinstance(embedder, WordLlamaEmbedding):
        return embedder.dim
    return len(embedder.get_text_embedding("dimension probe"))


class Library:
    """The stored articles without the models: what `qa articles` and `qa stats` read. With the
    offline default models, opening it loads neither llama-index nor the models' weights (the
    store's embedding check needs only their names); other backends are built as `Assistant.open`
    builds them, so a bad model setting fails the same way."""

    def __init__(self, settings: Settings, store: ArticleStore, model: str):
        self.settings = settings
        self.store = store
        self.model = model  # the answering model's label, as `Answer.model` shows it

    @classmethod
    def open(cls, settings: Settings | None = None, *, create: bool = False, **overrides: Any) -> Library:
        from qa.models.registry import (
            build_embedder,
            build_llm,
            model_label,
            offline_embedder,
            offline_llm_label,
        )
        from qa.store.opening import open_store, require_store

        settings = _settings(settings, overrides)
        identity = offline_embedder(settings)
        if identity is None:
            embedder = build_embedder(settings)
            identity = (embedder.model_name, _dimension(embedder))
        model = offline_llm_label(settings) or model_label(build_llm(settings))
        if not create:
            require_store(settings)
        return cls(settings, open_store(settings, *identity, create=create), model)

    def articles(self) -> list[ArticleInfo]:
        return stored_articles(self.store)

    def stats(self) -> dict[str, Any]:
        return store_stats(self.store, self.settings, self.model)


def stored_articles(store: ArticleStore) -> list[ArticleInfo]:
    """The store's articles, newest first (undated last)."""
    infos = [info for info, _ in store.records().values()]
    return sorted(infos, key=lambda a: (a.published or "0000", a.id), reverse=True)


def store_stats(store: ArticleStore, settings: Settings, model: str) -> dict[str, Any]:
    infos = stored_articles(store)
    return {
        "store": store.where,
        "collection": settings.collection,
        "articles": len(infos),
        "chunks": sum(a.chunks for a in infos),
        "characters": sum(a.chars for a in infos),
        "embedding_model": store.embed_model,
        "embedding_dim": store.embed_dim,
        "model": model,
    }


def _settings(settings: Settings | None, overrides: dict[str, Any]) -> Settings:
    if settings is None:
        return load_settings(**overrides)
    return settings.model_copy(update=overrides) if overrides else settings


def _turn_text(content: object) -> str:
    """An earlier turn's text (a message without text content, e.g. a tool call, counts as empty)."""
    return content if isinstance(content, str) else ""
