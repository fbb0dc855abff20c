"""WordLlama as a llama-index embedding: offline, from the weights bundled in its wheel."""

from __future__ import annotations

from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from qa.models.wordllama import WORDLLAMA_DIM, embed_texts, load_wordllama, wordllama_name


def embed_sentences(texts: list[str]) -> np.ndarray:
    """L2-normalised WordLlama vectors for sentences (rows), whatever embedder retrieval uses: the
    sentence scorers were trained on these."""
    return embed_texts(texts, WORDLLAMA_DIM)


class WordLlamaEmbedding(BaseEmbedding):
    """Static token-embedding model (256 dimensions), L2-normalised for cosine search."""

    dim: int = WORDLLAMA_DIM
    _model: Any = PrivateAttr(default=None)

    def __init__(self, dim: int = WORDLLAMA_DIM, **kwargs: Any) -> None:
        kwargs.setdefault("model_name", wordllama_name(dim))
        kwargs.setdefault("embed_batch_size", 256)
        super().__init__(**{**kwargs, "dim": dim})  # dim is this class's own pydantic field
        self._model = load_wordllama(dim)

    @classmethod
    def class_name(cls) -> str:
        return "WordLlamaEmbedding"

    def embed_many(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = embed_texts(texts, self.dim)
        return vectors.tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.embed_many([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.embed_many(texts)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.embed_many([query])[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)
