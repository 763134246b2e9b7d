"""The explanation modules' fixtures are what the library writes today."""

from __future__ import annotations

from tests.export.fixtures_explain import FOLDER, NAMES, write


def test_the_committed_explanation_fixtures_are_fresh(tmp_path):
    write(tmp_path)
    for name in NAMES:
        assert (tmp_path / name).read_bytes() == (FOLDER / name).read_bytes(), name
