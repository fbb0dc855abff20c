"""Turn failures of a model call into one clear `ModelError`: which server, what failed, what to do.

The API key is never part of a message: only the server URL and the model name are named.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from qa.errors import ModelError, QAError
from qa.models.protocols import ServerModel


@contextmanager
def model_errors(llm: Any, model_name: str) -> Iterator[None]:
    """Turn any failure of a model call into one clear ModelError (qa's own errors pass)."""
    try:
        yield
    except QAError:
        raise
    except Exception as exc:
        if isinstance(llm, ServerModel):
            raise describe(exc, llm.model, llm.server, llm.sdk_retries, llm.request_timeout) from None
        raise describe(exc, model_name, "local", 0, 0.0) from None


def describe(exc: Exception, model: str, server: str, retries: int, timeout: float) -> ModelError:
    from qa.settings import redact_url

    where = f"model '{model}' at {redact_url(server)}"  # a password in the URL is never shown
    try:
        import openai
    except ImportError:  # pragma: no cover - openai ships with the llama-index OpenAI packages
        return ModelError(f"{where}: the reply could not be read ({type(exc).__name__}: {_short(exc)})")
    if isinstance(exc, openai.AuthenticationError):
        return ModelError(f"{where}: the server rejected the API key (401); check OPENAI_API_KEY or QA_OPENAI_API_KEY")
    if isinstance(exc, openai.PermissionDeniedError):
        return ModelError(f"{where}: access denied (403); check the key's permissions for this model")
    if isinstance(exc, openai.NotFoundError):
        return ModelError(f"{where}: the server does not know this model (404); check the name in QA_LLM / QA_EMBED")
    if isinstance(exc, openai.RateLimitError):
        return ModelError(f"{where}: still rate limited (429) after {retries} retries; wait, lower --concurrency or raise QA_LLM_RETRIES")
    if isinstance(exc, openai.APITimeoutError):
        return ModelError(f"{where}: no reply within {timeout:g} s (tried {retries + 1} times); raise QA_LLM_TIMEOUT or check the server")
    if isinstance(exc, openai.APIConnectionError):
        return ModelError(f"{where}: cannot connect; is the server running and QA_OPENAI_BASE_URL right?")
    if isinstance(exc, openai.InternalServerError):
        return ModelError(f"{where}: server error ({exc.status_code}) after {retries} retries; try again later")
    if isinstance(exc, openai.BadRequestError):
        return ModelError(f"{where}: the server refused the request (400): {_short(exc)}")
    if isinstance(exc, openai.APIStatusError):
        return ModelError(f"{where}: HTTP {exc.status_code}: {_short(exc)}")
    return ModelError(f"{where}: the reply could not be read ({type(exc).__name__}: {_short(exc)})")


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[:200] + ("…" if len(text) > 200 else "")
