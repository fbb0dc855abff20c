"""The one place that turns settings into model objects (embedder and answering LLM).

Everything else receives these objects; nothing relies on llama-index's global `Settings`,
whose missing-model fallback is OpenAI (which stalls offline).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qa.errors import ConfigError

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.llms import LLM

    from qa.settings import Settings

# The offline models' names: the default answering model and the eval's naive baseline.
EXTRACTIVE = "extractive"
EXTRACTIVE_NAIVE = "extractive-naive"

EMBED_BACKENDS = ("wordllama", "openai:MODEL", "openai-compatible:MODEL")
LLM_BACKENDS = ("extractive", "extractive-naive", "openai:MODEL", "openai-compatible:MODEL")
OPENAI_URL = "https://api.openai.com/v1"


def split_backend(spec: str) -> tuple[str, str]:
    kind, _, model = spec.strip().partition(":")
    return kind.strip().lower(), model.strip()


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


def build_embedder(settings: Settings) -> BaseEmbedding:
    kind, model = split_backend(settings.embed)
    if kind == "wordllama" and model in ("", "l2_supercat-256"):
        from qa.models.embedding import WordLlamaEmbedding

        return WordLlamaEmbedding()
    if kind in ("openai", "openai-compatible") and model:
        from qa.models.openai_compatible import OpenAICompatibleEmbedding

        return OpenAICompatibleEmbedding(model=model, **_openai_kwargs(settings, kind, "QA_EMBED"))
    raise ConfigError(
        f"unknown embedding backend {settings.embed!r} (QA_EMBED); available: {', '.join(EMBED_BACKENDS)}"
    )


def build_llm(settings: Settings) -> LLM:
    if settings.llm == "extractive-naive":  # the eval's baseline: no learned scorers, no abstention
        from qa.models.extractive import ExtractiveLLM

        return ExtractiveLLM(naive=True)
    kind, model = split_backend(settings.llm)
    if kind == "extractive" and not model:
        from qa.models.extractive import ExtractiveLLM

        return ExtractiveLLM(threshold=settings.answer_threshold)
    if kind in ("openai", "openai-compatible") and model:
        from qa.models.openai_compatible import OpenAIChat

        extra = {"response_format": {"type": "json_object"}} if settings.json_mode else {}
        return OpenAIChat(
            model=model,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
            is_chat_model=True,
            context_window=128_000,
            additional_kwargs=extra,
            **_openai_kwargs(settings, kind, "QA_LLM"),
        )
    raise ConfigError(
        f"unknown model backend {settings.llm!r} (QA_LLM); available: {', '.join(LLM_BACKENDS)}"
    )


def model_label(llm: LLM) -> str:
    """A short name saying which model produced an answer."""
    name = getattr(llm.metadata, "model_name", "") or type(llm).__name__
    base = getattr(llm, "api_base", "")
    if base and base.rstrip("/") != OPENAI_URL:
        return f"{name} @ {base}"
    return name
