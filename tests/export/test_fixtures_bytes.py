"""The byte sizes' fixture is what the library's ``format_bytes`` writes today."""

from __future__ import annotations

from tests.export.fixtures_bytes import FOLDER, NAME, write


def test_the_committed_bytes_fixture_is_fresh(tmp_path):
    write(tmp_path)
    assert (tmp_path / NAME).read_bytes() == (FOLDER / NAME).read_bytes()
