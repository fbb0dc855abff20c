"""Turn a benchmark result into a Markdown table, a target check and a PNG plot."""

from __future__ import annotations

from pathlib import Path

TARGET_SIZE = "100000"


def table(results: dict) -> str:
    head = (
        "| chunks | mode | ingest chunks/s qa / limit / peer | qa vs limit | qa vs peer chunks/s (MB/s) | ingest MB/s qa "
        "| peak RSS MB qa / limit / peer | hybrid retrieve ms p50 / p95 / p99 | fusion only p50 (vs limit) "
        "| limit query p50 | peer retrieve p50 | ask ms p50 / p95 | `qa ask` cold start s |\n"
        "|---:|---|---|---:|---:|---:|---|---|---:|---:|---:|---|---:|\n"
    )
    rows = []
    for entry in results["sizes"].values():
        for mode, m in entry["modes"].items():
            qa, limit, peer, r = m["qa"], m["limit"], m["peer"], m["ratios"]
            rq = qa["query"]["retrieve_ms"]
            rss = " / ".join(f"{m[s]['ingest']['peak_rss_mb']:.0f}" for s in ("qa", "limit", "peer"))
            if "server_peak_rss_mb" in m:
                rss += f" (+ server {m['server_peak_rss_mb']:.0f})"
            rows.append(
                f"| {entry['corpus']['chunks']:,} | {mode} "
                f"| {qa['ingest']['chunks_per_s']:,.0f} / {limit['ingest']['chunks_per_s']:,.0f} / "
                f"{peer['ingest']['chunks_per_s']:,.0f} "
                f"| {r['ingest_vs_limit']:.0%}{_cpu(r, 'ingest_cpu_vs_limit', mode, '{:.0%}')} "
                f"| {r.get('ingest_chunks_vs_peer', 0):.2f}x ({r['ingest_mb_vs_peer']:.2f}x"
                f"{_cpu(r, 'ingest_cpu_vs_peer', mode, '{:.2f}x')}) "
                f"| {qa['ingest']['mb_per_s']:.2f} "
                f"| {rss} | {rq['p50']:.1f} / {rq['p95']:.1f} / {rq['p99']:.1f} "
                f"| {_fusion(qa, r)} "
                f"| {limit['query']['retrieve_ms']['p50']:.1f} | {peer['query']['retrieve_ms']['p50']:.1f} "
                f"| {qa['query']['ask_ms']['p50']:.1f} / {qa['query']['ask_ms']['p95']:.1f} "
                f"| {m['cold_start']['median_s']:.2f}{_cold_cpu(m['cold_start'])} |"
            )
    return head + "\n".join(rows) + "\n"


def _fusion(qa: dict, ratios: dict) -> str:
    if "fusion_ms" not in qa["query"]:
        return "-"
    return f"{qa['query']['fusion_ms']['p50']:.1f} ({ratios['fusion_p50_vs_limit']:.2f}x)"


def _cpu(ratios: dict, key: str, mode: str, fmt: str) -> str:
    """The CPU-time version of a ratio, in embedded mode (where all the work is in one process)."""
    if mode != "embedded" or key not in ratios:
        return ""
    return " (CPU " + fmt.format(ratios[key]) + ")"


def _cold_cpu(cold: dict) -> str:
    return f" (CPU {cold['median_cpu_s']:.2f})" if "median_cpu_s" in cold else ""


def chunking_table(results: dict) -> str:
    lines = ["| corpus chunks | articles timed | qa splitter chunks/s (MB/s) | SentenceSplitter chunks/s (MB/s) |",
             "|---:|---:|---:|---:|"]
    for entry in results["sizes"].values():
        c = entry["chunking"]
        lines.append(f"| {entry['corpus']['chunks']:,} | {c['articles']:,} | {c['qa_chunks_per_s']:,} "
                     f"({c['qa_mb_per_s']}) | {c['sentence_splitter_chunks_per_s']:,} ({c['sentence_splitter_mb_per_s']}) |")
    return "\n".join(lines) + "\n"


