"""The one place that turns settings into model objects (embedder and answering LLM).

Each backend is a row in a table: its name, whether it runs offline, and a builder. Adding a
backend is one builder function and one row; the error messages and the eval's
choice of worker processes all read the table. Everything else receives the built objects;
nothing relies on llama-index's global `Settings`, whose missing-model fallback is OpenAI (which
stalls offline).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qa.errors import ConfigError
from qa.models.names import EXTRACTIVE, EXTRACTIVE_NAIVE

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.llms import LLM

    from qa.settings import Settings

OPENAI_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class Backend:
    kind: str  # what comes before the ":" in QA_LLM / QA_EMBED
    offline: bool  # runs in this process with nothing to reach over the network
    takes_model: bool  # "kind:MODEL" (True) or the bare kind (False)
    build: Callable[[Settings, str], Any]  # (settings, model name) -> the llama-index object

    @property
    def usage(self) -> str:
        return f"{self.kind}:MODEL" if self.takes_model else self.kind


def split_backend(spec: str) -> tuple[str, str]:
    kind, _, model = spec.strip().partition(":")
    return kind.strip().lower(), model.strip()


# ----- answering models ---------------------------------------------------------------------
def _extractive(settings: Settings, model: str) -> LLM:
    from qa.models.extractive import ExtractiveLLM

    return ExtractiveLLM(threshold=settings.answer_threshold)


def _extractive_naive(settings: Settings, model: str) -> LLM:
    from qa.models.extractive import ExtractiveLLM

    return ExtractiveLLM(naive=True)  # the eval's baseline: no learned scorers, no abstention


def response_format(settings: Settings) -> dict[str, Any]:
    """JSON mode, with the reply's schema in the dialect the server speaks (QA_JSON_SCHEMA)."""
    from qa.models.protocols import REPLY_SCHEMA

    if settings.json_schema == "openai":
        return {"type": "json_schema", "json_schema": {"name": "answer", "schema": REPLY_SCHEMA}}
    if settings.json_schema == "llama-cpp":
        return {"type": "json_object", "schema": REPLY_SCHEMA}
    return {"type": "json_object"}


def _openai_chat(kind: str) -> Callable[[Settings, str], LLM]:
    def build(settings: Settings, model: str) -> LLM:
        from qa.models.openai_compatible import OpenAIChat

        extra = {"response_format": response_format(settings)} if settings.json_mode else {}
        return OpenAIChat(
            model=model,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
            is_chat_model=True,
            context_window=128_000,
            additional_kwargs=extra,
            **_openai_kwargs(settings, kind, "QA_LLM"),
        )

    return build


LLM_BACKENDS: dict[str, Backend] = {
    b.kind: b
    for b in (
        Backend(EXTRACTIVE, offline=True, takes_model=False, build=_extractive),
        Backend(EXTRACTIVE_NAIVE, offline=True, takes_model=False, build=_extractive_naive),
        Backend("openai", offline=False, takes_model=True, build=_openai_chat("openai")),
        Backend("openai-compatible", offline=False, takes_model=True, build=_openai_chat("openai-compatible")),
    )
}


# ----- embedding models ---------------------------------------------------------------------
def _wordllama(settings: Settings, model: str) -> BaseEmbedding:
    from qa.models.embedding import WordLlamaEmbedding

    return WordLlamaEmbedding()


def _openai_embedding(kind: str) -> Callable[[Settings, str], BaseEmbedding]:
    def build(settings: Settings, model: str) -> BaseEmbedding:
        from qa.models.openai_compatible import OpenAICompatibleEmbedding

        return OpenAICompatibleEmbedding(model=model, **_openai_kwargs(settings, kind, "QA_EMBED"))

    return build


WORDLLAMA_MODELS = ("", "l2_supercat-256")  # the bundled weights, named or not
EMBED_BACKENDS: dict[str, Backend] = {
    b.kind: b
    for b in (
        Backend("wordllama", offline=True, takes_model=False, build=_wordllama),
        Backend("openai", offline=False, takes_model=True, build=_openai_embedding("openai")),
        Backend("openai-compatible", offline=False, takes_model=True, build=_openai_embedding("openai-compatible")),
    )
}


# ----- lookup -------------------------------------------------------------------------------
def _backend(table: dict[str, Backend], spec: str) -> tuple[Backend, str] | None:
    kind, model = split_backend(spec)
    backend = table.get(kind)
    if backend is None:
        return None
    if backend.takes_model != bool(model):
        # "wordllama:l2_supercat-256" names the one bundled model: accepted
        if not (backend.kind == "wordllama" and model in WORDLLAMA_MODELS):
            return None
    return backend, model


def build_llm(settings: Settings) -> LLM:
    return _build(LLM_BACKENDS, settings, settings.llm, "model backend", "QA_LLM")


def build_embedder(settings: Settings) -> BaseEmbedding:
    return _build(EMBED_BACKENDS, settings, settings.embed, "embedding backend", "QA_EMBED")


def _build(table: dict[str, Backend], settings: Settings, spec: str, what: str, variable: str) -> Any:
    found = _backend(table, spec)
    if found is None:
        raise ConfigError(f"unknown {what} {spec!r} ({variable}); available: {available(table)}")
    backend, model = found
    return backend.build(settings, model)


def offline_llm_label(settings: Settings) -> str | None:
    """What `model_label` says of the configured answering model when it is an offline one (its
    kind), known without building it; None for the others."""
    found = _backend(LLM_BACKENDS, settings.llm)
    return found[0].kind if found is not None and found[0].offline else None


def offline_embedder(settings: Settings) -> tuple[str, int] | None:
    """(model name, dimensions) of the configured embedder when it is the bundled WordLlama,
    known without loading its weights; None for the others."""
    found = _backend(EMBED_BACKENDS, settings.embed)
    if found is None or found[0].kind != "wordllama":
        return None
    from qa.models.wordllama import WORDLLAMA_DIM, wordllama_name

    return wordllama_name(WORDLLAMA_DIM), WORDLLAMA_DIM


def is_offline_llm(spec: str) -> bool:
    """True when QA_LLM names a model that runs in this process (no server to wait on)."""
    found = _backend(LLM_BACKENDS, spec)
    return found is not None and found[0].offline


def available(table: dict[str, Backend]) -> str:
    return ", ".join(b.usage for b in table.values())


def _openai_kwargs(settings: Settings, kind: str, variable: str) -> dict[str, Any]:
    """Connection settings shared by the chat and embedding clients."""
    if kind == "openai-compatible" and not settings.openai_base_url:
        raise ConfigError(
            f"{variable} uses an OpenAI-compatible server but QA_OPENAI_BASE_URL is not set; "
            "set it to the server's /v1 URL, e.g. http://localhost:8000/v1"
        )
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
    if kind == "openai" and not key:
        raise ConfigError(f"{variable} uses OpenAI but no API key is set; export OPENAI_API_KEY (or QA_OPENAI_API_KEY)")
    return {
        "api_key": key or "not-needed",  # local servers usually accept any key
        "api_base": settings.openai_base_url or OPENAI_URL,
        "timeout": settings.llm_timeout,
        "retries": settings.llm_retries,
    }


def model_label(llm: Any) -> str:
    """A short name saying which model produced an answer."""
    name = getattr(llm.metadata, "model_name", "") or type(llm).__name__
    base = getattr(llm, "api_base", "")
    if base and base.rstrip("/") != OPENAI_URL:
        from qa.settings import redact_url

        return f"{name} @ {redact_url(base)}"  # shown with every answer: never a password
    return name
