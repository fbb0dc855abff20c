"""Turn a model's reply into an answer and the quotes it cites.

Models are asked for JSON; the parser also accepts JSON inside a code fence or surrounded by
prose, and falls back to plain text with [n] markers and quoted passages.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from qa.types import ABSTENTION


@dataclass(frozen=True)
class RawCitation:
    source: int | None  # the [n] the model named, None when it named none
    quote: str


@dataclass(frozen=True)
class ModelReply:
    answer: str
    answerable: bool
    citations: tuple[RawCitation, ...]
    format: str  # "json" or "text"
    short: str | None = None  # the short answer span, when the model gave one


# A JSON reply carries at least one of these (the answer prompt asks for all; a small model or
# a token limit may drop some).
_REPLY_KEYS = {"answer", "quote", "citations", "answerable"}
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
MARKER = re.compile(r"\s?\[(\d+)\]")  # a citation marker "[n]" in answer text
_QUOTED = re.compile(r"[\"“]([^\"“”]{8,}?)[\"”]")


def parse_reply(text: str) -> ModelReply:
    data = _json_object(text)
    if data is not None:
        return _from_json(data)
    return _from_text(text)


def _json_object(text: str) -> dict | None:
    candidates = [m.group(1) for m in _FENCE.finditer(text)]
    first, last = text.find("{"), text.rfind("}")
    if first != -1 and last > first:
        candidates.append(text[first : last + 1])
    for candidate in candidates:
        for attempt in (candidate, _TRAILING_COMMA.sub(r"\1", candidate)):
            try:
                data = json.loads(attempt)
            except ValueError:
                continue
            if isinstance(data, dict) and _REPLY_KEYS & data.keys():
                return data
    return None


def _source_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        digits = re.search(r"\d+", value)
        return int(digits.group(0)) if digits else None
    return None


def _from_json(data: dict) -> ModelReply:
    answer = str(data.get("answer") or "").strip()
    citations = []
    # The answer prompt asks for one "quote" with its "source"; a "citations" list of
    # {"source", "quote"} objects (several quotes) is read as well.
    if isinstance(data.get("quote"), str) and data["quote"].strip():
        citations.append(RawCitation(_source_number(data.get("source")), data["quote"]))
    items = data.get("citations")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("quote"), str) and item["quote"].strip():
            citations.append(RawCitation(_source_number(item.get("source")), item["quote"]))
    answerable = data.get("answerable")
    if not isinstance(answerable, bool) or (answer and is_abstention(answer)):
        answerable = not is_abstention(answer)
    elif not answer and not citations:
        answerable = False  # "answerable": true and nothing else is no answer
    short = data.get("short")
    short = short.strip() if isinstance(short, str) and short.strip() else None
    return ModelReply(answer, answerable, tuple(citations), "json", short)


def _from_text(text: str) -> ModelReply:
    answer = text.strip()
    citations = []
    for match in _QUOTED.finditer(answer):
        after = MARKER.search(answer, match.end(), match.end() + 8)
        before = list(MARKER.finditer(answer, 0, match.start()))
        source = int(after.group(1)) if after else (int(before[-1].group(1)) if before else None)
        citations.append(RawCitation(source, match.group(1)))
    return ModelReply(answer, not is_abstention(answer), tuple(citations), "text")


def strip_markers(text: str) -> str:
    """The answer text without its [n] citation markers."""
    return MARKER.sub("", text)


# The abstention as models word it: small ones vary the wording they were told to copy
# ("The article doesn't say.", "The sources do not say").
_ABSTAINS = re.compile(r"^(?:the )?(?:articles?|sources?) (?:don't|doesn't|do not|does not) (?:say|answer|mention)\b")


def is_abstention(answer: str) -> bool:
    normal = " ".join(answer.lower().replace("’", "'").split())
    return not normal or normal.startswith(ABSTENTION.lower().rstrip(".")) or bool(_ABSTAINS.match(normal))
