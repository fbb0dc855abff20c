"""Loading WordLlama offline (kept apart from qa.embedding so the embedding worker process
starts without importing llama-index)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

WORDLLAMA_CONFIG = "l2_supercat"
WORDLLAMA_DIM = 256


@lru_cache(maxsize=2)
def load_wordllama(dim: int = WORDLLAMA_DIM) -> Any:
    """Load WordLlama from its own package folder.

    Its default lookup searches a cache folder first and then downloads; the weights and the
    tokenizer config ship inside the wheel, so point it there and forbid downloads.
    """
    import wordllama
    from wordllama import WordLlama

    return WordLlama.load(
        config=WORDLLAMA_CONFIG,
        cache_dir=Path(wordllama.__file__).parent,
        dim=dim,
        disable_download=True,
    )
