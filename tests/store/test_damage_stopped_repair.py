"""A stopped repair can be run again (issue 20, item 1). With a chunk index file deleted, a
`qa doctor --repair` killed once its rebuilt collections existed left a store on which every later
`qa doctor --repair` ended in a traceback ("Error loading hnsw index"): the next repair asked
Chroma to count the damaged old collection. Here the repair is SIGKILLed at each step of its
rebuild and swap (`QA_TEST_KILL_AT`, qa/store/maintenance.py), and once where the issue saw it
without the hook.
"""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
from damage_kit import (
    QUESTION,
    answer_of,
    assert_cited_exactly,
    assert_one_line_error,
    run_qa,
    sample_store,
    vector_folder,
)

STEPS = [
    "rebuild-created",  # the rebuilt collections exist, empty
    "rebuild-adding-news",  # chunks being added to them
    "rebuild-adding-news_articles",  # article records being added
    "swap-dropped-news",  # the old chunk collection dropped, its copy not yet renamed
    "swap-renamed-news",  # chunks swapped, article records not yet
    "swap-dropped-news_articles",
    "swap-renamed-news_articles",
    "swapped",  # both swapped; unused folders and the BM25 index not yet cleaned up
]

_MAKE_REBUILT = """
import sys, chromadb
from chromadb.config import Settings
client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
for name in ("news", "news_articles"):
    meta = dict(client.get_collection(name).metadata)
    client.create_collection(name + "__rebuild", metadata=meta, embedding_function=None,
                             configuration={"hnsw": {"space": "cosine", "ef_search": 400}})
"""


def _repaired_and_answers(store) -> None:
    again = run_qa(store, "doctor", "--repair")  # exit 0: every check passes after it
    assert again.returncode == 0 and "Traceback" not in again.stderr, (again.returncode, again.stdout, again.stderr[-3000:])
    answer = answer_of(run_qa(store, "ask", "--json", QUESTION))
    assert answer["short"] == "ten" and answer["citations"]
    assert_cited_exactly(store, answer)


@pytest.mark.parametrize("step", STEPS)
def test_a_repair_killed_at_any_step_can_be_run_again(tmp_path, step):
    store = sample_store(tmp_path)
    (vector_folder(store) / "data_level0.bin").unlink()
    killed = run_qa(store, "doctor", "--repair", env={"QA_TEST_KILL_AT": step})
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stdout, killed.stderr[-3000:])
    if step.startswith("swap-dropped"):  # a collection is missing: other commands refuse the store
        assert_one_line_error(run_qa(store, "ask", QUESTION), "halfway through", "qa doctor --repair")
    _repaired_and_answers(store)


def test_the_store_the_issue_reported_a_killed_repair_leaves_is_repaired(tmp_path):
    """The state a repair killed after creating its rebuilt collections leaves, made directly
    (no hook): the old chunk collection still damaged, empty rebuilt copies beside it."""
    store = sample_store(tmp_path)
    (vector_folder(store) / "data_level0.bin").unlink()
    subprocess.run([sys.executable, "-c", _MAKE_REBUILT, str(store / "chroma")], check=True)
    _repaired_and_answers(store)
