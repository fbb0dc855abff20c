"""A plain clone runs the tests and benchmarks: nothing under tests/ or bench/ (nor eval/squad_table.py's
default) reads a path outside the repository, such as the developers' ../shared folder.

Data a test needs is committed under tests/data/ (tests/data/README.md); .ci/run runs the suite
from a copy of the repo with nothing beside it.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from conftest import REPO, SEED, SQUAD

THIS = Path(__file__).resolve()  # not scanned: its own examples below name the ways out
SCANNED = sorted(
    {*(REPO / "tests").rglob("*.py"), *(REPO / "bench").rglob("*.py"), REPO / "eval" / "squad_table.py"} - {THIS}
)
# "../shared", "..\\shared", a "shared" path part, or the folder's datasets/corpus beside the repo
OUTSIDE_TEXT = re.compile(r"""\.\.[/\\]+shared\b|["']shared["']|\bshared[/\\]+(?:datasets|corpus)\b""")


def _ups(node: ast.AST) -> int | None:
    """How many folders up from this file `Path(__file__)...` goes (.parent: 1, .parents[k]: k + 1)."""
    ups = 0
    while True:
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            ups, node = ups + 1, node.value
        elif (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)
              and node.value.attr == "parents" and isinstance(node.slice, ast.Constant)
              and isinstance(node.slice.value, int)):
            ups, node = ups + node.slice.value + 1, node.value.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "resolve", "absolute"):
            node = node.func.value
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Path"
              and len(node.args) == 1 and isinstance(node.args[0], ast.Name) and node.args[0].id == "__file__"):
            return ups
        else:
            return None


def leaks(path: Path, root: Path = REPO) -> list[str]:
    """Each place in the file's source that names a path outside the repository `root`."""
    relative = path.relative_to(root)
    source = path.read_text(encoding="utf-8")
    found = [f"{relative}:{source.count(chr(10), 0, m.start()) + 1}: {m.group(0)!r}"
             for m in OUTSIDE_TEXT.finditer(source)]
    allowed = len(relative.parts)  # from tests/x/y.py, three folders up is the repo root
    for node in ast.walk(ast.parse(source)):
        where = f"{relative}:{getattr(node, 'lineno', '?')}"
        ups = _ups(node)
        if ups is not None and ups > allowed:
            found.append(f"{where}: Path(__file__) goes {ups} folders up, out of the repository")
        # REPO is the repository root (tests/conftest.py, the eval scripts): its parent is outside
        if (isinstance(node, ast.Attribute) and node.attr in ("parent", "parents")
                and isinstance(node.value, ast.Name) and node.value.id == "REPO"):
            found.append(f"{where}: REPO.{node.attr} is outside the repository")
    return list(dict.fromkeys(found))


def test_nothing_scanned_reads_outside_the_repository():
    assert len(SCANNED) > 40  # the glob found the test suite
    problems = [line for path in SCANNED for line in leaks(path)]
    assert problems == [], "paths outside the repo (commit the data under tests/data/ instead):\n" + "\n".join(
        problems)


@pytest.mark.parametrize(
    "source, name",
    [
        ('SEED = REPO.parent / "shared" / "corpus" / "seed"\n', "conftest.py"),
        ('SQUAD = Path(__file__).resolve().parents[2] / "datasets"\n', "x.py"),
        ('SQUAD = Path(__file__).parent.parent.parent / "data"\n', "x.py"),
        ('DATA = "../shared/datasets/squad-v2-dev/dev-v2.0.json"\n', "x.py"),
        ('DATA = Path("..") / "shared"\n', "x.py"),
    ],
)
def test_the_scan_catches_the_ways_out(tmp_path, source, name):
    folder = tmp_path / "bench"
    folder.mkdir()
    (folder / name).write_text(source, encoding="utf-8")
    assert leaks(folder / name, root=tmp_path)


def test_the_scan_allows_the_repo_root_from_any_depth(tmp_path):
    folder = tmp_path / "tests" / "reader"
    folder.mkdir(parents=True)
    (folder / "x.py").write_text('ROOT = Path(__file__).resolve().parents[2]\nSAMPLE = ROOT / "data" / "sample"\n'
                                 '"""the shared module server"""\n', encoding="utf-8")
    assert leaks(folder / "x.py", root=tmp_path) == []


def test_the_test_data_is_committed_with_its_notes():
    data = REPO / "tests" / "data"
    assert SEED.is_relative_to(data) and SQUAD.is_relative_to(data)
    assert [p.suffix for p in SEED.iterdir()] == [".txt"]
    squad = json.loads(SQUAD.read_text(encoding="utf-8"))
    assert set(squad) == {"version", "data"} and len(squad["data"]) == 2
    assert SQUAD.stat().st_size < 300_000  # a slice, not the dataset
    note = (data / "squad-v2-dev-slice.LICENSE.md").read_text(encoding="utf-8")
    assert "CC BY-SA 4.0" in note and "Rajpurkar" in note
    assert "squad-v2-dev-slice.json" in (data / "README.md").read_text(encoding="utf-8")