def targets(results: dict) -> list[tuple[str, bool, str]]:
    """(target, met, measured) for the issue's targets, at 100k chunks in embedded mode."""
    entry = results["sizes"].get(TARGET_SIZE, {}).get("modes", {}).get("embedded")
    if entry is None:
        return []
    qa, r = entry["qa"], entry["ratios"]
    ask = qa["query"]["ask_ms"]
    checks = [
        ("ingest >= 70% of raw Chroma add", r["ingest_vs_limit"] >= 0.7,
         f"{r['ingest_vs_limit']:.0%} wall{_cpu(r, 'ingest_cpu_vs_limit', 'embedded', '{:.0%}')}"),
        ("ingest >= 2x plain llama-index (chunks/s)", r.get("ingest_chunks_vs_peer", 0) >= 2,
         f"{r.get('ingest_chunks_vs_peer', 0):.2f}x"),
        ("ingest >= 2x plain llama-index (MB/s: same articles, its chunks are 6x larger)", r["ingest_mb_vs_peer"] >= 2,
         f"{r['ingest_mb_vs_peer']:.2f}x wall{_cpu(r, 'ingest_cpu_vs_peer', 'embedded', '{:.2f}x')}"),
        ("hybrid (fusion) p50 <= 2x raw Chroma query p50", r.get("fusion_p50_vs_limit", 99) <= 2,
         f"{r.get('fusion_p50_vs_limit', 0):.2f}x"),
        ("hybrid + sentence re-rank p50 <= 2x raw Chroma query p50", r["retrieve_p50_vs_limit"] <= 2,
         f"{r['retrieve_p50_vs_limit']:.2f}x"),
        ("ask p50 <= 30 ms", ask["p50"] <= 30, f"{ask['p50']:.1f} ms"),
        ("ask p95 <= 80 ms", ask["p95"] <= 80, f"{ask['p95']:.1f} ms"),
        ("peak RSS <= 1.5 GB in ingest", qa["ingest"]["peak_rss_mb"] <= 1536, f"{qa['ingest']['peak_rss_mb']:.0f} MB"),
        ("qa ask cold start <= 2.5 s", entry["cold_start"]["median_s"] <= 2.5, f"{entry['cold_start']['median_s']:.2f} s"),
        ("qa ask does not import gradio", not entry["cold_start"]["imports_gradio"], "gradio imported" if entry["cold_start"]["imports_gradio"] else "gradio not imported"),
    ]
    return checks


def markdown(results: dict) -> str:
    m = results["machine"]
    parts = [
        f"# Benchmark {results['date']}\n",
        f"{m['cpus']} CPUs, Python {m['python']}, chromadb {m['chromadb']}, llama-index {m['llama_index']}; "
        f"load average before {m['load_before']}, after {m.get('load_after')}. chunk size "
        f"{results['settings']['chunk_size']}, top k {results['settings']['top_k']}. limit = raw Chroma add/query "
        "with qa's precomputed vectors; peer = VectorStoreIndex over ChromaVectorStore, same WordLlama "
        "embedder, default SentenceSplitter (1024 tokens, so fewer, larger chunks: see MB/s too). Hybrid retrieve = "
        "BM25 + dense fusion + the sentence re-rank (the default); fusion only = QA_RERANK=false. Retrieval and ask "
        "are timed on disjoint halves of the questions.\n",
        table(results), "\nChunking alone:\n", chunking_table(results),
    ]
    checks = targets(results)
    if checks:
        parts.append("\nTargets (100k chunks, embedded):\n\n| target | met | measured |\n|---|---|---|\n")
        parts.extend(f"| {name} | {'yes' if ok else 'NO'} | {value} |\n" for name, ok, value in checks)
    return "".join(parts)


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    sizes = [(int(s), e) for s, e in results["sizes"].items()]
    for mode, style in (("embedded", "-"), ("server", "--")):
        points = [(s, e["modes"][mode]) for s, e in sizes if mode in e["modes"]]
        if not points:
            continue
        xs = [e["corpus"]["chunks"] for _, e in sizes if mode in e["modes"]]
        for system, colour in (("qa", "tab:blue"), ("limit", "tab:green"), ("peer", "tab:orange")):
            left.plot(xs, [m[system]["ingest"]["mb_per_s"] for _, m in points], style, color=colour, marker="o",
                      label=f"{system} ({mode})")
            right.plot(xs, [m[system]["query"]["retrieve_ms"]["p50"] for _, m in points], style, color=colour,
                       marker="o", label=f"{system} retrieve ({mode})")
        right.plot(xs, [m["qa"]["query"]["ask_ms"]["p50"] for _, m in points], style, color="tab:red", marker="s",
                   label=f"qa ask ({mode})")
    for axis, title, label in ((left, "Ingest throughput", "MB/s"), (right, "Latency p50", "ms")):
        axis.set_xscale("log")
        axis.set_xlabel("corpus size (chunks)")
        axis.set_ylabel(label)
        axis.set_title(title)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
