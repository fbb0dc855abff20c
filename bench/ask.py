"""`python -m bench.ask`: the scaling benchmark's ask half, alone and repeatable, on a kept store.

    python -m bench.ask build DIR --size 100000     # the corpus and qa's embedded store, as `python -m bench` makes them
    python -m bench.ask time DIR --rounds 3         # median ask ms (CPU and wall) per round, one process a round
    python -m bench.ask time DIR --answers a.jsonl  # also write every answer (to compare two versions' answers)

`build` writes only qa's store (not the limit's or the peer's), with the same corpus, chunking and
ingest as the full benchmark. `time` asks the same questions as `python -m bench` (the odd half of
questions.jsonl, after 3 warm-ups, top-k 5); each round is a fresh process so that no round profits
from caches an earlier one warmed. CPU time (time.process_time) is the steadier figure on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.run import CHUNK_OVERLAP, CHUNK_SIZE, TOP_K, load_average, worker

COLLECTION = "bench_qa"


def build(folder: Path, size: int) -> dict:
    from bench.corpus import write_corpus

    corpus = write_corpus(folder / "corpus", size, CHUNK_SIZE, CHUNK_OVERLAP, questions=200)
    args = {"corpus": corpus.folder, "store": str(folder / "embedded-qa"), "collection": COLLECTION, "url": ""}
    (folder / "embedded-qa").mkdir(parents=True, exist_ok=True)
    return {"chunks": corpus.chunks, "articles": corpus.articles, "ingest": worker("ingest-qa", args)}


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def one_round(folder: Path, answers: Path | None) -> dict:
    """Runs in its own process: open the store, 3 warm-ups, then time each ask."""
    from qa.assistant import Assistant
    from qa.settings import Settings

    assistant = Assistant.open(Settings(store=folder / "embedded-qa", collection=COLLECTION, chroma_url=""))
    lines = (folder / "corpus" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    asked = [json.loads(line)["question"] for line in lines][1::2]  # the bench's ask half
    for question in asked[:3]:
        assistant.ask(question, top_k=TOP_K)
    cpu, wall, out = [], [], []
    for question in asked:
        started, started_cpu = time.perf_counter(), time.process_time()
        answer = assistant.ask(question, top_k=TOP_K)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
        out.append(answer)
    if answers is not None:
        keep = ("question", "answer", "short", "answerable", "citations", "unsupported", "withdrawn", "conflicts")
        with answers.open("w", encoding="utf-8") as f:
            for answer in out:
                data = answer.to_dict()
                f.write(json.dumps({k: data[k] for k in keep}, sort_keys=True) + "\n")
    return {"cpu_p50": statistics.median(cpu), "wall_p50": statistics.median(wall),
            "cpu_p95": _percentile(cpu, 95), "wall_p95": _percentile(wall, 95), "questions": len(asked)}


def time_rounds(folder: Path, rounds: int, answers: Path | None) -> dict:
    results: list[dict[str, Any]] = []
    for number in range(rounds):
        command = [sys.executable, "-m", "bench.ask", "round", str(folder)]
        if answers is not None and number == 0:
            command += ["--answers", str(answers)]
        load = load_average()
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
        if done.returncode != 0:
            raise RuntimeError(f"ask round failed:\n{done.stderr[-3000:]}")
        results.append({**json.loads(done.stdout.strip().splitlines()[-1]), "load": load})
        print(json.dumps({k: round(v, 1) if isinstance(v, float) else v for k, v in results[-1].items()}),
              file=sys.stderr, flush=True)
    return {key: round(statistics.median(r[key] for r in results), 1)
            for key in ("cpu_p50", "wall_p50", "cpu_p95", "wall_p95")} | {"rounds": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ask", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["build", "time", "round"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--size", type=int, default=100_000, help="build: corpus size in chunks")
    parser.add_argument("--rounds", type=int, default=3, help="time: rounds, one process each")
    parser.add_argument("--answers", type=Path, default=None, help="write the (first round's) answers as JSON lines")
    args = parser.parse_args(argv)
    if args.command == "build":
        result = build(args.folder, args.size)
    elif args.command == "round":
        result = one_round(args.folder, args.answers)
    else:
        result = time_rounds(args.folder, args.rounds, args.answers)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
