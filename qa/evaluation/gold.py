"""Gold question sets: the project's JSONL format, and SQuAD 1.1/2.0 files.

JSONL, one question a line:
    {"id": "q1", "question": "...", "answers": ["ten", "10"], "answerable": true,
     "evidence": [{"article": "ARTICLE_ID", "quote": "...", "start": 1234, "end": 1264}]}
`start`/`end` are optional; unknown fields are ignored (except `tags`, kept for grouping).
Optional, for questions whose articles disagree (tag `conflict`): `sides`, the values each side
reports, one list of acceptable strings per side (`[["nine", "9"], ["four", "4"]]`); `qa eval`
checks that every side is among `Answer.conflicts`.
Optional, for trust checks: `since`/`until` (ISO dates) and `articles` (ids) restrict the search as
`qa ask --since/--until/--article` do; `history` (earlier questions of a chat) makes the question a
follow-up, condensed as `qa chat` does; `wrong_answers` are answers about the wrong entity or dates
("2016" for "When did Halcyon-2 launch?" from a sentence about Halcyon-1): giving one is a false answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa.errors import QAError
from qa.ingest.loading import slug
from qa.types import Article, Filters


class GoldError(QAError):
    """A gold file that cannot be used."""


@dataclass(frozen=True)
class Evidence:
    article: str
    quote: str
    start: int | None = None
    end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"article": self.article, "quote": self.quote, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    question: str
    answers: tuple[str, ...]
    answerable: bool
    evidence: tuple[Evidence, ...] = ()
    tags: tuple[str, ...] = field(default=())
    filters: Filters = field(default_factory=Filters)
    history: tuple[str, ...] = ()  # earlier questions of the chat, oldest first
    wrong_answers: tuple[str, ...] = ()
    sides: tuple[tuple[str, ...], ...] = ()  # disagreeing reports: acceptable values per side

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "answers": list(self.answers),
            "answerable": self.answerable,
            "evidence": [e.to_dict() for e in self.evidence],
            "tags": list(self.tags),
            "filters": self.filters.to_dict(),
            "history": list(self.history),
            "wrong_answers": list(self.wrong_answers),
            "sides": [list(side) for side in self.sides],
        }


def _read(path: Path) -> str:
    if not path.exists():
        raise GoldError(f"gold file {path} does not exist")
    if path.is_dir():
        raise GoldError(f"gold file {path} is a folder; give a .jsonl file")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise GoldError(f"gold file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise GoldError(f"cannot read gold file {path}: {exc.strerror or exc}") from None


def _question(record: Any, where: str) -> GoldQuestion:
    if not isinstance(record, dict):
        raise GoldError(f"{where}: expected a JSON object")
    question = record.get("question")
    if not isinstance(question, str) or not question.strip():
        raise GoldError(f"{where}: missing or empty 'question'")
    answers = record.get("answers", [])
    if isinstance(answers, str):
        answers = [answers]
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        raise GoldError(f"{where}: 'answers' must be a list of strings")
    answerable = record.get("answerable", bool(answers))
    if not isinstance(answerable, bool):
        raise GoldError(f"{where}: 'answerable' must be true or false")
    if answerable and not answers:
        raise GoldError(f"{where}: an answerable question needs at least one answer")
    evidence = []
    for item in record.get("evidence") or []:
        if not isinstance(item, dict) or not isinstance(item.get("article"), str) or not isinstance(
            item.get("quote", ""), str
        ):
            raise GoldError(f"{where}: each evidence needs 'article' and 'quote' strings")
        start, end = item.get("start"), item.get("end")
        if (start is None) != (end is None) or (
            start is not None and not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end)
        ):
            raise GoldError(f"{where}: evidence 'start'/'end' must both be given, as 0 <= start < end")
        evidence.append(Evidence(item["article"], item.get("quote", ""), start, end))
    tags = record.get("tags") or []
    return GoldQuestion(
        filters=_filters(record, where),
        history=_strings(record, "history", where),
        wrong_answers=_strings(record, "wrong_answers", where),
        sides=_sides(record, where),
        id=str(record.get("id") or where.replace(" ", "-")),
        question=question.strip(),
        answers=tuple(answers),
        answerable=answerable,
        evidence=tuple(evidence),
        tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
    )


def _strings(record: dict, key: str, where: str) -> tuple[str, ...]:
    value = record.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise GoldError(f"{where}: {key!r} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _sides(record: dict, where: str) -> tuple[tuple[str, ...], ...]:
    """`sides`: a list with one entry per side, each a string or a list of acceptable strings."""
    value = record.get("sides") or []
    message = f"{where}: 'sides' must be a list of at least two sides, each a value or a list of values"
    if not isinstance(value, list) or len(value) == 1:
        raise GoldError(message)
    sides = []
    for side in value:
        side = [side] if isinstance(side, str) else side
        if not isinstance(side, list) or not side or not all(isinstance(v, str) and v.strip() for v in side):
            raise GoldError(message)
        sides.append(tuple(v.strip() for v in side))
    return tuple(sides)


def _filters(record: dict, where: str) -> Filters:
    from datetime import date

    dates = {}
    for key in ("since", "until"):
        value = record.get(key) or ""
        try:
            dates[key] = date.fromisoformat(value).isoformat() if value else ""
        except (TypeError, ValueError):
            raise GoldError(f"{where}: {key!r} must be a date as YYYY-MM-DD, not {value!r}") from None
    if dates["since"] and dates["until"] and dates["since"] > dates["until"]:
        raise GoldError(f"{where}: 'since' {dates['since']} is after 'until' {dates['until']}")
    return Filters(_strings(record, "articles", where), dates["since"], dates["until"])


def load_gold(path: Path) -> list[GoldQuestion]:
    path = Path(path)
    questions, seen = [], set()
    for number, line in enumerate(_read(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise GoldError(f"{path} line {number}: invalid JSON ({exc})") from None
        question = _question(record, f"line {number}")
        if question.id in seen:
            raise GoldError(f"{path} line {number}: duplicate question id {question.id!r}")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise GoldError(f"gold file {path} has no questions")
    return questions


def parse_slice(value: str, total: int) -> range:
    """'0:8' -> range(0, 8); '3' -> range(3, 4); bounds checked against `total`."""
    try:
        if ":" in value:
            start_text, end_text = value.split(":", 1)
            start = int(start_text) if start_text else 0
            end = int(end_text) if end_text else total
        else:
            start = int(value)
            end = start + 1
    except ValueError:
        raise GoldError(f"--squad-articles {value!r}: use START:END, e.g. 0:8") from None
    if not 0 <= start < end <= total:
        raise GoldError(f"--squad-articles {value!r}: the file has {total} articles (0:{total})")
    return range(start, end)


def load_squad(path: Path, articles: str | None = None) -> tuple[list[Article], list[GoldQuestion]]:
    """Each SQuAD paragraph becomes an article; each question keeps its answer spans as evidence."""
    path = Path(path)
    try:
        data = json.loads(_read(path))
        topics = data["data"]
    except (ValueError, KeyError, TypeError):
        raise GoldError(f"{path} is not a SQuAD file (expected JSON with a 'data' list)") from None
    chosen = parse_slice(articles, len(topics)) if articles else range(len(topics))
    out_articles: list[Article] = []
    questions: list[GoldQuestion] = []
    for t in chosen:
        topic = topics[t]
        title = str(topic.get("title", f"topic {t}")).replace("_", " ")
        for p, paragraph in enumerate(topic.get("paragraphs", [])):
            article_id = f"{slug(title)}-{p}"
            context = paragraph["context"]
            out_articles.append(Article(id=article_id, title=title, text=context, source="SQuAD", path=str(path)))
            for qa in paragraph.get("qas", []):
                spans = sorted({(a["answer_start"], a["answer_start"] + len(a["text"])) for a in qa.get("answers", [])})
                answers = tuple(dict.fromkeys(a["text"] for a in qa.get("answers", [])))
                impossible = bool(qa.get("is_impossible", False)) or not answers
                questions.append(
                    GoldQuestion(
                        id=str(qa["id"]),
                        question=qa["question"].strip(),
                        answers=() if impossible else answers,
                        answerable=not impossible,
                        evidence=() if impossible else _merged(article_id, context, spans),
                        tags=(title,),
                    )
                )
    return out_articles, questions


def _merged(article_id: str, context: str, spans: list[tuple[int, int]]) -> tuple[Evidence, ...]:
    """Annotators' spans for one answer overlap: merge overlapping ones into one evidence span."""
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple(Evidence(article_id, context[s:e], s, e) for s, e in merged)
