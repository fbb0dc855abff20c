"""`python -m bench`: ingest and retrieval speed at several corpus sizes, embedded and server mode,
next to raw Chroma (the limit) and a plain llama-index pipeline (the peer).

    python -m bench                          # 1k, 10k, 100k chunks; embedded and server
    python -m bench --sizes 1000 --modes embedded --out /tmp/results
    python -m bench --smoke                  # tiny, for CI: checks the whole run works

Writes <out>/<date>.json, <out>/<date>.md and <out>/<date>.png (default out: bench/results).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bench.report import markdown, plot
from bench.run import run

DEFAULT_OUT = Path(__file__).resolve().parent / "results"


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes takes numbers separated by commas, not {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("--sizes needs at least one positive chunk count")
    return sizes


def _modes(text: str) -> list[str]:
    modes = [part.strip() for part in text.split(",") if part.strip()]
    if not modes or set(modes) - {"embedded", "server"}:
        raise argparse.ArgumentTypeError(f"--modes takes embedded and/or server, not {text!r}")
    return modes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=[1000, 10000, 100000], help="corpus sizes in chunks")
    parser.add_argument("--modes", type=_modes, default=None, help="embedded,server (default both; --smoke: embedded)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the json, md and png")
    parser.add_argument("--smoke", action="store_true", help="a tiny run (200 chunks, 20 questions) for CI")
    parser.add_argument("--keep", action="store_true", help="keep the temporary corpora and stores")
    args = parser.parse_args(argv)
    if args.smoke:
        results = run([200], args.modes or ["embedded"], keep=args.keep, questions=20, cold_runs=1)
    else:
        results = run(args.sizes, args.modes or ["embedded", "server"], keep=args.keep)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = time.strftime("%Y-%m-%d") + ("-smoke" if args.smoke else "")
    (args.out / f"{stem}.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    text = markdown(results)
    (args.out / f"{stem}.md").write_text(text, encoding="utf-8")
    plot(results, args.out / f"{stem}.png")
    print(text)
    print(f"wrote {args.out / stem}.json, .md and .png", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
