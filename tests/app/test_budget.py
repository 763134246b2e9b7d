"""Every byte a visitor's upload makes the server hold is counted, bounded, refused in one sentence, and given back."""

from __future__ import annotations

import gc
import io
import sys
import zipfile

import numpy as np
import pytest

from resnext.errors import ResNeXtError
from resnext_app import budget
from tests.apptest import no_failure, upload_image


class Owner:
    """Something that holds bytes (weak-referenceable)."""


def test_a_kept_charge_is_released_when_its_owner_is_garbage():
    gate = budget.ByteGate(100)
    owner = Owner()
    gate.keep(owner, 60)
    with pytest.raises(ResNeXtError, match="cannot take your photo \\(0.0 MB\\)"):
        gate.keep(Owner(), 50, "your photo")
    assert gate.held == 60
    del owner
    gc.collect()
    assert gate.held == 0


def test_a_claim_gives_back_what_it_did_not_hand_to_an_owner():
    gate = budget.ByteGate(100)
    with gate.claim() as claim:
        claim.reserve(30)
        claim.reserve(20)
        assert gate.held == 50
    assert gate.held == 0
    owner = Owner()
    with gate.claim() as claim:
        claim.reserve(40)
        claim.keep(owner)
    assert gate.held == 40
    del owner
    gc.collect()
    assert gate.held == 0


def test_results_are_bounded_in_bytes_least_recently_used_out():
    gate = budget.ByteGate(10_000)
    results = budget.Results(3_000, gate)
    for k in range(3):
        assert results.put((k,), np.zeros(1000, np.uint8))
    assert results.get((0,)) is not None  # 0 is now the most recently used
    assert results.put((3,), np.zeros(1000, np.uint8))
    assert results.get((1,)) is None and results.get((0,)) is not None and len(results) == 3
    assert results.bytes == gate.held == 3000
    assert not results.put(("big",), np.zeros(3001, np.uint8))  # larger than the bound: returned, not kept
    assert results.bytes == gate.held == 3000


def test_results_give_way_to_an_upload_and_never_push_one_out():
    gate = budget.ByteGate(2_500)
    results = budget.Results(2_000, gate)
    gate.reclaim = results.evict
    results.put(("a",), np.zeros(1000, np.uint8))
    results.put(("b",), np.zeros(1000, np.uint8))
    photo = Owner()
    gate.keep(photo, 1_400)  # takes the oldest result's place
    assert results.get(("a",)) is None and results.get(("b",)) is not None and gate.held == 2_400
    # 1,200 more would pass the gate's 2,500 beside the photo: the result gives up its older
    # neighbour and itself, never the photo
    assert not results.put(("c",), np.zeros(1200, np.uint8))
    assert results.get(("b",)) is None and len(results) == 0 and gate.held == 1_400


def test_the_footprint_counts_arrays_bytes_and_dataclasses_once():
    from resnext.transfer import LabelledSet
    from resnext_app.transfer import Data

    x = np.zeros((10, 10), np.float32)
    assert budget.footprint((x, x)) - budget.footprint((x,)) == sys.getsizeof((x, x)) - sys.getsizeof((x,))
    assert budget.footprint(b"12345") == 5
    images = LabelledSet([("a.png", b"1" * 1000), ("b.png", b"2" * 2000)], np.array([0, 1]), ("a", "b"))
    assert 3000 < budget.footprint(Data(images, "d" * 64)) < 4000


@pytest.fixture
def small_budget(monkeypatch):
    """A server that holds at most 1 MB for all its visitors (set before the app's first run)."""
    monkeypatch.setenv("RESNEXT_MAX_UPLOAD_GB", "0.001")


def test_a_photo_over_the_budget_is_refused_and_the_last_one_kept(small_budget, app):
    upload_image(app, "chelsea.png")  # 0.24 MB: fits
    no_failure(app)
    upload_image(app, "astronaut.png")  # 0.79 MB file, and its pixels on top: more than is left
    assert not app.exception and len(app.error) == 1
    assert "cannot take your photo" in app.error[0].value and "Still showing chelsea.png" in app.error[0].value
    assert "Working on chelsea.png" in " ".join(m.value for m in app.markdown)
    upload_image(app, "rocket.jpg")  # the server keeps working: a small photo still goes in
    no_failure(app)
    assert "Working on rocket.jpg" in " ".join(m.value for m in app.markdown)


def _zip(n: int, size: int) -> bytes:
    """Class folders of uncompressed-size BMPs that deflate to almost nothing."""
    from PIL import Image

    image = io.BytesIO()
    Image.new("RGB", (size, size), (200, 40, 40)).save(image, format="BMP")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(n):
            archive.writestr(f"set/{'ab'[i % 2]}/{i}.bmp", image.getvalue())
    return buf.getvalue()


def test_a_zip_that_unpacks_past_the_budget_is_refused_and_the_sample_still_runs(small_budget, app):
    data = _zip(8, 256)  # 8 x 197 kB unpacked from a few kB
    assert len(data) < 20_000
    app.switch_page("pages/your_classes.py").run()
    app.radio(key="yc_source").set_value("Your zip of class folders").run()
    app.file_uploader(key="yc_zip").set_value(("set.zip", data, "application/zip")).run()
    assert not app.exception and len(app.error) == 1 and "cannot take your upload" in app.error[0].value
    assert budget.gate().held == 0  # what the refused zip had reserved is given back whole
    app.radio(key="yc_source").set_value("Sample: textures (brick, grass, gravel)").run()
    no_failure(app)
    assert "48 images in 3 classes" in " ".join(m.value for m in app.markdown)


def test_a_zip_is_unpacked_once_per_upload(app, monkeypatch):
    from resnext_app import bulk

    calls = []
    real = bulk.unpack
    monkeypatch.setattr(bulk, "unpack", lambda *a, **k: calls.append(1) or real(*a, **k))
    app.switch_page("pages/your_classes.py").run()
    app.radio(key="yc_source").set_value("Your zip of class folders").run()
    app.file_uploader(key="yc_zip").set_value(("set.zip", _zip(4, 32), "application/zip")).run()
    no_failure(app)
    app.select_slider(key="yc_folds").set_value(2).run()  # another rerun of the page
    app.run()
    assert len(calls) == 1
