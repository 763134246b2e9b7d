"""The memory bound per device class in ``assets/web_speed.json`` (the hosting page draws it) is what
``web/src/budget.js`` gives on the committed catalog: stale figures fail here."""

from __future__ import annotations

import shutil

from benchmarks.figures import load
from benchmarks.web import memory_by_device
from tests.served import unless_in_ci

pytestmark = unless_in_ci(shutil.which("node") is None, "Node is missing")


def test_the_committed_memory_table_is_budget_js_on_the_catalog():
    rows = memory_by_device()
    assert load("web_speed")["memory"] == rows
    by = {r["device"]: r for r in rows}
    assert by["iOS, iPadOS"]["bound_mb"] == by["not said (Firefox, desktop Safari)"]["bound_mb"] == 1024
    assert by["deviceMemory 8 GB"]["variants"] == by["deviceMemory 8 GB"]["of"]  # every model a browser can hold
