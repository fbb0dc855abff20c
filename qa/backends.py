"""The one place that turns settings into model objects (embedder and answering LLM).

Everything else receives these objects; nothing relies on llama-index's global `Settings`,
whose missing-model fallback is OpenAI (which stalls offline).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qa.errors import ConfigError

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.llms import LLM

    from qa.settings import Settings

EMBED_BACKENDS = ("wordllama",)
LLM_BACKENDS = ("extractive",)


def build_embedder(settings: Settings) -> BaseEmbedding:
    name = settings.embed.strip()
    if name in ("wordllama", "wordllama:l2_supercat-256"):
        from qa.embedding import WordLlamaEmbedding

        return WordLlamaEmbedding()
    raise ConfigError(
        f"unknown embedding backend {name!r} (QA_EMBED); available: {', '.join(EMBED_BACKENDS)}"
    )


def build_llm(settings: Settings) -> LLM:
    name = settings.llm.strip()
    if name == "extractive":
        from qa.extractive import ExtractiveLLM

        return ExtractiveLLM()
    raise ConfigError(
        f"unknown model backend {name!r} (QA_LLM); available: {', '.join(LLM_BACKENDS)}"
    )


def model_label(llm: LLM) -> str:
    """A short name saying which model produced an answer."""
    return getattr(llm.metadata, "model_name", "") or type(llm).__name__
