"""Embedding the next ingest batch in a second process while the store writes this one.

Chroma's `add` keeps the GIL for its whole run (measured with chromadb 1.5.9: a Python thread
made 0.3% of its usual progress during an add), so a thread cannot embed while the store
writes; a child process can. The child loads WordLlama itself and returns, per batch, the
vectors and the BM25 terms of the chunk texts: the same numbers the parent would compute.

    python -m qa.ingest.embed_worker DIM      # reads and writes length-prefixed pickle frames

`BatchEmbedder` hides the choice: one request in flight, answered by the worker process for
WordLlama, or computed in-process (on `result()`) for any other embedder or when the worker
cannot start. The parent reads each answer before sending the next request, so neither side
ever blocks writing to a full pipe.
"""

from __future__ import annotations

import pickle
import struct
import subprocess
import sys
from typing import IO, Any

import numpy as np

_HEADER = struct.Struct("<Q")
SEPARATOR = "\x1f"  # joins a chunk's terms: one string per chunk pickles faster and holds far less
# memory than a list of strings (a 40 MB article's terms: ~0.1 GB as strings, ~1 GB as lists)
EMBED_SLICE = 256  # texts embedded at once: WordLlama holds a vector per token of a call's texts


def _send(stream: IO[bytes], payload: Any) -> None:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("the embedding worker stopped")
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the embedding worker stopped mid-reply")
    return pickle.loads(data)


def embed_and_tokenize(dim: int, texts: list[str]) -> tuple[np.ndarray, list[str]]:
    """WordLlama vectors (L2-normalised, as WordLlamaEmbedding gives them) and joined BM25 terms."""
    from qa.models.wordllama import embed_texts

    return _in_slices(lambda part: embed_texts(part, dim), texts), joined_terms(texts)


def joined_terms(texts: list[str]) -> list[str]:
    """Each text's BM25 terms as one string (`split_terms` gives the list back)."""
    from qa.text.tokens import terms

    return [SEPARATOR.join(terms(t)) for t in texts]


def split_terms(joined: str) -> list[str]:
    return joined.split(SEPARATOR) if joined else []


def _in_slices(embed: Any, texts: list[str]) -> np.ndarray:
    """float32 rows for `texts`, embedded EMBED_SLICE at a time: the same vectors in bounded memory."""
    if not texts:
        return np.zeros((0, 0), np.float32)
    parts = [np.asarray(embed(texts[i : i + EMBED_SLICE]), dtype=np.float32) for i in range(0, len(texts), EMBED_SLICE)]
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


class BatchEmbedder:
    """submit(texts) then result() -> (float32 vectors, one row per text; joined terms per text);
    one request at a time."""

    def __init__(self, embedder: Any, use_worker: bool):
        self.embedder = embedder
        self._worker: subprocess.Popen | None = None
        self._texts: list[str] | None = None
        self._in_worker = False
        dim = getattr(embedder, "dim", None)
        self._worker_dim = dim if use_worker and type(embedder).__name__ == "WordLlamaEmbedding" else None

    def submit(self, texts: list[str], in_worker: bool = True) -> None:
        """Start embedding `texts`: in the worker process when `in_worker` (and it can run)."""
        self._texts = texts
        self._in_worker = False
        worker = self._start() if in_worker and self._worker_dim is not None else None
        if worker is not None:
            try:
                assert worker.stdin is not None  # started with stdin=PIPE
                _send(worker.stdin, texts)
                self._in_worker = True
            except OSError:
                self._stop()

    def warm_up(self) -> None:
        """Start the worker process now (it takes about a second to load), if it will be used."""
        self._start()

    def result(self) -> tuple[np.ndarray, list[str]]:
        texts, self._texts = self._texts or [], None
        if self._in_worker and self._worker is not None and self._worker.stdout is not None:
            try:
                reply = _receive(self._worker.stdout)
                if isinstance(reply, Exception):
                    raise reply
                return reply
            except (EOFError, OSError, pickle.UnpicklingError):
                self._stop()  # carry on in-process
        return _in_slices(self.embedder.get_text_embedding_batch, texts), joined_terms(texts)

    def close(self) -> None:
        self._stop()

    def _start(self) -> subprocess.Popen | None:
        if self._worker is None and self._worker_dim is not None:
            try:
                self._worker = subprocess.Popen(
                    [sys.executable, "-m", "qa.ingest.embed_worker", str(self._worker_dim)],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                )
            except OSError:
                self._worker_dim = None  # cannot start one here: embed in-process
        return self._worker

    def _stop(self) -> None:
        worker, self._worker, self._worker_dim = self._worker, None, None
        if worker is not None:
            try:
                if worker.stdin is not None:
                    worker.stdin.close()
                worker.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                worker.kill()


def main() -> None:
    from qa.models.wordllama import embed_texts

    dim = int(sys.argv[1])
    embed_texts(["warm up"], dim)  # load the model before the first batch arrives
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            texts = _receive(source)
        except EOFError:
            return
        try:
            reply: Any = embed_and_tokenize(dim, texts)
        except Exception as exc:  # the parent re-raises it and embeds that batch itself
            reply = RuntimeError(f"embedding worker: {type(exc).__name__}: {exc}")
        _send(sink, reply)


if __name__ == "__main__":
    main()
