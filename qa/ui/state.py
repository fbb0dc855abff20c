"""What the UI's handlers share: the settings and an Assistant per answering model."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qa.assistant import Assistant
from qa.models.registry import EXTRACTIVE
from qa.settings import Settings


@dataclass(frozen=True)
class Loader:
    """What a tab fills in when the page loads, i.e. after login: `fn()`'s values go to `outputs`.
    Anything about the store or the server's files is sent this way, never as a component's
    initial value (Gradio puts those in the page's config, shown before login)."""

    name: str  # the event's API name
    fn: Callable[[], Any]
    outputs: list[Any]


class UIState:
    """Assistants per answering model, sharing one embedder and one store."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.default = Assistant.open(settings)
        self._by_model = {settings.llm: self.default}
        self._lock = threading.Lock()

    @property
    def models(self) -> list[str]:
        return list(dict.fromkeys([self.settings.llm, EXTRACTIVE]))

    def assistant(self, model: str | None) -> Assistant:
        model = model or self.settings.llm
        with self._lock:
            if model not in self._by_model:
                copy = self.settings.model_copy(update={"llm": model})
                self._by_model[model] = Assistant.open(copy, embedder=self.default.embedder)
            return self._by_model[model]
