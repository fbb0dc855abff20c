"""The vector index self-check, run in a child process: Chroma's native code crashes the whole
process (a segfault, no message) on some damaged index files, so an index whose files changed
since qa last knew them good is first searched in a child. A crash there is a finding, not the
end of the command.

    python -m qa.store.probe_child CHROMA_FOLDER COLLECTION EMBED_MODEL EMBED_DIM

prints the self-check's problems as a JSON list (empty: the index answered as it should), or
{"error": message} for a store error that is not the index's (a damaged database). The parent
holds the store's lock meanwhile, so the child takes none and writes nothing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PROBE_SECONDS = 600.0  # loading a large index takes seconds; a hang must still end


@dataclass(frozen=True)
class ProbeResult:
    """`checked`: the child ran the self-check (or crashed in it); False when it could not be
    run at all (then nothing is known). `problem`: the first problem found, "" when none.
    `error`: the store error the child met instead (not about the index)."""

    checked: bool
    problem: str = ""
    error: str = ""


def probe_in_child(chroma_folder: Path, name: str, embed_model: str, embed_dim: int) -> ProbeResult:
    package_root = str(Path(__file__).resolve().parents[2])  # the folder holding qa/
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "qa.store.probe_child", str(chroma_folder), name, embed_model, str(embed_dim)]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=PROBE_SECONDS)
    except subprocess.TimeoutExpired:
        return ProbeResult(True, f"Chroma did not finish reading it in {PROBE_SECONDS:g} s")
    except OSError:
        return ProbeResult(False)
    if done.returncode < 0:
        return ProbeResult(True, f"Chroma crashed reading it ({_signal_name(-done.returncode)})")
    if done.returncode != 0:
        return ProbeResult(False)  # the child could not run the check (not a finding on the index)
    try:
        found = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return ProbeResult(False)
    if isinstance(found, dict):
        return ProbeResult(True, error=str(found.get("error", "")))
    return ProbeResult(True, str(found[0]) if found else "")


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
