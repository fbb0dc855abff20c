"""Finding passages: dense + BM25 fused (hybrid), the re-ranker, the local copy."""
