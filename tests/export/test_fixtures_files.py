"""The reader of many files' fixture is what the Python app's reader and the library make today."""

from __future__ import annotations

from tests.export.fixtures_files import FIXTURE, write


def test_the_committed_files_fixture_is_fresh(tmp_path):
    write(tmp_path / "files.json")
    assert (tmp_path / "files.json").read_bytes() == FIXTURE.read_bytes()
