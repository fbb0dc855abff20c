"""OpenAI and OpenAI-compatible servers (vLLM, Ollama, llama.cpp, LM Studio, ...) for answering
and embedding, with exactly one retry layer.

llama-index wraps every call in its own tenacity retry loop *around* the OpenAI SDK, which
retries by itself too: one failing request could become up to (1 + retries)^2 requests. Here the
llama-index loop is switched off and only the SDK retries (it honours Retry-After).
"""

from __future__ import annotations

from typing import Any

from llama_index.embeddings.openai import OpenAIEmbedding
from llama_index.llms.openai_like import OpenAILike
from pydantic import PrivateAttr


class OpenAIChat(OpenAILike):
    """OpenAILike with the SDK as the only retry layer; any model name is accepted."""

    _sdk_retries: int = PrivateAttr(default=2)

    def __init__(self, *, retries: int = 2, **kwargs: Any) -> None:
        super().__init__(max_retries=0, **kwargs)  # 0 disables llama-index's own retry loop
        self._sdk_retries = retries

    @classmethod
    def class_name(cls) -> str:
        return "OpenAIChat"

    # What an error message names (qa/models/protocols.py: ServerModel).
    @property
    def server(self) -> str:
        return self.api_base or ""

    @property
    def sdk_retries(self) -> int:
        return self._sdk_retries

    @property
    def request_timeout(self) -> float:
        return float(self.timeout or 0)

    def _get_credential_kwargs(self, is_async: bool = False) -> dict[str, Any]:
        kwargs = super()._get_credential_kwargs(is_async)
        kwargs["max_retries"] = self._sdk_retries
        return kwargs


class OpenAICompatibleEmbedding(OpenAIEmbedding):
    """OpenAIEmbedding for any model name, with the SDK as the only retry layer."""

    _sdk_retries: int = PrivateAttr(default=2)

    def __init__(self, *, model: str, retries: int = 2, **kwargs: Any) -> None:
        super().__init__(model_name=model, max_retries=retries, **kwargs)
        self._sdk_retries = retries

    @classmethod
    def class_name(cls) -> str:
        return "OpenAICompatibleEmbedding"

    def _create_retry_decorator(self):
        return lambda function: function  # the SDK retries; do not wrap it in a second loop

    def _get_credential_kwargs(self, is_async: bool = False) -> dict[str, Any]:
        kwargs = super()._get_credential_kwargs(is_async)
        kwargs["max_retries"] = self._sdk_retries
        return kwargs
