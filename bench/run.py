"""The benchmark run: for each corpus size and store mode, qa next to the limit and the peer.

Every measurement runs in its own subprocess (bench.worker), so peak RSS is per size and
system. Server mode starts a real `chroma run` on a free loopback port per corpus size.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.corpus import write_corpus

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHUNK_SIZE, CHUNK_OVERLAP, TOP_K = 160, 30, 5
SYSTEMS = ("qa", "limit", "peer")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def worker(task: str, args: dict) -> dict:
    # Flush the previous task's dirty pages first, so their writeback does not land in this timing.
    os.sync()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bench.worker", task, json.dumps(args)],
        cwd=REPO, capture_output=True, text=True, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench worker {task} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    log(f"{task} {args.get('mode', '')} {time.perf_counter() - started:.1f} s: {json.dumps(result)[:160]}")
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def chroma_server(folder: Path):
    """A real `chroma run` on loopback; yields (url, process)."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "server.log", "wb") as out:
        process = subprocess.Popen(
            [str(BIN / "chroma"), "run", "--path", str(folder / "data"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"chroma run exited: {(folder / 'server.log').read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("chroma run did not answer within 30 s")
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def peak_rss_of(pid: int) -> float:
    """VmHWM (peak resident set) of a running process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cold_start(store: Path, collection: str, url: str, question: str, runs: int = 3) -> dict:
    """Wall time of `qa ask` as a process, and whether gradio got imported on the way."""
    env = {**os.environ, "QA_STORE": str(store), "QA_COLLECTION": collection, "QA_CHROMA_URL": url,
           "ANONYMIZED_TELEMETRY": "False"}
    import resource

    times, cpu = [], []
    for _ in range(runs):
        started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run([str(BIN / "qa"), "ask", question], capture_output=True, text=True, env=env, cwd=store)
        times.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # CPU time: steadier on a busy machine
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if done.returncode != 0:
            raise RuntimeError(f"qa ask failed: {done.stderr[-2000:]}")
    traced = subprocess.run([str(BIN / "qa"), "ask", question], capture_output=True, text=True, cwd=store,
                            env={**env, "PYTHONPROFILEIMPORTTIME": "1"})
    imported = [line.rsplit("|", 1)[-1].strip() for line in traced.stderr.splitlines() if line.startswith("import time:")]
    return {"median_s": round(statistics.median(times), 3), "runs_s": [round(t, 3) for t in times],
            "median_cpu_s": round(statistics.median(cpu), 3),
            "imports_gradio": any(name.split(".")[0] == "gradio" for name in imported)}


def measure_mode(size_dir: Path, corpus, prepared: Path, mode: str, cold_runs: int) -> dict:
    def run_all(url: str) -> dict:
        out: dict[str, Any] = {}
        for system in SYSTEMS:
            store = size_dir / f"{mode}-{system}"
            store.mkdir(parents=True, exist_ok=True)
            args = {"corpus": corpus.folder, "questions": corpus.questions, "prepared": str(prepared),
                    "store": str(store), "collection": f"bench_{system}", "url": url, "k": TOP_K, "mode": mode}
            ingest = worker(f"ingest-{system}", args)
            ingest["chunks_per_s"] = round(ingest["chunks"] / ingest["seconds"], 1)
            ingest["mb_per_s"] = round(corpus.bytes / 1e6 / ingest["seconds"], 3)
            ingest["mb_per_cpu_s"] = round(corpus.bytes / 1e6 / ingest["cpu_seconds"], 3)
            out[system] = {"ingest": ingest, "query": worker(f"query-{system}", args)}
        first_question = json.loads(Path(corpus.questions).read_text(encoding="utf-8").splitlines()[0])["question"]
        out["cold_start"] = cold_start(size_dir / f"{mode}-qa", "bench_qa", url, first_question, cold_runs)
        return out

    if mode == "embedded":
        return run_all("")
    with chroma_server(size_dir / "server") as (url, process):
        result = run_all(url)
        result["server_peak_rss_mb"] = round(peak_rss_of(process.pid), 1)
    return result


def ratios(result: dict) -> dict:
    qa, limit, peer = (result[s] for s in SYSTEMS)
    return {
        "ingest_vs_limit": round(qa["ingest"]["chunks_per_s"] / limit["ingest"]["chunks_per_s"], 3),
        "ingest_mb_vs_peer": round(qa["ingest"]["mb_per_s"] / peer["ingest"]["mb_per_s"], 3),
        # CPU-time ratios: steadier than wall time while other jobs share the cores (embedded mode only:
        # in server mode the server's CPU is not counted)
        "ingest_cpu_vs_limit": round(limit["ingest"]["cpu_seconds"] / qa["ingest"]["cpu_seconds"], 3),
        "ingest_cpu_vs_peer": round(qa["ingest"]["mb_per_cpu_s"] / peer["ingest"]["mb_per_cpu_s"], 3),
        "ingest_chunks_vs_peer": round(qa["ingest"]["chunks_per_s"] / peer["ingest"]["chunks_per_s"], 3),
        "retrieve_p50_vs_limit": round(qa["query"]["retrieve_ms"]["p50"] / limit["query"]["retrieve_ms"]["p50"], 3),
        "fusion_p50_vs_limit": round(qa["query"]["fusion_ms"]["p50"] / limit["query"]["retrieve_ms"]["p50"], 3),
        "retrieve_p50_vs_peer": round(qa["query"]["retrieve_ms"]["p50"] / peer["query"]["retrieve_ms"]["p50"], 3),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def run(sizes: list[int], modes: list[str], keep: bool = False, questions: int = 200, cold_runs: int = 3) -> dict:
    import chromadb
    import llama_index.core

    root = Path(tempfile.mkdtemp(prefix="qa-bench-"))
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": {
            "cpus": os.cpu_count(), "python": platform.python_version(), "chromadb": chromadb.__version__,
            "llama_index": llama_index.core.__version__, "load_before": load_average()},
        "settings": {"chunk_size": CHUNK_SIZE, "chunk_overlap": CHUNK_OVERLAP, "top_k": TOP_K, "questions": questions}, "sizes": {},
    }
    try:
        for size in sizes:
            size_dir = root / f"size-{size}"
            started = time.perf_counter()
            corpus = write_corpus(size_dir / "corpus", size, CHUNK_SIZE, CHUNK_OVERLAP, questions=questions)
            log(f"corpus of {corpus.chunks} chunks, {corpus.articles} articles, {corpus.bytes / 1e6:.1f} MB "
                f"in {time.perf_counter() - started:.1f} s")
            common = {"corpus": corpus.folder, "questions": corpus.questions, "chunk_size": CHUNK_SIZE,
                      "chunk_overlap": CHUNK_OVERLAP}
            worker("prepare", {**common, "out": str(size_dir / "corpus")})
            entry: dict[str, Any] = {"corpus": {"articles": corpus.articles, "chunks": corpus.chunks,
                                                "mb": round(corpus.bytes / 1e6, 2)},
                                     "chunking": worker("chunking", common), "modes": {}}
            for mode in modes:
                measured = measure_mode(size_dir, corpus, size_dir / "corpus", mode, cold_runs)
                measured["ratios"] = ratios(measured)
                entry["modes"][mode] = measured
            results["sizes"][str(size)] = entry
            shutil.rmtree(size_dir, ignore_errors=True) if not keep else None
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    results["machine"]["load_after"] = load_average()
    return results
