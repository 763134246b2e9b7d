"""Which photos the browser edition reads as the library does: the photo corpus through the built page's
``readPhoto`` in headless Chromium and through the library, case by case.

    python -m benchmarks.web_photos [--out assets/web_photos.json]

The corpus is ``tests/export/fixtures_photo.py``'s, made with Pillow at 300 x 200 from a sample (every JPEG,
PNG, WebP, GIF, BMP and AVIF case, damaged and lying files), plus a 20 MP WebP; the comparison is
``tests/web/photos.py``'s, the one ``tests/web/test_photos.py`` asserts. Each case is one of: the page
``agrees`` with the library (the largest RGB difference; where the RGB differs at all, the top-5 on
ResNeXt-50 with random weights agrees to 1e-4), ``both refuse``, the ``page refuses`` what the library
reads (with the page's sentence), the page decoded it ``downscaled`` and said so, or it ``disagrees``.
"""

from __future__ import annotations

import argparse
import collections
import tempfile
from pathlib import Path

from benchmarks.figures import save
from benchmarks.machine import describe
from resnext.catalog.index import ASSETS_DIR
from tests.web.photos import MODEL, TOP5_TOLERANCE, compare, files, photo_page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.web_photos", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ASSETS_DIR / "web_photos.json"),
                        help="where the figures go (the docs' table reads assets/web_photos.json)")
    args = parser.parse_args(argv)

    print(describe())
    with photo_page(Path(tempfile.mkdtemp(prefix="resnext-web-photos-"))) as (tab, clf):
        version = tab.context.browser.version
        outcomes = [compare(tab, clf, name, data) for name, data in files().items()]
    for o in outcomes:
        print(f"{o.format:5} {o.case:30} {o.outcome:14} {o.detail}")
    totals = dict(collections.Counter(o.outcome for o in outcomes))
    print(", ".join(f"{n} {outcome}" for outcome, n in totals.items()))
    save(args.out, {
        "browser": f"Headless Chromium {version}",
        "model": MODEL,
        "top5_tolerance": TOP5_TOLERANCE,
        "cases": [{"format": o.format, "case": o.case, "outcome": o.outcome, "rgb_max": o.rgb_max,
                   "top5_dp": None if o.top5_dp is None else float(f"{o.top5_dp:.2e}"), "detail": o.detail}
                  for o in outcomes],
        "totals": totals,
    })
    print(f"wrote {args.out}")
    return 0 if "disagrees" not in totals else 1


if __name__ == "__main__":
    raise SystemExit(main())
