"""web/test/fixtures/explain-gradient.json is what the library and Captum make today."""

from __future__ import annotations

from tests.export.fixtures_gradient import FOLDER, NAME, write


def test_the_gradient_fixture_is_fresh(tmp_path):
    assert write(tmp_path).read_bytes() == (FOLDER / NAME).read_bytes()
