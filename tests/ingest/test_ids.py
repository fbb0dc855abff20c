"""Article ids: unique and stable for any file name, and one source never replaces another's article."""

from __future__ import annotations

import os
import shutil

import pytest

from qa.ingest.ids import Holder, holder, source_key, suffixed
from qa.ingest.pipeline import Ingestor
from qa.store.chroma import ArticleStore

BODY = "The harbour board voted {n} to 2 on Tuesday to repair the north pier before winter storms arrive."


@pytest.fixture
def store(tmp_path, embedder):
    return ArticleStore.open_local(tmp_path / "store", "news", embedder.model_name, 256)


def ingest(store, embedder, *paths):
    return Ingestor(store, embedder, 40, 8).ingest(list(paths))


def texts(store) -> dict[str, str]:
    return {aid: store.article(aid).text for aid in store.records()}


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_non_latin_names_give_one_article_each_and_again_unchanged(store, embedder, tmp_path):
    folder = tmp_path / "in"
    for n, name in enumerate(["日本.txt", "中国.txt", "Москва.txt", "🙂.txt", "😀.txt"]):
        write(folder / name, BODY.format(n=n))
    first = ingest(store, embedder, folder)
    assert [f.status for f in first.files] == ["added"] * 5
    assert set(store.records()) >= {"日本", "中国", "москва"}
    assert len(store.records()) == 5
    again = ingest(store, embedder, folder)
    assert [f.status for f in again.files] == ["unchanged"] * 5
    assert [f.articles for f in again.files] == [f.articles for f in first.files]


def test_same_stem_in_two_folders_never_replace_each_other(store, embedder, tmp_path):
    a = write(tmp_path / "a" / "report.txt", BODY.format(n=1))
    b = write(tmp_path / "b" / "report.txt", BODY.format(n=2))
    first = ingest(store, embedder, tmp_path / "a", tmp_path / "b")
    assert [f.status for f in first.files] == ["added", "added"]
    plain, other = first.files[0].articles[0], first.files[1].articles[0]
    assert plain == "report" and other == suffixed("report", source_key(str(b)))
    assert "id 'report' belongs to" in first.files[1].reason and other in first.files[1].reason
    assert texts(store) == {"report": BODY.format(n=1), other: BODY.format(n=2)}
    for _ in range(2):  # no flip-flop: every later run finds both unchanged, in either order
        assert [f.status for f in ingest(store, embedder, b, a).files] == ["unchanged", "unchanged"]
    assert texts(store) == {"report": BODY.format(n=1), other: BODY.format(n=2)}
    write(b, BODY.format(n=3))  # an edit updates that file's own article only
    edited = ingest(store, embedder, tmp_path)
    assert [(f.status, f.articles) for f in edited.files] == [("unchanged", ("report",)), ("updated", (other,))]
    assert texts(store) == {"report": BODY.format(n=1), other: BODY.format(n=3)}
    assert os.path.exists(a)


def test_names_with_the_same_slug_keep_their_own_articles(store, embedder, tmp_path):
    write(tmp_path / "in" / "A b.txt", BODY.format(n=1))
    write(tmp_path / "in" / "a-b.txt", BODY.format(n=2))
    report = ingest(store, embedder, tmp_path / "in")
    assert [f.status for f in report.files] == ["added", "added"]
    assert len(store.records()) == 2 and sorted(texts(store).values()) == [BODY.format(n=1), BODY.format(n=2)]


def test_a_moved_file_keeps_its_article(store, embedder, tmp_path):
    old = write(tmp_path / "old" / "story.txt", BODY.format(n=1))
    ingest(store, embedder, old)
    new = tmp_path / "new" / "story.txt"
    new.parent.mkdir()
    shutil.move(old, new)
    assert ingest(store, embedder, new).files[0].status == "unchanged"
    write(new, BODY.format(n=5))
    moved = ingest(store, embedder, new).files[0]
    assert (moved.status, moved.articles) == ("updated", ("story",))
    assert list(store.records()) == ["story"]
    assert store.records()["story"][0].path == str(new.resolve())


def test_the_same_file_by_another_path_is_the_same_source(store, embedder, tmp_path, monkeypatch):
    path = write(tmp_path / "in" / "story.txt", BODY.format(n=1))
    os.symlink(path, tmp_path / "in" / "link.txt")
    monkeypatch.chdir(tmp_path)
    ingest(store, embedder, "in/story.txt")
    assert ingest(store, embedder, str(path), f"{tmp_path}/in/../in/story.txt").count("unchanged") == 2
    assert list(store.records()) == ["story"]


def test_an_id_a_file_gives_itself_is_not_taken_from_another_file(store, embedder, tmp_path):
    first = write(tmp_path / "one.md", f"---\nid: joint\n---\n{BODY.format(n=1)}")
    second = write(tmp_path / "two.md", f"---\nid: joint\n---\n{BODY.format(n=2)}")
    copy = write(tmp_path / "three.md", f"---\nid: joint\n---\n{BODY.format(n=1)}")
    report = ingest(store, embedder, first, second, copy)
    assert [f.status for f in report.files] == ["added", "failed", "unchanged"]
    assert "id 'joint' already belongs to the article from" in report.files[1].reason
    assert str(first.resolve()) in report.files[1].reason
    assert texts(store) == {"joint": BODY.format(n=1)}
    assert ingest(store, embedder, second).files[0].status == "failed"  # in a later run too
    first.unlink()  # its source is gone: the id is free for the other file
    taken = ingest(store, embedder, second).files[0]
    assert taken.status == "updated" and "which is gone" in taken.reason
    assert texts(store) == {"joint": BODY.format(n=2)}


def test_python_api_articles_keep_their_ids(store, embedder):
    from qa.types import Article

    ingestor = Ingestor(store, embedder, 40, 8)
    assert ingestor.ingest_articles([Article("x", "", BODY.format(n=1))]).files[0].status == "added"
    assert ingestor.ingest_articles([Article("x", "", BODY.format(n=2))]).files[0].status == "updated"


@pytest.mark.parametrize(
    "stored, expected",
    [(None, Holder.FREE), ("", Holder.FREE), ("THIS", Holder.SAME), ("https://example.org/a", Holder.OTHER),
     ("OTHER", Holder.OTHER), ("GONE", Holder.GONE)],
)
def test_holder(tmp_path, stored, expected):
    this = write(tmp_path / "this.txt", "x")
    other = write(tmp_path / "other.txt", "x")
    names = {"THIS": str(this), "OTHER": str(other), "GONE": str(tmp_path / "gone.txt")}
    assert holder(names.get(stored, stored), source_key(str(this))) is expected
