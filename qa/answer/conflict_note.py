"""How an answer presents disagreeing reports (found by qa/answer/conflicts.py): it leads with the
newest report and says that an earlier one differed: "... has risen to seven [1] (an earlier
report, 2025-09-14, said three [2])". A question about the earlier report ("according to the
first report") leads with the earliest instead.

When the model answered from another report than the one to lead with, the lead becomes that
report's sentence, cited first (a verified quote: it is the stored article's text at its
offsets); the model's citations follow, so the note can point at them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qa.answer.conflicts import Found
from qa.reader.question_types import question_type
from qa.text.recency import asks_earlier
from qa.text.values import read_value, same_value
from qa.types import Citation, ConflictReport, RetrievedChunk


@dataclass(frozen=True)
class Presented:
    answer: str
    short: str | None
    citations: tuple[Citation, ...]
    swapped: bool  # the lead moved from the model's report to another
    note: str  # "(an earlier report, 2025-09-14, said three [2])", the end of `answer`; "" when none


def present(
    question: str, answer: str, short: str | None, citations: Sequence[Citation], found: Found,
    chunks: Sequence[RetrievedChunk], keep_lead: bool = False,
) -> Presented:
    """The answer led by the newest report (the earliest for a question about the first report;
    the model's own with `keep_lead`), followed by the note on the reports that differ from it."""
    expect = question_type(question)
    dated = [r for r in found.reports if r.published] or list(found.reports)
    target = dated[-1] if asks_earlier(question) else dated[0]
    swapped = (not keep_lead and target.article_id != found.lead.article_id
               and same_value(read_value(found.lead.value, expect), read_value(target.value, expect)) is False)
    cites = list(citations)
    if swapped:  # the newest report's sentence first; the model's own quote of it is then a repeat
        cites = [_citation(target, chunks)] + [c for c in cites if not _overlaps(c, target)]
        answer, short = f"{target.quote} [1]", target.value
    head = target if swapped else found.lead

    def marker(report: ConflictReport) -> str:
        for number, c in enumerate(cites, start=1):
            if _overlaps(c, report):
                return f" [{number}]"
        return ""

    said = note(head, found.reports, expect, marker)
    return Presented(f"{answer} {said}" if said else answer, short, tuple(cites), swapped, said)


def note(head: ConflictReport, reports: Sequence[ConflictReport], expect: str | None,
         marker: Callable[[ConflictReport], str] = lambda report: "") -> str:
    """"(an earlier report, 2025-09-14, said three [2])" for each report whose value differs from
    the head's; "" when none does. `marker`: a report's citation marker (" [2]"), "" if uncited."""
    head_value = read_value(head.value, expect)
    parts = []
    for report in reports:
        if report.article_id == head.article_id or same_value(head_value, read_value(report.value, expect)) is not False:
            continue
        dated = f", {report.published}," if report.published else ""
        parts.append(f"{_relation(report.published, head.published)}{dated} said {report.value}{marker(report)}")
    return "(" + "; ".join(parts) + ")" if parts else ""


def _overlaps(c: Citation, report: ConflictReport) -> bool:
    return c.article_id == report.article_id and c.start < report.end and report.start < c.end


def _relation(published: str, head: str) -> str:
    if published and head and published < head:
        return "an earlier report"
    if published and head and published > head:
        return "a later report"
    return "another report"


def _citation(report: ConflictReport, chunks: Sequence[RetrievedChunk]) -> Citation:
    meta = next((c for c in chunks if c.article_id == report.article_id), None)
    return Citation(
        article_id=report.article_id, title=report.title, start=report.start, end=report.end, quote=report.quote,
        url=meta.url if meta else "", published=report.published, source=meta.source if meta else "",
    )


def conflict_lines(reports: Sequence[ConflictReport]) -> list[str]:
    """The reports as plain lines for a terminal, newest first: date, value, headline, then the
    quote with where it is."""
    if not reports:
        return []
    width = max(len(r.value) for r in reports)
    lines = ["", "reports differ (newest first):"]
    for r in reports:
        lines.append(f"  {r.published or 'undated':<10}  {r.value:<{width}}  {r.title}")
        lines.append(f"      “{r.quote}” ({r.article_id} chars {r.start}-{r.end})")
    return lines
