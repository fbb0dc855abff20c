"""The chat bubbles' content: escaped HTML built here, shown by a Chatbot that renders no Markdown.

Article text reaches the chat (the answer is a cited sentence): rendered as Markdown or HTML, an
article holding `![x](http://tracker/p.png)` or `<img src=...>` would make the reader's browser
fetch it. So every bubble is plain text, escaped, with only the tags added here (<b>, <i>, <br>).
"""

from __future__ import annotations

import re
from html import escape, unescape
from typing import Any

from qa.types import Answer

WARNING = "⚠️ "  # marks an error bubble; errors are not earlier turns of the conversation
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def text_bubble(text: str) -> str:
    """Any text as a bubble: escaped, its line breaks kept."""
    return escape(text).replace("\n", "<br>")


def error_bubble(message: str) -> str:
    return text_bubble(WARNING + message)


def _short_at(text: str, short: str) -> re.Match[str] | None:
    """The first place `short` stands in `text` as whole words (any case), if it does."""
    lead = r"\b" if short[:1].isalnum() else ""
    tail = r"\b" if short[-1:].isalnum() else ""
    return re.search(lead + re.escape(short) + tail, text, re.IGNORECASE)


def answer_bubble(answer: Answer) -> str:
    """The final answer: the short answer shown once, in bold where the sentence says it (or in
    front of the sentence when it does not); an abstention in italics."""
    if not answer.answerable:
        return f"<i>{text_bubble(answer.answer)}</i>"
    text, short = answer.answer, (answer.short or "").strip()
    found = _short_at(text, short) if short else None
    if found is None:
        return (f"<b>{text_bubble(short)}</b><br>" if short else "") + text_bubble(text)
    start, end = found.span()
    return text_bubble(text[:start]) + f"<b>{text_bubble(text[start:end])}</b>" + text_bubble(text[end:])


def bubble_text(content: Any) -> str:
    """A bubble back as plain text, for condensing a follow-up with the earlier turns. Gradio may
    hand content back as a list of typed parts; text not built here (an API client's history)
    holds no tags of ours, and is read the same way."""
    if isinstance(content, dict):
        return bubble_text(content.get("text", ""))
    if isinstance(content, (list, tuple)):
        return " ".join(bubble_text(part) for part in content)
    html = _BREAK.sub("\n", str(content))
    return unescape(_TAG.sub("", html))
