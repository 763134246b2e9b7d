"""The Batch page's fixture is what the library writes today."""

from __future__ import annotations

from tests.export.fixtures_batch import FOLDER, NAME, write


def test_the_committed_batch_fixture_is_fresh(tmp_path):
    write(tmp_path)
    assert (tmp_path / NAME).read_bytes() == (FOLDER / NAME).read_bytes()
