"""In CI (CI=true) what a test needs must be there: a missing Chromium or shared/ fails the run instead of skipping."""

from __future__ import annotations

from tests.served import in_ci, unless_in_ci


def test_a_missing_need_skips_locally_and_runs_in_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert not in_ci() and unless_in_ci(True, "x").args == (True,)
    monkeypatch.setenv("CI", "true")  # as .ci/run is started
    assert in_ci() and unless_in_ci(True, "x").args == (False,)  # runs, and fails for want of it
    assert unless_in_ci(False, "x").args == (False,)
