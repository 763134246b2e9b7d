"""The fixture of the browser edition's comparison chart: the library's Pareto fronts and the Python app's
1-2-5 log ticks on the catalog's own figures, so that ``web/src/chart.js`` draws what the Python app draws.

    python -m tests.export.fixtures_chart   # rewrites web/test/fixtures/chart.json

``test_fixtures_chart.py`` fails when the committed file differs from what this writes.
"""

from __future__ import annotations

import json
from pathlib import Path

from resnext.catalog.compare import pareto_front
from resnext_app.charts import _log_ticks

from tests.export.fixtures import CATALOG, FOLDER

NAME = "chart.json"


def write(folder: Path = FOLDER) -> None:
    """Write ``chart.json``: per cost (GMACs, file size), the variants' cost and top-1, the front's mask and
    the ticks; and ticks of a few more ranges."""
    variants = [v for v in json.loads(CATALOG.read_text())["variants"] if v["top1"] is not None]
    costs = {"gmacs": [v["macs"] / 1e9 for v in variants], "file_size": [float(v["file_size"]) for v in variants]}
    top1 = [v["top1"] for v in variants]
    charts = {name: {"cost": cost, "top1": top1, "front": pareto_front(cost, top1).tolist(),
                     "ticks": _log_ticks(min(cost), max(cost))} for name, cost in costs.items()}
    ties = {"cost": [1.0, 1.0, 2.0, 3.0, 3.0], "top1": [5.0, 5.0, 6.0, 6.0, 7.0]}  # equal points: neither beats the other
    charts["ties"] = {**ties, "front": pareto_front(ties["cost"], ties["top1"]).tolist(), "ticks": _log_ticks(1.0, 3.0)}
    ranges = [(0.03, 0.9), (7.0, 7.0), (120.0, 45000.0)]
    (folder / NAME).write_text(json.dumps({"charts": charts, "ticks": [{"low": lo, "high": hi, "ticks": _log_ticks(lo, hi)}
                                                                        for lo, hi in ranges]}, indent=1) + "\n")


if __name__ == "__main__":
    write()
    print(FOLDER / NAME)
