"""qa: question answering over news articles, with every cited span verified against the article.

    from qa import Assistant
    assistant = Assistant.open()
    assistant.ingest(["data/sample"])
    answer = assistant.ask("How many hostages would be released?")

Heavy dependencies (llama-index, Chroma) load on first use, so `import qa` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Answer",
    "Article",
    "Assistant",
    "Citation",
    "IngestReport",
    "QAError",
    "Settings",
]

if TYPE_CHECKING:  # pragma: no cover
    from qa.assistant import Assistant
    from qa.errors import QAError
    from qa.settings import Settings
    from qa.types import Answer, Article, Citation, IngestReport

_LAZY = {
    "Assistant": "qa.assistant",
    "Settings": "qa.settings",
    "QAError": "qa.errors",
    "Answer": "qa.types",
    "Article": "qa.types",
    "Citation": "qa.types",
    "IngestReport": "qa.types",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'qa' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
