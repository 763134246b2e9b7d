"""The browser's transfer-study fixture is what the library writes today."""

from __future__ import annotations

from tests.export.fixtures_transfer import FOLDER, NAME, write


def test_the_committed_transfer_fixture_is_fresh(tmp_path):
    write(tmp_path)
    fresh = (tmp_path / NAME).read_bytes()
    assert fresh == (FOLDER / NAME).read_bytes(), "stale: run python -m tests.export.fixtures_transfer"
