"""Run a gold question set through the assistant and score every answer and citation."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from qa.answer.citations import align
from qa.answer.parsing import strip_markers
from qa.evaluation import metrics as m
from qa.evaluation.gold import GoldError, GoldQuestion
from qa.models.protocols import Warmable
from qa.store.filters import excluded_by
from qa.types import Article, RetrievalMode

if TYPE_CHECKING:
    from qa.assistant import Assistant
    from qa.settings import Settings


@dataclass(frozen=True)
class Span:
    article: str
    start: int
    end: int


@dataclass
class QuestionResult:
    id: str
    question: str
    tags: list[str]
    gold_answers: list[str]
    gold_answerable: bool
    gold_evidence: list[dict[str, Any]]
    prediction: str = ""
    short: str | None = None
    answerable: bool = False
    citations: list[dict[str, Any]] = field(default_factory=list)
    unverified: int = 0
    unsupported: list[str] = field(default_factory=list)
    retrieved: list[dict[str, Any]] = field(default_factory=list)
    scores: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    usage: dict[str, int] = field(default_factory=dict)
    withdrawn: str = ""  # why the model's claimed answer was not shown (qa/answer/gate.py)
    support: dict[str, Any] | None = None  # the answer-level checks (qa/answer/support.py)
    search_question: str = ""  # what a follow-up was searched as ("" when as asked)
    conflicts: list[dict[str, Any]] = field(default_factory=list)  # disagreeing reports (Answer.conflicts)
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def resolve_evidence(
    questions: list[GoldQuestion], load_article: Callable[[str], Article | None]
) -> tuple[dict[str, list[Span]], list[str]]:
    """Gold evidence as exact spans (locating quotes without offsets), plus the problems found.
    Unknown article ids are an error: the run would measure nothing useful."""
    spans: dict[str, list[Span]] = {}
    problems: list[str] = []
    unknown: set[str] = set()
    for q in questions:
        spans[q.id] = []
        unknown.update(a for a in q.filters.article_ids if load_article(a) is None)
        for ev in q.evidence:
            article = load_article(ev.article)
            if article is None:
                unknown.add(ev.article)
                continue
            if ev.start is not None and ev.end is not None:
                if ev.end > len(article.text):
                    problems.append(f"{q.id}: evidence {ev.start}-{ev.end} is past the end of {ev.article}")
                    continue
                spans[q.id].append(Span(ev.article, ev.start, ev.end))
                continue
            found = align(article.text, ev.quote)
            if found is None:
                problems.append(f"{q.id}: gold quote not found in {ev.article}: {ev.quote[:60]!r}")
                continue
            spans[q.id].append(Span(ev.article, found[0], found[1]))
    if unknown:
        names = ", ".join(sorted(unknown)[:5]) + (" ..." if len(unknown) > 5 else "")
        raise GoldError(
            f"the gold file names {len(unknown)} article id(s) the store does not hold: {names}; "
            "ingest those articles (or pass --articles DIR) and check the ids with `qa articles`"
        )
    return spans, problems


def score_question(
    q: GoldQuestion, spans: list[Span], result: QuestionResult, load_article: Callable[[str], Article | None], depth: int
) -> None:
    text = result.short if result.short else strip_markers(result.prediction)
    s: dict[str, Any] = {"abstained": not result.answerable}
    if q.answerable:
        s["exact_match"] = m.exact_match(text, q.answers) if result.answerable else 0.0
        s["f1"] = m.token_f1(text, q.answers) if result.answerable else 0.0
        s["answer_recall"] = m.answer_recall(result.prediction, q.answers) if result.answerable else 0.0
    s["decision_correct"] = result.answerable == q.answerable
    s["false_answer"] = result.answerable and (not q.answerable or _wrong(result.short, result.prediction, q) or _outside(result, q))
    valid = 0
    for c in result.citations:
        article = load_article(c["article_id"])
        valid += bool(article is not None and article.text[c["start"] : c["end"]] == c["quote"])
    s["citations"] = len(result.citations)
    s["valid_citations"] = valid
    s["conflict_reported"] = bool(result.conflicts)
    s["conflict_reports"] = len(result.conflicts)
    s["valid_conflict_reports"] = sum(_verified(r, load_article) for r in result.conflicts)
    if q.sides:
        s["sides_shown"] = m.sides_shown([r["value"] for r in result.conflicts], q.sides)
    if spans:
        cited = [Span(c["article_id"], c["start"], c["end"]) for c in result.citations]
        s["evidence_spans"] = len(spans)
        s["evidence_covered"] = sum(any(_hits(c, g) for c in cited) for g in spans)
        s["citations_on_evidence"] = sum(any(_hits(c, g) for g in spans) for c in cited)
        gold_articles = {g.article for g in spans}
        chunks = result.retrieved[:depth]
        s["article_rank"] = m.first_hit_rank([r["article_id"] in gold_articles for r in chunks])
        s["evidence_rank"] = m.first_hit_rank(
            [any(r["article_id"] == g.article and r["start"] <= g.start and g.end <= r["end"] for g in spans) for r in chunks]
        )
    result.scores = s


def _verified(report: dict[str, Any], load_article: Callable[[str], Article | None]) -> bool:
    """A disagreeing report's quote is the stored article's text at its offsets, and its value is
    words of the quote (checked as citations are)."""
    article = load_article(report["article_id"])
    return bool(article is not None and article.text[report["start"]:report["end"]] == report["quote"]
                and report["value"] and report["value"] in report["quote"])


def _wrong(short: str | None, prediction: str, q: GoldQuestion) -> bool:
    """An answer about the wrong entity or dates: the short answer is a known wrong one (or, with no
    short answer, the answer text gives a wrong one and no right one)."""
    if not q.wrong_answers:
        return False
    if short:
        return bool(m.exact_match(short, q.wrong_answers)) or (
            bool(m.answer_recall(short, q.wrong_answers)) and not m.answer_recall(short, q.answers)
        )
    return bool(m.answer_recall(prediction, q.wrong_answers)) and not m.answer_recall(prediction, q.answers)


def _outside(result: QuestionResult, q: GoldQuestion) -> bool:
    """A citation from an article the question's filters exclude."""
    return any(excluded_by(q.filters, c["article_id"], c.get("published") or "") for c in result.citations)


