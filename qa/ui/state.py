"""What the UI's handlers share: the settings and an Assistant per answering model."""

from __future__ import annotations

import threading

from qa.assistant import Assistant
from qa.models.registry import EXTRACTIVE
from qa.settings import Settings


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
