"""Finding passages: dense + BM25 fused (hybrid), the re-ranker, and the snapshot of the store
retrieval reads (the BM25 index and the local copy, saved beside the store)."""
