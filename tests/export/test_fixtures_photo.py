"""The photo reader's fixture is what the library and Pillow make today."""

from __future__ import annotations

from tests.export.fixtures_photo import FIXTURE, write


def test_the_committed_photo_fixture_is_fresh(tmp_path):
    write(tmp_path / "photo.json")
    assert (tmp_path / "photo.json").read_bytes() == FIXTURE.read_bytes()
