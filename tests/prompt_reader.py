"""Reads the question and sources back out of a rendered answer prompt.

A test helper: the fake OpenAI server's scripted replies and the hostile-input tests check what a
real model is shown. qa itself never parses its own prompts (the offline model gets the sources as
data, qa/models/protocols.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class PromptSource:
    number: int
    title: str
    text: str


# Header fields are one line each ([^\n]*): with DOTALL a greedy `.*` could run on to a fake
# "Outlet:/Text:" header inside the article text and make that text the source.
_BLOCK = re.compile(
    r"=== SOURCE \[(\d+)\] ref=([0-9a-f]{12}) ===\n"
    r"Title: ([^\n]*)\nOutlet: [^\n]*\nPublished: [^\n]*\nText:\n(.*?)\n=== END SOURCE \[\1\] ref=\2 ===",
    re.DOTALL,
)
_QUESTION = re.compile(r"^Question \(JSON string\): (.*)$", re.MULTILINE)


def read_prompt(prompt: str) -> tuple[str, list[PromptSource]]:
    """The question and sources from a rendered answer prompt."""
    # The question line comes after the sources: take the last one.
    match = next(reversed(list(_QUESTION.finditer(prompt))), None)
    question = ""
    if match:
        try:
            question = str(json.loads(match.group(1)))
        except ValueError:
            question = match.group(1)
    sources = [
        PromptSource(int(m.group(1)), m.group(3), m.group(4)) for m in _BLOCK.finditer(prompt)
    ]
    return question, sources
