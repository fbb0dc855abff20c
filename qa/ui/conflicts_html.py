"""HTML for disagreeing reports (`Answer.conflicts`): one card per report, side by side, newest
first, each with its date, its value, its headline and the verified sentence. Inline styles, so
the page's stylesheet needs nothing; all article text goes through `html.escape`."""

from __future__ import annotations

from html import escape

from qa.types import Answer

_ROW = "display:flex;flex-wrap:wrap;gap:8px;margin:6px 0"
_CARD = "flex:1 1 220px;border:1px solid #d4a72c;border-radius:8px;padding:6px 10px;background:#fff8e5"
_NEWEST = "flex:1 1 220px;border:2px solid #1a7f37;border-radius:8px;padding:6px 10px;background:#f0fff4"


def conflicts_html(answer: Answer) -> str:
    """"" when the reports agree (or there is one)."""
    if not answer.conflicts:
        return ""
    cards = []
    for i, r in enumerate(answer.conflicts):
        label = "newest" if i == 0 else "earlier"
        cards.append(
            f'<div class="qa-conflict" data-article="{escape(r.article_id)}" style="{_NEWEST if i == 0 else _CARD}">'
            f'<div style="font-size:.8em;color:#57606a">{escape(r.published or "undated")} · {label}</div>'
            f'<div style="font-size:1.3em;font-weight:600">{escape(r.value)}</div>'
            f"<div><b><bdi>{escape(r.title)}</bdi></b></div>"
            f'<div style="color:#57606a;font-size:.9em">“{escape(r.quote)}”</div></div>'
        )
    return ('<div class="qa-conflicts"><div style="font-weight:600">The reports differ (newest first)</div>'
            f'<div style="{_ROW}">{"".join(cards)}</div></div>')
