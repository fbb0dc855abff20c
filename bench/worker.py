"""One measurement per process, so each gets a clean heap and its own peak RSS.

    python -m bench.worker TASK JSON_ARGS   ->  prints one JSON object on its last stdout line

Tasks: prepare (chunks and vectors the limit reuses), chunking, ingest-qa, ingest-limit,
ingest-peer, query-qa, query-limit, query-peer. `url` in the arguments selects server mode.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def cpu_seconds() -> float:
    """CPU time of this process (all its threads): steadier than wall time on a busy machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1000
    return {f"p{p}": round(float(np.percentile(ms, p)), 2) for p in (50, 95, 99)}


def questions(args: dict) -> list[str]:
    lines = Path(args["questions"]).read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines]


def corpus_files(folder: str) -> list[Path]:
    return sorted(Path(folder).rglob("*.md"))


def chroma_client(args: dict, path: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if args.get("url"):
        host, port = args["url"].rsplit("//", 1)[1].rsplit(":", 1)
        return chromadb.HttpClient(host=host, port=int(port), settings=settings)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def qa_settings(args: dict):
    from qa.settings import Settings

    return Settings(store=Path(args["store"]), collection=args["collection"], chroma_url=args.get("url", ""))


# ----- preparation and chunking ------------------------------------------------------------
def task_prepare(args: dict) -> dict:
    """qa's chunks of the corpus and their vectors (qa's own index text), plus question vectors."""
    from qa.ingest.chunking import chunk_text
    from qa.ingest.loading import load_file
    from qa.models.embedding import WordLlamaEmbedding
    from qa.store.records import index_text

    embedder = WordLlamaEmbedding()
    out = Path(args["out"])
    ids, docs, metas, texts = [], [], [], []
    for path in corpus_files(args["corpus"]):
        for article in load_file(path):
            for chunk in chunk_text(article.id, article.text, args["chunk_size"], args["chunk_overlap"]):
                ids.append(f"{article.id}#{chunk.index}")
                docs.append(chunk.text)
                metas.append({"article_id": article.id})
                texts.append(index_text(article.title, chunk.text))
    vectors = np.asarray(embedder.get_text_embedding_batch(texts), dtype=np.float32)
    np.save(out / "vectors.npy", vectors)
    np.save(out / "query_vectors.npy", np.asarray(embedder.embed_many(questions(args)), dtype=np.float32))
    (out / "chunks.jsonl").write_text(
        "".join(json.dumps([i, d, m]) + "\n" for i, d, m in zip(ids, docs, metas)), encoding="utf-8"
    )
    return {"chunks": len(ids)}


def task_chunking(args: dict) -> dict:
    """qa's splitter vs llama-index's SentenceSplitter at the same size, on the same articles."""
    from llama_index.core import Document
    from llama_index.core.node_parser import SentenceSplitter

    from qa.ingest.chunking import chunk_text
    from qa.ingest.loading import load_file

    articles = [a for p in corpus_files(args["corpus"])[: args.get("limit", 1000)] for a in load_file(p)]
    mb = sum(len(a.text.encode("utf-8")) for a in articles) / 1e6
    started = time.perf_counter()
    ours = sum(len(chunk_text(a.id, a.text, args["chunk_size"], args["chunk_overlap"])) for a in articles)
    ours_s = time.perf_counter() - started
    splitter = SentenceSplitter(chunk_size=args["chunk_size"], chunk_overlap=args["chunk_overlap"])
    docs = [Document(text=a.text) for a in articles]
    splitter.get_nodes_from_documents(docs[:1])  # loads its tokenizer: not part of the rate
    started = time.perf_counter()
    theirs = len(splitter.get_nodes_from_documents(docs))
    theirs_s = time.perf_counter() - started
    return {
        "articles": len(articles), "mb": round(mb, 2),
        "qa_chunks_per_s": round(ours / ours_s), "qa_mb_per_s": round(mb / ours_s, 2),
        "sentence_splitter_chunks_per_s": round(theirs / theirs_s), "sentence_splitter_mb_per_s": round(mb / theirs_s, 2),
    }


# ----- ingest -------------------------------------------------------------------------------
def task_ingest_qa(args: dict) -> dict:
    from qa.assistant import Assistant

    assistant = Assistant.open(qa_settings(args))
    started, cpu = time.perf_counter(), cpu_seconds()
    report = assistant.ingest([args["corpus"]])
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    if not report.ok:
        raise SystemExit(f"ingest failed: {report.failed[0]}")
    chunks = sum(f.chunks for f in report.files)
    return {"seconds": seconds, "cpu_seconds": cpu, "chunks": chunks, "articles": report.count("added"),
            "peak_rss_mb": peak_rss_mb()}


def task_ingest_limit(args: dict) -> dict:
    """Raw `collection.add` of the precomputed chunks and vectors, in Chroma's largest batches."""
    prepared = Path(args["prepared"])
    rows = [json.loads(line) for line in (prepared / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]
    vectors = np.load(prepared / "vectors.npy")
    client = chroma_client(args, Path(args["store"]) / "chroma")
    started, cpu = time.perf_counter(), cpu_seconds()
    collection = client.create_collection(
        args["collection"], configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
    )
    batch = client.get_max_batch_size()
    for first in range(0, len(rows), batch):
        part = rows[first : first + batch]
        collection.add(
            ids=[r[0] for r in part], documents=[r[1] for r in part], metadatas=[r[2] for r in part],
            embeddings=vectors[first : first + batch],
        )
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "chunks": len(rows), "peak_rss_mb": peak_rss_mb()}


def task_ingest_peer(args: dict) -> dict:
    """A plain llama-index pipeline: documents -> default splitter -> same embedder -> Chroma."""
    from llama_index.core import Document, StorageContext, VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from qa.ingest.loading import load_file
    from qa.models.embedding import WordLlamaEmbedding

    embedder = WordLlamaEmbedding()
    client = chroma_client(args, Path(args["store"]) / "chroma")
    started, cpu = time.perf_counter(), cpu_seconds()
    collection = client.create_collection(
        args["collection"], configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
    )
    docs = [
        Document(text=a.text, metadata={"title": a.title, "source": a.source, "published": a.published})
        for p in corpus_files(args["corpus"]) for a in load_file(p)
    ]
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    index = VectorStoreIndex.from_documents(docs, storage_context=storage, embed_model=embedder)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    chunks = collection.count()
    del index
    return {"seconds": seconds, "cpu_seconds": cpu, "chunks": chunks, "peak_rss_mb": peak_rss_mb()}


# ----- queries ------------------------------------------------------------------------------
def _timed(call, items, warmup: int = 3) -> list[float]:
    for item in items[:warmup]:
        call(item)
    times = []
    for item in items:
        started = time.perf_counter()
        call(item)
        times.append(time.perf_counter() - started)
    return times


def task_query_qa(args: dict) -> dict:
    """Retrieval and full `ask` latency, on disjoint halves of the questions so the ask figures
    do not profit from caches the retrieval run warmed (sentence splits, span tokens)."""
    from qa.assistant import Assistant

    assistant = Assistant.open(qa_settings(args))
    asked = questions(args)
    for_retrieve, for_ask = asked[0::2], asked[1::2]
    k = args["k"]
    retriever = assistant.retriever
    answers = []
    ask = _timed(lambda q: answers.append(assistant.ask(q, top_k=k)), for_ask)
    retrieve = _timed(lambda q: retriever.retrieve(q, k, None, "hybrid"), for_retrieve)
    retriever.rerank = False  # fusion alone: the part that compares with a raw vector query
    fusion = _timed(lambda q: retriever.retrieve(q, k, None, "hybrid"), for_retrieve)
    retriever.rerank = True
    answered = sum(1 for a in answers[-len(for_ask):] if a.answerable)
    return {"retrieve_ms": percentiles(retrieve), "fusion_ms": percentiles(fusion), "ask_ms": percentiles(ask),
            "answered": answered, "questions": len(asked)}


def task_query_limit(args: dict) -> dict:
    client = chroma_client(args, Path(args["store"]) / "chroma")
    collection = client.get_collection(args["collection"], embedding_function=None)
    vectors = np.load(Path(args["prepared"]) / "query_vectors.npy")
    times = _timed(lambda v: collection.query(query_embeddings=[v], n_results=args["k"]), list(vectors))
    return {"retrieve_ms": percentiles(times)}


def task_query_peer(args: dict) -> dict:
    from llama_index.core import VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from qa.models.embedding import WordLlamaEmbedding

    client = chroma_client(args, Path(args["store"]) / "chroma")
    collection = client.get_collection(args["collection"], embedding_function=None)
    index = VectorStoreIndex.from_vector_store(ChromaVectorStore(chroma_collection=collection),
                                               embed_model=WordLlamaEmbedding())
    retriever = index.as_retriever(similarity_top_k=args["k"])
    times = _timed(retriever.retrieve, questions(args))
    return {"retrieve_ms": percentiles(times)}


TASKS = {
    "prepare": task_prepare, "chunking": task_chunking,
    "ingest-qa": task_ingest_qa, "ingest-limit": task_ingest_limit, "ingest-peer": task_ingest_peer,
    "query-qa": task_query_qa, "query-limit": task_query_limit, "query-peer": task_query_peer,
}


def main() -> None:
    task, raw = sys.argv[1], sys.argv[2]
    result: dict[str, Any] = TASKS[task](json.loads(raw))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
