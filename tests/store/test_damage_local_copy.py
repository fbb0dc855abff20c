"""A damaged local copy (issue 20, item 3). Answers quote the local copy saved beside the store
(bm25/<collection>/texts.bin). Changing "free ten hostages" to "free six hostages" in it, with its
modification time restored, made `qa ask` answer "six" with a citation whose quote the stored
article does not hold, and `qa doctor` called the store healthy. The copy's checksums are now
checked before use (rebuilt from the store when they differ), and `qa doctor` compares it with
the store.
"""

from __future__ import annotations

from damage_kit import (
    QUESTION,
    answer_of,
    assert_cited_exactly,
    keep_times,
    run_qa,
    sample_store,
)


def tamper(store) -> None:
    texts = store / "bm25" / "news" / "texts.bin"
    restore = keep_times(texts)
    data = texts.read_bytes()
    assert b"free ten hostages" in data
    texts.write_bytes(data.replace(b"free ten hostages", b"free six hostages"))  # same length
    restore()


def test_a_tampered_local_copy_is_never_quoted(tmp_path):
    store = sample_store(tmp_path)
    tamper(store)
    answer = answer_of(run_qa(store, "ask", "--json", QUESTION))
    assert "six" not in answer["short"] and "six" not in answer["answer"], answer["answer"]
    assert answer["short"] == "ten" and answer["citations"]  # the copy was rebuilt from the store
    assert_cited_exactly(store, answer)
    assert b"free six hostages" not in (store / "bm25" / "news" / "texts.bin").read_bytes()


def test_doctor_names_a_tampered_local_copy_and_repair_replaces_it(tmp_path):
    store = sample_store(tmp_path)
    tamper(store)
    check = run_qa(store, "doctor")
    assert check.returncode == 1 and "Traceback" not in check.stderr, (check.returncode, check.stderr[-3000:])
    (line,) = [line for line in check.stdout.splitlines() if line.startswith("PROBLEM")]
    assert "bm25" in line and "texts.bin" in line and "--repair" in line, check.stdout
    repair = run_qa(store, "doctor", "--repair")
    assert repair.returncode == 0, (repair.stdout, repair.stderr[-3000:])
    assert "dropped the BM25 index" in repair.stdout and "texts.bin" in repair.stdout
    answer = answer_of(run_qa(store, "ask", "--json", QUESTION))
    assert answer["short"] == "ten"
    assert_cited_exactly(store, answer)
    assert run_qa(store, "doctor").returncode == 0
