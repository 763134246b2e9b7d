"""The fixture of the browser edition's byte sizes: the library's ``format_bytes`` on the catalog's file sizes,
the memory bounds the page says, and the edges of each unit, so that ``web/src/bytes.js`` writes sizes as the
library does (decimal: MB, GB).

    python -m tests.export.fixtures_bytes   # rewrites web/test/fixtures/bytes.json

``test_fixtures_bytes.py`` fails when the committed file differs from what this writes.
"""

from __future__ import annotations

import json
from pathlib import Path

from resnext.catalog.variant import format_bytes

from tests.export.fixtures import CATALOG, FOLDER

NAME = "bytes.json"


def write(folder: Path = FOLDER) -> None:
    """Write ``bytes.json``: ``[bytes, format_bytes(bytes)]`` pairs."""
    sizes = sorted({v["file_size"] for v in json.loads(CATALOG.read_text())["variants"] if v["file_size"]})
    bounds = [2**28, 2**29, 2**30, 3 * 2**30, 1722809488]  # the page's memory bounds (MiB and GiB) and a need
    edges = [0, 1, 999, 1000, 1049, 1050, 1051, 999_949, 999_950, 999_999, 10**6, 250_000, 450_000,
             999_949_999, 999_950_000, 10**9, 1_125_899_906_842_624]  # halves: Python rounds them to even
    (folder / NAME).write_text(json.dumps([[n, format_bytes(n)] for n in [*edges, *bounds, *sizes]], indent=0) + "\n")


if __name__ == "__main__":
    write()
    print(FOLDER / NAME)
