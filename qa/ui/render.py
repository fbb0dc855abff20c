"""HTML for the web UI: citation cards, the article viewer with highlighted spans, retrieved chunks.

Pure functions of value objects, so they are tested without a browser. Every piece of article or
model text goes through `html.escape`: an article holding <script> shows as text, never runs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from html import escape

from qa.answer.support import check_label
from qa.types import Answer, Article, Citation, RetrievedChunk
from qa.ui.conflicts_html import conflicts_html

CONTEXT_CHARS = 90
_counter = itertools.count(1)

CSS = """
.qa-card{border:1px solid #d0d7de;border-radius:8px;margin:8px 0;padding:6px 10px;background:#fafbfc}
.qa-card>summary{cursor:pointer;list-style:none}
.qa-num{font-weight:bold;color:#0969da}
.qa-badge{font-size:.8em;border-radius:10px;padding:1px 8px;margin-left:6px}
.qa-badge.exact,.qa-badge.normalized{background:#dafbe1;color:#116329}
.qa-badge.fuzzy{background:#fff8c5;color:#7d4e00}
.qa-context{color:#57606a;margin:4px 0 2px 0;unicode-bidi:isolate}
.qa-quote{background:#fff3b0;color:#24292f;unicode-bidi:isolate}
.qa-viewer{max-height:420px;overflow:auto;border-top:1px solid #d0d7de;margin-top:6px;padding-top:6px;white-space:pre-wrap}
.qa-viewer mark{background:#ffe58f}
.qa-viewer mark.qa-current{background:#ffb800;outline:2px solid #d48806}
.qa-support{margin:4px 0;font-size:.9em;color:#57606a}
.qa-support.failed{color:#7d4e00}
.qa-related{margin-top:8px;border:1px dashed #afb8c1;padding:6px 10px;color:#57606a}
.qa-related-head{font-weight:600;font-size:.85em;text-transform:uppercase}
.qa-abstain{font-style:italic;color:#57606a;border-left:4px solid #afb8c1;padding-left:8px}
.qa-unsupported{color:#9a6700;background:#fff8c5;padding:4px 8px;border-radius:6px}
.qa-model{color:#57606a;font-size:.85em;margin-top:6px}
.qa-searched{color:#57606a;font-size:.85em;margin-bottom:4px}
#qa-eval-charts svg{display:inline-block;margin:6px}
.qa-error{color:#cf222e;background:#ffebe9;padding:6px 10px;border-radius:6px}
#qa-eval-failing table.qa-failing{width:100%;table-layout:fixed;border-collapse:collapse;border:none;font-size:.9em}
#qa-eval-failing .qa-failing th,#qa-eval-failing .qa-failing td{text-align:left;vertical-align:top;padding:4px 8px;border:none;border-bottom:1px solid #d0d7de;overflow-wrap:anywhere;white-space:normal}
.qa-failing-head{font-weight:600;margin:8px 0 4px 0}
"""

# Opening a citation card scrolls its highlighted span into view ('toggle' does not bubble).
HEAD = """<script>
document.addEventListener('toggle', function (event) {
  var card = event.target;
  if (!card.matches || !card.matches('details.qa-card') || !card.open) return;
  var mark = card.querySelector('mark.qa-current');
  if (mark) mark.scrollIntoView({block: 'center'});
}, true);
</script>"""


def _badge(c: Citation) -> str:
    """Says what a verified citation proves: the quote is in the article, not that it answers."""
    if c.match == "fuzzy":
        return f'<span class="qa-badge fuzzy">quote found in article (verified fuzzy, {c.score:g})</span>'
    return f'<span class="qa-badge {escape(c.match)}">quote found in article (verified exact)</span>'


def _support_html(answer: Answer) -> str:
    """The answer-level verdict: "answer supported" only when every support check passed."""
    support = answer.support
    if support is None:
        return ""
    if support.supported:
        names = ", ".join(escape(check_label(c.name)) for c in support.checks)
        return f'<div class="qa-support ok"><span class="qa-badge exact">answer supported</span> {names}</div>'
    failed = "; ".join(escape(c.detail) for c in support.failed)
    return f'<div class="qa-support failed">An answer was withdrawn: it failed the support check ({failed}).</div>'




def _related_html(answer: Answer) -> str:
    """A withdrawn answer's passages, shown as possibly related reading, not as an answer."""
    if not answer.related:
        return ""
    items = "".join(
        f'<li><b><bdi>{escape(c.title)}</bdi></b>'
        + (f" · {escape(c.published)}" if c.published else "")
        + f': <span class="qa-related-quote">“{escape(c.quote)}”</span></li>'
        for c in answer.related
    )
    return f'<div class="qa-related"><div class="qa-related-head">May be related (not an answer)</div><ul>{items}</ul></div>'


def _context(text: str, c: Citation) -> str:
    before = text[max(0, c.start - CONTEXT_CHARS) : c.start]
    after = text[c.end : c.end + CONTEXT_CHARS]
    lead = "…" if c.start > CONTEXT_CHARS else ""
    tail = "…" if c.end + CONTEXT_CHARS < len(text) else ""
    return f'{lead}{escape(before)}<span class="qa-quote">{escape(c.quote)}</span>{escape(after)}{tail}'


def article_html(text: str, spans: list[tuple[int, int, int]], current: int, uid: str) -> str:
    """The whole article, escaped, with each (start, end, number) span in a <mark>; the span
    numbered `current` is marked as the one the reader clicked. Overlapping spans keep the first."""
    out, cursor = [], 0
    for start, end, number in sorted(spans):
        if start < cursor:
            continue
        out.append(escape(text[cursor:start]))
        cls = ' class="qa-current"' if number == current else ""
        out.append(f'<mark id="qa-mark-{uid}-{number}" data-citation="{number}"{cls}>{escape(text[start:end])}</mark>')
        cursor = end
    out.append(escape(text[cursor:]))
    return "".join(out)


def answer_html(answer: Answer, load_article: Callable[[str], Article | None]) -> str:
    uid = str(next(_counter))
    parts = []
    if answer.search_question and answer.search_question != answer.question:
        # A follow-up is searched as rewritten with the earlier turns: show what was searched.
        parts.append(f'<div class="qa-searched">Searched for: <i>{escape(answer.search_question)}</i></div>')
    if not answer.answerable:
        parts.append(f'<div class="qa-abstain">{escape(answer.answer)}</div>')
    if answer.short:
        parts.append(f'<div class="qa-short">Short answer: <b>{escape(answer.short)}</b></div>')
    parts.append(_support_html(answer))
    parts.append(conflicts_html(answer))  # disagreeing reports side by side, with their dates
    if answer.unsupported:
        parts.append(
            '<div class="qa-unsupported">Not found in any cited passage: '
            + ", ".join(f"<b>{escape(c)}</b>" for c in answer.unsupported)
            + "</div>"
        )
    for number, c in enumerate(answer.citations, start=1):
        article: Article | None = load_article(c.article_id)
        text = article.text if article else c.quote
        same = [(o.start, o.end, n) for n, o in enumerate(answer.citations, start=1) if o.article_id == c.article_id]
        if article is None:
            same = [(0, len(c.quote), number)]
        byline = article.author if article else ""
        meta = " · ".join(escape(x) for x in (byline, c.source, c.published) if x)
        parts.append(
            f'<details class="qa-card" data-citation="{number}">'
            # <bdi>: a right-to-left override in a title cannot reorder the badge after it
            f'<summary><span class="qa-num">[{number}]</span> <b><bdi>{escape(c.title)}</bdi></b>'
            + (f" · {meta}" if meta else "")
            + f" {_badge(c)}"
            + f'<div class="qa-context">{_context(text, c)}</div></summary>'
            f'<div class="qa-viewer">{article_html(text, same, number, uid)}</div></details>'
        )
    parts.append(_related_html(answer))
    if answer.unverified:
        parts.append(f'<div class="qa-model">{len(answer.unverified)} quote(s) the model gave could not be found and were dropped.</div>')
    parts.append(f'<div class="qa-model">Answered by {escape(answer.model)} in {answer.timings.get("total", 0):.0f} ms</div>')
    return "".join(parts)


def chunks_html(chunks: tuple[RetrievedChunk, ...] | list[RetrievedChunk]) -> str:
    rows = "".join(
        f"<tr><td>{c.rank}</td><td>{c.score:.3f}</td><td>{'' if c.dense_score is None else f'{c.dense_score:.3f}'}</td>"
        f"<td>{'' if c.bm25_score is None else f'{c.bm25_score:.2f}'}</td><td><bdi>{escape(c.title)}</bdi></td>"
        f"<td>{escape(c.text[:300])}{'…' if len(c.text) > 300 else ''}</td></tr>"
        for c in chunks
    )
    return (
        "<table class='qa-chunks'><tr><th>#</th><th>fused</th><th>dense</th><th>bm25</th><th>article</th>"
        f"<th>text</th></tr>{rows}</table>"
    )


FAILING_COLUMNS = (("id", "7%"), ("question", "31%"), ("gold", "17%"), ("answer", "45%"))


def failures_html(rows: list[tuple[str, str, str, str]]) -> str:
    """The Eval tab's failing questions (id, question, gold, answer): a table of fixed column
    widths whose cells wrap, so the answer stays on screen at any width."""
    if not rows:
        return '<div class="qa-failing-head">Failing questions: none</div>'
    cols = "".join(f'<col style="width:{width}">' for _, width in FAILING_COLUMNS)
    head = "".join(f"<th>{name}</th>" for name, _ in FAILING_COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return (f'<div class="qa-failing-head">Failing questions ({len(rows)})</div>'
            f'<table class="qa-failing"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def error_html(message: str) -> str:
    return f'<div class="qa-error">{escape(message)}</div>'
