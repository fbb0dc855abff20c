"""Damaged vector index files (issue 20, item 2): random bytes inside data_level0.bin, size and
modification time kept, made every command segfault (exit -11, no message), `qa doctor` and
`--repair` included; a truncated data_level0.bin made `qa ask` segfault. Chroma's native code must
never be the first to load index files that changed since qa last knew them good: commands say
the index is damaged and to run `qa doctor --repair`, which rebuilds it without loading it.
"""

from __future__ import annotations

import os
import random

import pytest
from damage_kit import (
    QUESTION,
    answer_of,
    assert_cited_exactly,
    assert_one_line_error,
    keep_times,
    run_qa,
    sample_store,
    vector_folder,
)


def scribble(path, seed: int, at: int = 12_000, size: int = 2000) -> None:
    """Random bytes over the middle of the file's used records; size and times kept."""
    restore = keep_times(path)
    with open(path, "r+b") as handle:
        handle.seek(at)
        handle.write(random.Random(seed).randbytes(size))
    restore()


def test_random_bytes_in_an_index_file_are_reported_not_a_crash_and_repair_fixes_them(tmp_path):
    store = sample_store(tmp_path)
    data = vector_folder(store) / "data_level0.bin"
    size = data.stat().st_size
    scribble(data, seed=20)
    assert data.stat().st_size == size
    damaged = ("vector index", "is damaged", "qa doctor --repair")
    assert_one_line_error(run_qa(store, "ask", QUESTION), *damaged)
    assert_one_line_error(run_qa(store, "articles"), *damaged)  # again: never noted as good
    check = run_qa(store, "doctor")
    assert check.returncode == 1 and "Traceback" not in check.stderr, (check.returncode, check.stderr[-3000:])
    assert "PROBLEM  index        the vector index is damaged" in check.stdout, check.stdout
    repair = run_qa(store, "doctor", "--repair")
    assert repair.returncode == 0, (repair.returncode, repair.stdout, repair.stderr[-3000:])
    assert "re-embedded 27 chunks of 9 articles" in repair.stdout
    answer = answer_of(run_qa(store, "ask", "--json", QUESTION))
    assert answer["short"] == "ten" and answer["citations"]
    assert_cited_exactly(store, answer)


# Shorter than the used records (27 chunks, 9 articles: 1,164 bytes each). Before the fix the first
# gave a raw `InternalError: ... Error finding id` traceback, the second went unnoticed by `qa ask`
# (the next write to the article records would have met it).
@pytest.mark.parametrize(("collection", "size"), [("news", 31_000), ("news_articles", 2000)])
def test_a_truncated_index_file_is_reported_not_a_crash(tmp_path, collection, size):
    store = sample_store(tmp_path)
    data = vector_folder(store, collection) / "data_level0.bin"
    os.truncate(data, size)
    assert_one_line_error(run_qa(store, "ask", QUESTION), "vector index", "is damaged", "qa doctor --repair")
    repair = run_qa(store, "doctor", "--repair")
    assert repair.returncode == 0, (repair.returncode, repair.stdout, repair.stderr[-3000:])
    assert answer_of(run_qa(store, "ask", "--json", QUESTION))["short"] == "ten"


def test_damage_to_the_article_records_index_stops_a_write_before_chroma_loads_it(tmp_path):
    store = sample_store(tmp_path)
    scribble(vector_folder(store, "news_articles") / "data_level0.bin", seed=7, at=1000)
    note = tmp_path / "note.txt"
    note.write_text("Harbour note\n\nThe ferry to the island runs twice a day in winter.")
    assert_one_line_error(run_qa(store, "ingest", str(note)), "vector index", "qa doctor --repair")
    assert run_qa(store, "doctor", "--repair").returncode == 0
    assert run_qa(store, "ingest", str(note)).returncode == 0