def _hits(a: Span, b: Span) -> bool:
    return a.article == b.article and m.overlaps(a.start, a.end, b.start, b.end)


class QuestionWorkers(Protocol):
    """What run_questions asks of qa.evaluation.workers.EvalWorkers (which imports this module,
    so it is described here rather than imported)."""

    def answer(
        self,
        settings: Settings,
        questions: list[GoldQuestion],
        spans: dict[str, list[Span]],
        *,
        top_k: int,
        mode: RetrievalMode,
        concurrency: int,
        depth: int,
        on_done: Callable[[QuestionResult], None] | None = None,
    ) -> list[QuestionResult]: ...


def run_questions(
    assistant: Assistant,
    questions: list[GoldQuestion],
    *,
    top_k: int,
    mode: str,
    concurrency: int = 1,
    workers: QuestionWorkers | None = None,
    depth: int = 10,
    on_done: Callable[[QuestionResult], None] | None = None,
) -> tuple[list[QuestionResult], list[str], float]:
    """Answer and score every question; returns (results in gold order, gold problems, seconds).
    `concurrency`: threads (for remote models, which wait on the network); `workers`: a
    qa.evaluation.workers.EvalWorkers, processes that each open the same store (for the offline
    model, which is CPU-bound). `mode` is not checked here (`qa eval` checks it against
    RETRIEVAL_MODES); an unknown mode retrieves nothing."""
    retrieval = cast(RetrievalMode, mode)
    spans, problems = resolve_evidence(questions, assistant.article)
    assistant.lexical.ensure_current(assistant.store)  # once, before any thread needs it
    depth = max(depth, top_k)
    started = time.perf_counter()
    if workers is not None:
        results = workers.answer(
            assistant.settings, questions, spans, top_k=top_k, mode=retrieval, concurrency=concurrency,
            depth=depth, on_done=on_done,
        )
    else:
        warm_model(assistant, [q.question for q in questions], assistant.lexical.texts())
        results = answer_all(assistant, questions, spans, top_k, retrieval, concurrency, depth, on_done)
    return results, problems, time.perf_counter() - started


