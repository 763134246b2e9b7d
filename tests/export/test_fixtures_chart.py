"""The comparison chart's fixture is what the library and the Python app compute today."""

from __future__ import annotations

from tests.export.fixtures_chart import FOLDER, NAME, write


def test_the_committed_chart_fixture_is_fresh(tmp_path):
    write(tmp_path)
    assert (tmp_path / NAME).read_bytes() == (FOLDER / NAME).read_bytes()
