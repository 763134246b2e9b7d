"""Every photo the library reads, the page reads the same way: a corpus made with Pillow (every JPEG, PNG,
WebP, GIF, BMP and AVIF case of the photo reader, 300 x 200 from a sample, plus damaged and lying files)
goes through the built page's own ``readPhoto`` in Debian's Chromium and through the library. Where the
decoded RGB differs at all, the page's top-5 on ResNeXt-50 (random weights from the stand-in Hub) is
compared with the library's on the same checkpoint; a refusal must be mutual and one sentence
(``tests/web/photos.py``, which ``python -m benchmarks.web_photos`` records for the manual)."""

from __future__ import annotations

import pytest

from tests.web.photos import compare, files, photo_page
from tests.web.site import marks

pytestmark = marks()


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The built site (one), the Hub with ResNeXt-50's random weights, one Chromium page on it."""
    with photo_page(tmp_path_factory.mktemp("photos")) as opened:
        yield opened


def test_every_photo_the_library_reads_the_page_reads_the_same_way(page):
    tab, clf = page
    outcomes = [compare(tab, clf, name, data) for name, data in files().items()]
    print("\n".join(f"{o.case:28} {o.outcome:14} {o.detail}" for o in outcomes))
    assert {o.outcome for o in outcomes} >= {"agrees", "both refuse", "page refuses", "downscaled"}
    failures = [o.failure for o in outcomes if o.failure]
    assert not failures, "\n".join(failures)
