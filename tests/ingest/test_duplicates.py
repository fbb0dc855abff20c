"""Near-duplicates: copies and lightly edited copies are caught, other stories and corrections are not."""

from __future__ import annotations

import pytest
from duplicate_pairs import PAIRS
from web_stories import STORIES

from qa.ingest.duplicates import DUPLICATE_AT, DuplicateIndex, fingerprint, numbers
from qa.ingest.pipeline import Ingestor
from qa.store.chroma import ArticleStore


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_pair(name):
    stored, new, duplicate = PAIRS[name]
    index = DuplicateIndex()
    index.add("stored", fingerprint(stored))
    index.add("unrelated", fingerprint("A quite different text about the price of tea in the hill country."))
    match = index.closest(fingerprint(new))
    assert (match is not None) == duplicate, (match, name)
    if match is not None:
        assert match.article_id == "stored" and match.similarity >= DUPLICATE_AT


def test_the_classes_are_far_apart():
    from qa.ingest.duplicates import similarity

    scores = {name: similarity(fingerprint(a).signature, fingerprint(b).signature) for name, (a, b, _) in PAIRS.items()}
    alike = [scores[n] for n, (_, _, dup) in PAIRS.items() if dup]
    # (a changed figure, not the wording, tells corrections apart: see test_pair)
    different = [scores[n] for n, (_, _, dup) in PAIRS.items()
                 if not dup and not n.startswith(("number-changed", "sentence-replaced"))]
    assert min(alike) >= DUPLICATE_AT + 0.05 and max(different) <= DUPLICATE_AT - 0.1


def test_numbers():
    assert {n for n, _ in numbers("Seven of the 1,200 homes cost 4.2 million; twenty-one left.")} == {
        "seven", "1,200", "4.2", "million", "twenty", "one"}
    assert numbers("two and two") > numbers("two") and not numbers("two") >= numbers("two and two")


@pytest.fixture
def store(tmp_path, embedder):
    return ArticleStore.open_local(tmp_path / "store", "news", embedder.model_name, 256)


def test_ingest_reports_a_copy_and_stores_it_only_when_asked(store, embedder, tmp_path):
    story = STORIES[0]
    body = "\n".join(story.paragraphs)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "original.txt").write_text(body, encoding="utf-8")
    (tmp_path / "a" / "wire-copy.md").write_text(f"Updated 09:15\n\n{body}", encoding="utf-8")
    (tmp_path / "a" / "other.txt").write_text("\n".join(STORIES[1].paragraphs), encoding="utf-8")
    report = Ingestor(store, embedder, 40, 8).ingest([tmp_path / "a"])
    statuses = {f.path.rsplit("/", 1)[1]: (f.status, f.reason) for f in report.files}
    assert statuses["original.txt"][0] == statuses["other.txt"][0] == "added"
    status, reason = statuses["wire-copy.md"]
    assert status == "duplicate" and reason.startswith("duplicate of original (") and "--keep-duplicates" in reason
    assert sorted(store.records()) == ["original", "other"]
    assert report.count_articles("duplicate") == 1
    again = Ingestor(store, embedder, 40, 8).ingest([tmp_path / "a"])  # a new run checks against the store
    assert [f.status for f in again.files] == ["unchanged", "unchanged", "duplicate"]
    kept = Ingestor(store, embedder, 40, 8, keep_duplicates=True).ingest([tmp_path / "a" / "wire-copy.md"])
    assert kept.files[0].status == "added" and sorted(store.records()) == ["original", "other", "wire-copy"]


def test_a_corrected_number_is_stored_beside_the_first_report(store, embedder, tmp_path):
    body = "\n".join(STORIES[0].paragraphs)
    first = tmp_path / "first.txt"
    first.write_text(body, encoding="utf-8")
    corrected = tmp_path / "corrected.txt"
    corrected.write_text(body.replace("seven to two", "six to three"), encoding="utf-8")
    report = Ingestor(store, embedder, 40, 8).ingest([first, corrected])
    assert [f.status for f in report.files] == ["added", "added"]
