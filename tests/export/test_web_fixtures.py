"""The browser edition's test fixtures are what the library and the safetensors package make today."""

from __future__ import annotations

from tests.export.web_fixtures import FOLDER, write


def test_the_committed_fixtures_are_fresh(tmp_path):
    write(tmp_path)
    for name in ("tiny-safetensors.json", "cam.json", "preprocess.json"):
        assert (tmp_path / name).read_bytes() == (FOLDER / name).read_bytes(), name
