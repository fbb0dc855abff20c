"""A damaged sqlite database (issue 20, item 7): random bytes in the middle of chroma.sqlite3, or a
truncated one, gave raw tracebacks from every command (sqlite3.DatabaseError, Chroma's
InternalError, a Rust PanicException), `qa doctor` included, which never reported its sqlite
check. Every command now says in one line what is damaged and what to do; `qa doctor` reports the
sqlite integrity check as failed and exits 1.
"""

from __future__ import annotations

import os
import random

import pytest
from damage_kit import (
    QUESTION,
    assert_one_line_error,
    keep_times,
    run_qa,
    sample_store,
)


def damage(store, how: str) -> None:
    database = store / "chroma" / "chroma.sqlite3"
    restore = keep_times(database)
    size = database.stat().st_size
    if how == "truncated":
        os.truncate(database, size // 2 + 1234)
    else:  # random bytes over the middle of the file (its tables' pages), size kept
        with open(database, "r+b") as handle:
            handle.seek(size // 4)
            handle.write(random.Random(7).randbytes(size // 2))
    restore()


@pytest.mark.parametrize("how", ["random bytes", "truncated"])
def test_every_command_names_a_damaged_database_in_one_line(tmp_path, how):
    store = sample_store(tmp_path)
    damage(store, how)
    note = tmp_path / "note.txt"
    note.write_text("Harbour note\n\nThe ferry to the island runs twice a day in winter.")
    for command in (["articles"], ["ask", QUESTION], ["ingest", str(note)], ["remove", "gaza-ceasefire-talks"]):
        assert_one_line_error(run_qa(store, *command), "database", "is damaged", "backup", "new store")
    for command in (["doctor"], ["doctor", "--repair"]):
        check = run_qa(store, *command)
        assert check.returncode == 1 and not check.stderr.strip(), (check.returncode, check.stderr[-3000:])
        lines = check.stdout.splitlines()
        assert lines[0].startswith("PROBLEM  sqlite       integrity check failed:"), check.stdout
        assert "backup" in check.stdout and "--repair" not in check.stdout, check.stdout
