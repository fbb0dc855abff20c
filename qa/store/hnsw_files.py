"""Read Chroma's saved vector index files without Chroma: damaged ones make its native code crash
(random bytes in data_level0.bin: a segfault on the first search, in every command), so they are
checked here first, in plain Python, when they changed since qa last knew them good.

The layout is hnswlib's, as chromadb 1.5.9 saves it in each index folder (chroma/<segment id>/):
- header.bin: a format version (int32), then offsetLevel0, max_elements, cur_element_count,
  size_data_per_element, label_offset, offsetData (size_t each), maxlevel (int32),
  enterpoint_node (uint32), maxM, maxM0, M (size_t), mult (double), ef_construction (size_t);
- data_level0.bin: one record of size_data_per_element bytes per element: its neighbour count
  (low 16 bits of a uint32), maxM0 neighbour numbers (uint32), the vector, the label (size_t);
- link_lists.bin: per element, a byte count (uint32) and that many bytes of upper-level links,
  each level a count (uint32) and maxM neighbour numbers;
- length.bin: one float32 per element (the vector's norm);
- index_metadata.pickle: Chroma's id <-> label map (present once the index was saved).
A header of another version is not judged (a later Chroma): the child-process probe still is.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_HEADER = struct.Struct("<iQQQQQQiIQQQdQ")
_VERSION = 1
_MAX_LEVEL = 64  # hnswlib draws levels from an exponential: a level this high is damage
SAVED_FILES = ("header.bin", "data_level0.bin", "length.bin", "link_lists.bin")
# Present once Chroma saved the index. Before that (fewer writes than its sync threshold, 1,000 by
# default) it rebuilds the index from its log on every load and rewrites the other files empty in
# each process that loads it (also readers, without qa's write lock): nothing there to judge.
SAVED_MARK = "index_metadata.pickle"


@dataclass(frozen=True)
class Header:
    max_elements: int
    count: int
    record: int  # bytes per element in data_level0.bin
    label_offset: int
    data_offset: int
    max_level: int
    entry: int
    max_m: int
    max_m0: int

    @classmethod
    def read(cls, data: bytes) -> Header | None:
        """None for another format version (not judged)."""
        if len(data) < _HEADER.size:
            raise ValueError(f"header.bin has {len(data)} bytes, fewer than {_HEADER.size}")
        version, _, max_elements, count, record, label, data_at, level, entry, max_m, max_m0, *_ = (
            _HEADER.unpack_from(data)
        )
        if version != _VERSION:
            return None
        return cls(max_elements, count, record, label, data_at, level, entry, max_m, max_m0)

    def problems(self) -> list[str]:
        if not 0 < self.max_m <= self.max_m0 <= 4096:
            return [f"header.bin: neighbour limits {self.max_m}/{self.max_m0} are impossible"]
        if self.data_offset != 4 * self.max_m0 + 4 or self.label_offset + 8 != self.record:
            return ["header.bin: record layout is inconsistent"]
        if self.label_offset <= self.data_offset or (self.label_offset - self.data_offset) % 4:
            return ["header.bin: vector size is impossible"]
        if self.count > self.max_elements:
            return [f"header.bin: {self.count} elements, more than its capacity {self.max_elements}"]
        if self.count == 0:
            return []
        if not 0 <= self.max_level < _MAX_LEVEL or self.entry >= self.count:
            return [f"header.bin: entry point {self.entry} / top level {self.max_level} out of range"]
        return []


def folder_problems(folder: Path) -> list[str]:
    """What is wrong with one index folder's files (empty: nothing found, or no saved index)."""
    if not (folder / SAVED_MARK).exists():
        return []
    header_file = folder / "header.bin"
    try:
        missing = [name for name in SAVED_FILES if not (folder / name).is_file()]
        if missing:
            return [f"{missing[0]} is missing"]
        header = Header.read(header_file.read_bytes())
        if header is None:
            return []
        return header.problems() or _level0_problems(folder, header) or _upper_problems(folder, header)
    except (OSError, ValueError, struct.error) as exc:
        return [f"cannot read it ({exc})"]


def _level0_problems(folder: Path, header: Header) -> list[str]:
    path = folder / "data_level0.bin"
    need = header.count * header.record
    size = path.stat().st_size
    if size < need:
        return [f"data_level0.bin has {size} bytes, fewer than the {need} its {header.count} elements need"]
    if header.count == 0:
        return []
    rows = np.fromfile(path, dtype=np.uint8, count=need).reshape(header.count, header.record)
    links = rows[:, : header.data_offset].copy().view(np.uint32)
    counts = links[:, 0] & 0xFFFF
    if int(counts.max()) > header.max_m0:
        return [f"data_level0.bin: element {int(counts.argmax())} has {int(counts.max())} neighbours "
                f"(at most {header.max_m0})"]
    used = np.arange(header.max_m0)[None, :] < counts[:, None]
    if bool((links[:, 1:][used] >= header.count).any()):
        bad = int(np.nonzero((links[:, 1:] >= header.count) & used)[0][0])
        return [f"data_level0.bin: element {bad} links to an element that does not exist"]
    vectors = rows[:, header.data_offset : header.label_offset].copy().view(np.float32)
    if not bool(np.isfinite(vectors).all()):
        return ["data_level0.bin: a vector holds values that are not numbers"]
    lengths = np.fromfile(folder / "length.bin", dtype=np.float32, count=header.count)
    if len(lengths) < header.count or not bool(np.isfinite(lengths).all()):
        return ["length.bin is short or holds values that are not numbers"]
    return []


def _upper_problems(folder: Path, header: Header) -> list[str]:
    """The links above level 0: each element's byte count must be whole levels within the top
    level, and each level's neighbours must exist."""
    data = (folder / "link_lists.bin").read_bytes()
    level_size = 4 * header.max_m + 4
    at = 0
    for element in range(header.count):
        if at + 4 > len(data):
            return [f"link_lists.bin ends before element {element}"]
        (size,) = struct.unpack_from("<I", data, at)
        at += 4
        if size == 0:
            continue
        if size % level_size or size // level_size > header.max_level or at + size > len(data):
            return [f"link_lists.bin: element {element} has an impossible link list ({size} bytes)"]
        levels = np.frombuffer(data, dtype=np.uint32, count=size // 4, offset=at).reshape(-1, header.max_m + 1)
        counts = levels[:, 0] & 0xFFFF
        if int(counts.max()) > header.max_m:
            return [f"link_lists.bin: element {element} has too many neighbours"]
        used = np.arange(header.max_m)[None, :] < counts[:, None]
        if bool((levels[:, 1:][used] >= header.count).any()):
            return [f"link_lists.bin: element {element} links to an element that does not exist"]
        at += size
    return []
