"""What the commands work on: the settings, with the global options (`qa --store DIR
--collection NAME COMMAND`) applied over the environment, and the Assistant they open.

qa.settings and qa.assistant load inside the functions, so `qa --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from qa.assistant import Assistant, Library
    from qa.settings import Settings

_overrides: dict[str, Any] = {}


def set_global_options(store: Optional[Path], collection: Optional[str]) -> None:
    """Remember the options given before the command name (those not given are left as they are)."""
    if store is not None:
        _overrides["store"] = store
    if collection is not None:
        _overrides["collection"] = collection


def load_settings() -> Settings:
    """The effective settings: defaults, .env and environment, then the global options."""
    from qa.settings import load_settings as load_from_environment

    return load_from_environment(**_overrides)


def open_assistant(create: bool = False) -> Assistant:
    """The Assistant on the configured store. Only `qa ingest` passes `create=True`: every other
    command on a store that does not exist says so (and how to make one) instead of creating an
    empty one."""
    from qa.assistant import Assistant

    return Assistant.open(load_settings(), create=create)


def open_library() -> Library:
    """The configured store's articles without the models (`qa articles`, `qa stats`): the
    offline default models are not loaded to list what is stored."""
    from qa.assistant import Library

    return Library.open(load_settings())


def checked_question(question: str) -> str:
    """The question as `Assistant.ask` will read it, checked before anything heavy loads: an
    empty question fails before even the settings load, an overlong one right after."""
    from qa.text.question import clean_question

    clean_question(question)
    return clean_question(question, load_settings().max_question_chars)


def require_store(settings: Settings) -> None:
    """A `StoreMissingError` when the store the settings name does not exist (for commands that
    open it without an Assistant)."""
    from qa.store.opening import require_store as require

    require(settings)
