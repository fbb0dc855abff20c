"""One eval run: pick the corpus (current store, a folder, or a SQuAD file in a throwaway
store), run the gold questions, and assemble the summary written to summary.json."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from qa.errors import QAError
from qa.evaluation.breakdown import breakdown
from qa.evaluation.gold import GoldError, load_gold, load_squad
from qa.evaluation.scoring import QuestionResult, aggregate, by_tag, cost, run_questions
from qa.evaluation.workers import EvalWorkers, auto_workers
from qa.settings import Settings


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def _assistant_for(settings: Settings, throwaway: bool, embedder=None) -> Iterator[Any]:
    from qa.assistant import Assistant

    if not throwaway:
        yield Assistant.open(settings, embedder=embedder)
        return
    # Throwaway stores stay embedded even in server mode (QA_CHROMA_URL): nothing is left on a
    # shared server if the run dies, and concurrent runs cannot collide.
    throwaway_settings: dict[str, object] = {"store": None, "collection": "eval", "chroma_url": ""}
    with tempfile.TemporaryDirectory(prefix="qa-eval-") as folder:
        throwaway_settings["store"] = Path(folder)
        yield Assistant.open(settings.model_copy(update=throwaway_settings), embedder=embedder)


def run_eval(
    settings: Settings,
    *,
    gold: Path | None = None,
    articles: Path | list[Path] | None = None,
    squad: Path | None = None,
    squad_articles: str | None = None,
    retrieval: str | None = None,
    top_k: int | None = None,
    concurrency: int = 1,
    workers: int | None = 1,
    embedder=None,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[QuestionResult], None] | None = None,
) -> tuple[list[QuestionResult], dict[str, Any]]:
    """Returns per-question results and the summary. Never writes to the user's store unless
    neither `articles` nor `squad` is given (then the current store is what is evaluated).
    `workers`: processes answering the questions; None lets qa.evaluation.workers.auto_workers decide,
    as `qa eval` does. Workers are started with spawn, which imports the caller's main module
    again: a script passing workers != 1 needs an `if __name__ == "__main__":` guard."""
    if squad is None and gold is None:
        raise GoldError("give a gold file (qa eval GOLD.jsonl) or a SQuAD file (--squad FILE)")
    article_paths = [Path(articles)] if isinstance(articles, (str, Path)) else [Path(a) for a in articles or []]
    for path in article_paths:
        if not path.exists():
            raise GoldError(f"--articles {path}: no such file or folder")
    squad_articles_list = None
    if squad is not None:
        squad_articles_list, questions = load_squad(Path(squad), squad_articles)
        gold_path = Path(squad)
    if gold is not None:
        questions = load_gold(Path(gold))
        gold_path = Path(gold)
    mode = retrieval or settings.retrieval
    k = top_k or settings.top_k
    throwaway = bool(article_paths) or squad is not None
    if workers is None:
        workers = auto_workers(settings, len(questions), embedder)
    elif workers > 1 and embedder is not None:
        raise QAError("workers > 1 need the embedder named in the settings, not an embedder object")
    # Worker processes start before the store is built: their imports and parser loading overlap
    # the build. They stop before a throwaway store is deleted.
    with _assistant_for(settings, throwaway, embedder) as assistant, \
            EvalWorkers(workers) if workers > 1 else nullcontext() as pool:
        ingest_failures: list[str] = []
        if squad_articles_list is not None:
            assistant.add_articles(squad_articles_list)
        if article_paths:
            report = assistant.ingest(article_paths)
            ingest_failures = [f"{f.path}: {f.reason}" for f in report.failed]
        if on_start is not None:
            on_start(len(questions))
        results, problems, seconds = run_questions(
            assistant, questions, top_k=k, mode=mode, concurrency=concurrency, workers=pool, on_done=on_done
        )
        infos = assistant.articles()
        corpus_digest = hashlib.sha256("".join(sorted(f"{a.id}:{a.hash}\n" for a in infos)).encode()).hexdigest()
        summary = {
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "gold": {
                "name": gold_path.stem + (f"[{squad_articles}]" if squad_articles else ""),
                "path": str(gold_path),
                "sha256": file_sha256(gold_path),
                "questions": len(questions),
            },
            "corpus": {
                "source": ", ".join(map(str, article_paths)) or str(squad or assistant.store.where),
                "articles": len(infos),
                "chunks": sum(a.chunks for a in infos),
                "sha256": corpus_digest,
                "ingest_failures": ingest_failures,
            },
            "run": {
                "model": assistant.chain.model_name,
                "embed": assistant.store.embed_model,
                "retrieval": mode,
                "top_k": k,
                "chunk_size": settings.chunk_size,
                "chunk_overlap": settings.chunk_overlap,
                "dense_weight": settings.dense_weight,
                "concurrency": concurrency,
                "workers": workers,
            },
            "metrics": aggregate(results),
            "outcomes": breakdown(results, k),
            "by_tag": by_tag(results),
            "cost": cost(results, seconds),
            "gold_problems": problems,
        }
    return results, summary


def check_floors(
    summary: dict[str, Any], floors: dict[str, float], ceilings: dict[str, float] | None = None
) -> list[str]:
    """Messages for every floor (minimum) or ceiling (maximum) the run does not meet; unknown
    metric names are an error, so a typo cannot silently disable a gate."""
    from qa.evaluation.scoring import flatten

    ceilings = ceilings or {}
    flat = flatten(summary["metrics"])
    unknown = [name for name in [*floors, *ceilings] if name not in flat]
    if unknown:
        raise QAError(
            f"unknown metric(s) in floors: {', '.join(unknown)}; known: {', '.join(sorted(flat))}"
        )
    low = [f"{n} = {flat[n]} is below the floor {v}" for n, v in floors.items() if flat[n] < v]
    high = [f"{n} = {flat[n]} is above the ceiling {v}" for n, v in ceilings.items() if flat[n] > v]
    return low + high
