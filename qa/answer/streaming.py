"""Show only the answer text while a JSON reply streams in.

Models reply with a JSON object; readers should see the value of its "answer" field as it is
written, not the braces and keys. Replies that are not JSON stream through unchanged.
"""

from __future__ import annotations

import json
import re

_ANSWER_KEY = re.compile(r'"answer"\s*:\s*"')


class AnswerTextStream:
    def __init__(self) -> None:
        self._shown = 0
        self._mode: str | None = None  # "json" or "text", decided by the first visible character

    def feed(self, text_so_far: str) -> str:
        """The new visible text, given everything received so far."""
        if self._mode is None:
            start = text_so_far.lstrip()
            if not start:
                return ""
            self._mode = "json" if start[0] in "{`" else "text"
        visible = text_so_far if self._mode == "text" else _partial_answer(text_so_far)
        delta = visible[self._shown :]
        self._shown = len(visible)
        return delta


def _partial_answer(text: str) -> str:
    """The decoded characters of the "answer" string value written so far."""
    match = _ANSWER_KEY.search(text)
    if not match:
        return ""
    out, i = [], match.end()
    while i < len(text):
        ch = text[i]
        if ch == '"':
            break
        if ch == "\\":
            escape = text[i : i + 6] if text[i + 1 : i + 2] == "u" else text[i : i + 2]
            if len(escape) < 2 or (escape[1] == "u" and len(escape) < 6):
                break  # the escape is not complete yet
            try:
                out.append(json.loads(f'"{escape}"'))
            except ValueError:
                out.append(escape)
            i += len(escape)
            continue
        out.append(ch)
        i += 1
    return "".join(out)