def warm_model(assistant: Assistant, questions: list[str], passages: Iterable[str]) -> None:
    """Batch work a model can do up front (the offline model parses the texts it will read)."""
    if isinstance(assistant.llm, Warmable):
        assistant.llm.warm(questions, passages)


def answer_all(
    assistant: Assistant,
    questions: list[GoldQuestion],
    spans: dict[str, list[Span]],
    top_k: int,
    mode: RetrievalMode,
    concurrency: int = 1,
    depth: int = 10,
    on_done: Callable[[QuestionResult], None] | None = None,
) -> list[QuestionResult]:
    def one(q: GoldQuestion) -> QuestionResult:
        result = answer_one(assistant, q, spans[q.id], top_k, mode, depth)
        if on_done is not None:
            on_done(result)
        return result

    if concurrency <= 1:
        return [one(q) for q in questions]
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(one, questions))


def answer_one(
    assistant: Assistant, q: GoldQuestion, spans: list[Span], top_k: int, mode: RetrievalMode, depth: int
) -> QuestionResult:
    result = QuestionResult(
        q.id, q.question, list(q.tags), list(q.answers), q.answerable, [e.to_dict() for e in q.evidence]
    )
    try:
        # A follow-up is condensed with the chat's earlier questions, as `qa chat` does.
        search = assistant.condense([("user", h) for h in q.history], q.question) if q.history else q.question
        filters = None if q.filters.empty else q.filters
        started = time.perf_counter()
        chunks = assistant.retriever.retrieve(search, depth, filters, mode)
        retrieve_ms = round((time.perf_counter() - started) * 1000, 2)
        answer = assistant.chain.answer(search, chunks[:top_k], {"retrieve": retrieve_ms}, filters=filters)
        result.search_question = search if search != q.question else ""
        result.prediction = answer.answer
        result.short = getattr(answer, "short", None)
        result.answerable = answer.answerable
        result.citations = [c.to_dict() for c in answer.citations]
        result.unverified = len(answer.unverified)
        result.unsupported = list(answer.unsupported)
        result.retrieved = [
            {"article_id": c.article_id, "start": c.start, "end": c.end, "score": c.score} for c in chunks
        ]
        result.timings = answer.timings
        result.usage = answer.usage
        result.withdrawn = answer.withdrawn
        result.support = answer.support.to_dict() if answer.support is not None else None
        result.conflicts = [c.to_dict() for c in answer.conflicts]
    except Exception as exc:  # one failing question is recorded; the run goes on
        result.error = f"{type(exc).__name__}: {exc}"
    score_question(q, spans, result, assistant.article, depth)
    return result


def _rate(values: list[float]) -> float | None:
    value = m.mean(values)
    return None if value is None else round(value, 4)


