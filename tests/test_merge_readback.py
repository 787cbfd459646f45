"""Merge's read-back of the summary it wrote: the file mapped (gkxl.read.package.map_package), not read into
memory, with the same findings as `check_file`, and unmapped before the temporary file is renamed."""

from __future__ import annotations

import os
import random
import sys

import pytest

from gkxl.check.validate import check_file
from gkxl.errors import ReadError
from gkxl.form.model import load_form
from gkxl.merge.combine import merge
from gkxl.read.package import load_package, map_package
from gkxl.read.reader import read_package
from gkxl.workbook.sample import random_report, write_report


def _towns(folder, n: int = 3) -> list:
    form = load_form("2021")
    return [
        write_report(random_report(form, random.Random(i), unit=f"第{i}乡", year=2024, scale=5), folder / f"{i}.xlsx")
        for i in range(n)
    ]


@pytest.fixture
def map_all(monkeypatch):
    """map_package maps any file, not only the large summaries of many inputs."""
    import gkxl.read.package as package

    monkeypatch.setattr(package, "MAP_MIN_BYTES", 0)


def test_a_small_file_is_read_not_mapped(tmp_path):
    package = map_package(_towns(tmp_path, 1)[0])
    assert not package.mapped and isinstance(package.data, bytes)


def test_a_mapped_package_reads_as_a_loaded_one(tmp_path, map_all):
    path = _towns(tmp_path, 1)[0]
    loaded, mapped = load_package(path), map_package(path)
    try:
        assert mapped.mapped and not loaded.mapped
        assert mapped.parts == loaded.parts and mapped.sheet_parts() == loaded.sheet_parts()
        assert all(mapped.read(name) == loaded.read(name) for name in loaded.parts)
        one, two = read_package(loaded, digest=True), read_package(mapped, digest=True)
        assert (one.values, one.unit, one.year, one.sha256, one.marks) == (two.values, two.unit, two.year,
                                                                           two.sha256, two.marks)  # fmt: skip
    finally:
        mapped.close()
    assert mapped.data.closed
    loaded.close()  # nothing to do for bytes


def test_a_mapped_package_refuses_what_a_loaded_one_refuses(tmp_path, map_all):
    empty, text = tmp_path / "empty.xlsx", tmp_path / "text.xlsx"
    empty.write_bytes(b"")
    text.write_bytes(b"not a workbook" * 10)
    for path in (empty, text, tmp_path):
        with pytest.raises(ReadError) as mapped:
            map_package(path)
        with pytest.raises(ReadError) as loaded:
            load_package(path)
        assert mapped.value.message == loaded.value.message


def test_the_read_back_gives_check_files_findings_and_leaves_nothing_mapped(tmp_path, monkeypatch, map_all):
    import gkxl.read.package as package

    mapped = []
    monkeypatch.setattr(package, "map_package", lambda path: mapped.append(map_package(path)) or mapped[-1])
    out = tmp_path / "汇总.xlsx"
    result = merge(_towns(tmp_path), out, unit="某县人民政府", workers=1)
    assert result.merged and out.exists()
    assert len(mapped) == 1 and mapped[0].mapped and mapped[0].data.closed  # closed, not left to the GC
    assert result.findings == [f.replace(path=str(out)) for f in check_file(out).findings]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".") or "tmp" in p.name] == []
    if sys.platform.startswith("linux"):  # the mapping is gone: on Windows a mapped file could not be renamed
        with open(f"/proc/{os.getpid()}/maps", encoding="utf-8", errors="replace") as maps:
            assert str(tmp_path) not in maps.read()
