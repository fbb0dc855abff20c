"""Example questions for an empty chat, drawn from the articles in the store.

One question per article, built from its title, for the newest articles first (ties broken by
id), so the same store always offers the same examples. The chat shows them as plain text
(Gradio sets them as text, not HTML); they are sent only after login, never in the page's config.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

MAX_EXAMPLES = 4
MAX_TITLE_CHARS = 90  # a longer title is cut at a word, so an example card stays a few lines


class Titled(Protocol):
    """What an example needs of an article (qa.types.ArticleInfo has it)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def published(self) -> str | None: ...


def _short_title(title: str) -> str:
    title = " ".join(title.split())
    if len(title) <= MAX_TITLE_CHARS:
        return title
    cut = title[:MAX_TITLE_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"


def example_questions(articles: Iterable[Titled], limit: int = MAX_EXAMPLES) -> list[str]:
    """Up to `limit` questions, newest article first; articles without a title are skipped, and
    two articles with the same title give one question."""
    newest = sorted(articles, key=lambda a: a.id)
    newest.sort(key=lambda a: a.published or "", reverse=True)
    questions: list[str] = []
    for article in newest:
        title = _short_title(article.title or "")
        question = f"What does the article “{title}” report?"
        if title and question not in questions:
            questions.append(question)
        if len(questions) == limit:
            break
    return questions


def chat_examples(articles: Iterable[Titled]) -> list[dict[str, str]] | None:
    """The Chatbot's `examples` value: None when there is nothing to offer (an empty store)."""
    questions = example_questions(articles)
    return [{"text": q} for q in questions] or None