def aggregate(results: list[QuestionResult]) -> dict[str, Any]:
    """All quality metrics (deterministic for a deterministic model; no timings here)."""
    has = [r for r in results if r.gold_answerable]
    no = [r for r in results if not r.gold_answerable]
    answered = [r for r in results if r.answerable]
    cites = sum(r.scores["citations"] for r in results)
    with_evidence = [r for r in has if r.scores.get("evidence_spans")]
    squad_f1 = [r.scores["f1"] for r in has] + [1.0 if not r.answerable else 0.0 for r in no]
    out: dict[str, Any] = {
        "questions": len(results),
        "answerable": len(has),
        "unanswerable": len(no),
        "errors": sum(1 for r in results if r.error),
        "answer": {
            "exact_match": _rate([r.scores["exact_match"] for r in has]),
            "f1": _rate([r.scores["f1"] for r in has]),
            "answer_recall": _rate([r.scores["answer_recall"] for r in has]),
        },
        "squad2": {
            "has_ans_f1": _rate([r.scores["f1"] for r in has]),
            "no_ans_f1": _rate([1.0 if not r.answerable else 0.0 for r in no]),
            "overall_f1": _rate(squad_f1),
        },
        "abstention": {
            "accuracy": _rate([float(r.scores["decision_correct"]) for r in results]),
            "has_ans_answered": _rate([float(r.answerable) for r in has]),
            "no_ans_accuracy": _rate([float(not r.answerable) for r in no]),
            "false_refusals": sum(1 for r in has if not r.answerable),
            # answered when it should not have: unanswerable, a known wrong entity or date, or a
            # citation outside the question's filters
            "false_answers": sum(1 for r in results if r.scores.get("false_answer")),
        },
        "citations": {
            "validity": round(sum(r.scores["valid_citations"] for r in results) / cites, 4) if cites else None,
            "evidence_recall": _ratio(with_evidence, "evidence_covered", "evidence_spans"),
            "precision": _ratio([r for r in with_evidence if r.answerable], "citations_on_evidence", "citations"),
            "per_answer": _rate([float(r.scores["citations"]) for r in answered]),
            "unverified_per_answer": _rate([float(r.unverified) for r in answered]),
            "unsupported_claims_per_answer": _rate([float(len(r.unsupported)) for r in answered]),
        },
        "conflict": _conflict_metrics(results),
        "retrieval": {},
    }
    for level in ("article", "evidence"):
        ranks = [r.scores.get(f"{level}_rank") for r in with_evidence]
        for k in m.K_VALUES:
            out["retrieval"][f"{level}_recall@{k}"] = _round(m.recall_at(ranks, k))
        out["retrieval"][f"{level}_mrr"] = _round(m.mrr(ranks))
    return out


def _conflict_metrics(results: list[QuestionResult]) -> dict[str, Any]:
    """Disagreeing reports: on questions whose gold gives `sides`, the share that showed every side;
    over questions not tagged `conflict`, how many reported a disagreement anyway; and the share of
    reports whose quote is verified (must be 1.0)."""
    with_sides = [r for r in results if "sides_shown" in r.scores]
    reports = sum(r.scores.get("conflict_reports", 0) for r in results)
    return {
        "questions": len(with_sides),
        "sides_shown": _rate([r.scores["sides_shown"] for r in with_sides]),
        "false_conflicts": sum(1 for r in results if "conflict" not in r.tags and r.scores.get("conflict_reported")),
        "validity": round(sum(r.scores.get("valid_conflict_reports", 0) for r in results) / reports, 4) if reports else None,
    }


def _ratio(rows: list[QuestionResult], top: str, bottom: str) -> float | None:
    total = sum(r.scores.get(bottom, 0) for r in rows)
    return round(sum(r.scores.get(top, 0) for r in rows) / total, 4) if total else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def by_tag(results: list[QuestionResult]) -> dict[str, dict[str, Any]]:
    """Answer recall and abstention accuracy per gold tag (paraphrase, unanswerable, ...)."""
    tags = sorted({t for r in results for t in r.tags})
    out = {}
    for tag in tags:
        rows = [r for r in results if tag in r.tags]
        has = [r for r in rows if r.gold_answerable]
        out[tag] = {
            "questions": len(rows),
            "answer_recall": _rate([r.scores["answer_recall"] for r in has]),
            "abstention_accuracy": _rate([float(r.scores["decision_correct"]) for r in rows]),
        }
    return out


def cost(results: list[QuestionResult], seconds: float) -> dict[str, Any]:
    stages = sorted({s for r in results for s in r.timings})
    latency = {
        s: {
            "p50": m.percentile([r.timings[s] for r in results if s in r.timings], 50),
            "p95": m.percentile([r.timings[s] for r in results if s in r.timings], 95),
        }
        for s in stages
    }
    tokens = {k: sum(r.usage.get(k, 0) for r in results) for k in ("prompt_tokens", "completion_tokens", "total_tokens")}
    return {
        "seconds": round(seconds, 3),
        "questions_per_second": round(len(results) / seconds, 2) if seconds else None,
        "latency_ms": latency,
        "tokens": tokens if any(tokens.values()) else None,
    }


def flatten(metrics: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """{"answer": {"f1": 0.5}} -> {"answer.f1": 0.5}; numbers only."""
    flat: dict[str, float] = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            flat[name] = value
    return flat
