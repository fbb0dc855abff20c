"""`python -m bench.startup`: how long each quick `qa` command takes as a fresh process.

    python -m bench.startup                  # builds a sample store in a temp folder, 5 runs each
    python -m bench.startup --runs 9 --store /path/to/store --out /tmp/startup.txt

Each command runs N times in a new process (rounds interleave the commands, so a burst of
load on a busy machine falls on all of them alike); the table gives the median wall time
and CPU time, next to `python -c pass` (the interpreter's own start) and each command's goal.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
QUESTION = "How many hostages would be released?"


@dataclass(frozen=True)
class Command:
    label: str
    argv: list[str]
    goal: float | None  # seconds; None: a reference, not a target
    fails: bool = False  # a user error on purpose: it must exit non-zero


def commands() -> list[Command]:
    qa = str(BIN / "qa")
    return [
        Command("python -c pass", [sys.executable, "-c", "pass"], None),
        Command("qa --help", [qa, "--help"], 1.0),
        Command("qa config", [qa, "config"], 1.0),
        Command('qa ask ""', [qa, "ask", ""], 1.0, fails=True),
        Command("qa articles", [qa, "articles"], 1.5),
        Command("qa stats", [qa, "stats"], 1.5),
        Command(f'qa ask "{QUESTION}"', [qa, "ask", QUESTION], 2.5),
    ]


@dataclass
class Timing:
    wall: list[float]
    cpu: list[float]


def run_once(command: Command, env: dict[str, str], cwd: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command.argv, capture_output=True, text=True, env=env, cwd=cwd)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if (done.returncode != 0) != command.fails:
        raise SystemExit(f"{command.label}: exit {done.returncode}\n{done.stderr[-2000:]}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def build_sample_store(folder: Path, env: dict[str, str]) -> Path:
    store = folder / "store"
    done = subprocess.run(
        [str(BIN / "qa"), "--store", str(store), "ingest", str(REPO / "data" / "sample")],
        capture_output=True, text=True, env=env, cwd=folder,
    )
    if done.returncode != 0:
        raise SystemExit(f"qa ingest data/sample failed:\n{done.stderr[-2000:]}")
    return store


def measure(store: Path, runs: int, cwd: Path, env: dict[str, str]) -> dict[str, Timing]:
    env = {**env, "QA_STORE": str(store)}
    timings = {c.label: Timing([], []) for c in commands()}
    for command in commands():  # one untimed run each: the first reads files from disk
        run_once(command, env, cwd)
    for _ in range(runs):
        for command in commands():
            wall, cpu = run_once(command, env, cwd)
            timings[command.label].wall.append(wall)
            timings[command.label].cpu.append(cpu)
    return timings


def table(timings: dict[str, Timing], runs: int) -> str:
    rows = [f"median of {runs} fresh processes; load average at the end: "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", "",
            f"| {'command':<48} | median s | CPU s | goal s | result |",
            f"|{'-' * 50}|---------:|------:|-------:|--------|"]
    for command in commands():
        t = timings[command.label]
        wall, cpu = statistics.median(t.wall), statistics.median(t.cpu)
        goal = "" if command.goal is None else f"{command.goal:.1f}"
        verdict = "" if command.goal is None else ("ok" if wall <= command.goal else "over")
        rows.append(f"| {command.label:<48} | {wall:8.2f} | {cpu:5.2f} | {goal:>6} | {verdict:<6} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each command (default 5)")
    parser.add_argument("--store", type=Path, default=None, help="an existing store (default: build the sample one)")
    parser.add_argument("--out", type=Path, default=None, help="also write the table to this file")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update({"ANONYMIZED_TELEMETRY": "False", "COLUMNS": "80"})
    with tempfile.TemporaryDirectory(prefix="qa-startup-") as tmp:
        folder = Path(tmp)  # the working folder too: no stray .env is read
        store = args.store.resolve() if args.store else build_sample_store(folder, env)
        text = table(measure(store, args.runs, folder, env), args.runs)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
