"""User-facing errors.

Every error a user can cause (bad input, bad configuration, a store built with another model)
is a `QAError`: the CLI prints its message on one line and exits non-zero, without a traceback.
Messages say what was wrong and what to do.
"""

from __future__ import annotations


class QAError(Exception):
    """An error caused by input or configuration; its message is shown to the user as is."""

    exit_code = 1


class ArticleError(QAError):
    """A file could not be read as one or more articles."""


class EmptyQuestionError(QAError):
    """The question is empty or unusable."""


class StoreError(QAError):
    """The article store cannot be opened or used."""


class EmbeddingMismatchError(StoreError):
    """The store was built with another embedding model than the one configured."""


class PromptError(QAError):
    """A prompt template is missing or uses variables it may not use."""


class ConfigError(QAError):
    """A setting has a value that cannot be used."""


class ModelError(QAError):
    """The answering or embedding model failed (server down, bad key, timeout, bad reply)."""


class FilterError(QAError):
    """A filter the user asked for cannot be used: an unknown key, a wrong type, an impossible
    date or date range, an article id no stored article has."""

    exit_code = 2  # a usage error, like the bad option values click itself rejects


class StoreMissingError(StoreError):
    """No store exists where the settings point, and the command only reads one."""
