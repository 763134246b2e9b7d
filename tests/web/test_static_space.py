"""The static Space as a visitor meets it: the built site in Debian's Chromium, served on 127.0.0.1 with and
without COOP/COEP and framed by another site as a Space is, its weights from the stand-in Hub (random
weights of the real architectures), checked against the library on the same checkpoints."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import resnext
from resnext.explain import explain
from resnext.weights.hub import HUB_FILE, hub_repo
from tests.apptest import SAMPLES
from tests.hub import HubServer
from tests.served import axe_violations
from tests.web.conftest import PHONE
from tests.web.site import Frame, Site, marks, workspace
from tests.web.weights import checkpoint, publish

A, B, C = "ssl_resnext50_32x4d", "swsl_resnext50_32x4d", "tv2_resnext50_32x4d"  # C: another resize (232)
BROKEN = {"corrupt": "ssl_resnext101_32x4d", "truncated": "swsl_resnext101_32x4d"}
MISSING = "tv_resnext50_32x4d"  # not on the Hub at all

pytestmark = marks()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The built site on three servers (isolated, plain, framed) and the Hub with its checkpoints."""
    dist, folder = workspace(tmp_path_factory, "static-space")
    with HubServer() as hub:
        publish(hub, [A, B, C], folder)
        for name, vid in BROKEN.items():  # A's file stands in: what matters is how it arrives
            sha = hub.add(hub_repo(resnext.get_variant(vid)), HUB_FILE, checkpoint(A, folder).read_bytes() + name.encode())
            (hub.corrupt if name == "corrupt" else hub.truncate).add(sha)
        with Site(dist, hub.endpoint, isolated=True) as isolated, Site(dist, hub.endpoint, isolated=False) as plain, \
                Frame(isolated.url) as frame:
            yield {"hub": hub, "isolated": isolated, "plain": plain, "frame": frame, "weights": folder}


def _library(vid: str, folder):
    return resnext.load_classifier(vid, weights=checkpoint(vid, folder), engine="torch")


def _rows(scope, model: str, image: str, timeout: float = 180_000) -> list[tuple[int, float]]:
    """The top-5 of ``model`` on ``image``, read off the page (waits for that answer, not an older one)."""
    answer = scope.locator(f".top-k[data-model='{model}'][data-image='{image}']")
    answer.wait_for(timeout=timeout)
    return [(int(li.get_attribute("data-class-index")), float(li.get_attribute("data-probability")))
            for li in answer.locator("li").all()]


def _assert_same_answer(rows, clf, path) -> None:
    probabilities, _ = clf.analyze(clf.transform.to_tensor(np.asarray(clf.crop(path)))[None])
    expected = [(p.index, p.probability) for p in clf.top(probabilities[0], 5)]
    assert [i for i, _ in rows] == [i for i, _ in expected]
    np.testing.assert_allclose([p for _, p in rows], [p for _, p in expected], atol=1e-4)


def _photo(tmp_path, size=(4000, 3000), orientation: int | None = 6) -> tuple:
    """A real-size JPEG (12 MP) from a sample, stored rotated with an EXIF orientation that turns it upright."""
    img = Image.open(SAMPLES / "chelsea.png").convert("RGB").resize(size, Image.BICUBIC)
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
        img = img.transpose(Image.Transpose.ROTATE_90)  # what a phone held upright stores
    path = tmp_path / "phone.jpg"
    img.save(path, quality=90, exif=exif)
    return path


def _crop_and_cam(page, vid: str, class_index: int):
    """The crop the page's modules make of the photo in use, and their CAM of one class."""
    got = page.evaluate("""async ([vid, cls]) => {
        const { classify, camOf } = await import('./src/answer.js');
        const r = await classify(globalThis.resnextExplorer, vid, document.createElement('p'));
        return { crop: [...r.crop], cam: [...camOf(r, cls)] };
    }""", [vid, class_index])
    return np.array(got["crop"], dtype=np.uint8), np.array(got["cam"], dtype=np.float32)


def test_classify_gives_the_librarys_answer_crop_and_map(world, context, tmp_path):
    page = context.new_page()
    page.goto(world["isolated"].url + f"?model={A}&photo=chelsea.png")
    clf = _library(A, world["weights"])
    _assert_same_answer(_rows(page, A, "chelsea.png"), clf, SAMPLES / "chelsea.png")
    assert "2 threads" in page.locator(".runtime").inner_text()  # cross-origin isolated: threads

    photo = _photo(tmp_path)  # a phone's photo: 12 MP, EXIF-rotated
    page.set_input_files("#upload", str(photo))
    rows = _rows(page, A, "phone.jpg")
    _assert_same_answer(rows, clf, photo)
    assert page.get_by_text("Working on phone.jpg").is_visible()
    assert "(4000×3000)" in page.locator(".current").inner_text()  # upright, as the library reads it
    crop, cam = _crop_and_cam(page, A, rows[1][0])
    ours = np.asarray(clf.crop(photo))
    difference = int(np.abs(crop.reshape(ours.shape).astype(int) - ours.astype(int)).max())
    print(f"largest crop difference on a 12 MP EXIF-rotated JPEG: {difference}/255")
    assert difference <= 1
    reference = np.asarray(explain(clf, photo, "gradcam", rows[1][0])).ravel()
    correlation = np.corrcoef(cam, reference)[0, 1]
    print(f"CAM against the library's Grad-CAM: correlation {correlation:.6f}")
    assert correlation >= 0.999

    page.select_option("#cam-class", str(rows[1][0]))  # another of the top-5: the map follows, and the link
    assert page.locator("canvas[data-class-index]").get_attribute("data-class-index") == str(rows[1][0])
    assert f"class={rows[1][0]}" in page.url and "photo=upload" in page.url


def test_side_by_side_the_second_visit_and_broken_weights(world, context):
    hub = world["hub"]
    page = context.new_page()
    page.goto(world["isolated"].url + f"?page=side_by_side&models={A},{C}&photo=rocket.jpg")
    for vid in (A, C):
        _assert_same_answer(_rows(page, vid, "rocket.jpg"), _library(vid, world["weights"]), SAMPLES / "rocket.jpg")
    assert page.locator("[data-agree]").inner_text().startswith(("All 2 models answer", "The models disagree"))

    before = len(hub.requests)  # a second visit: the weights come from Cache Storage, the Hub hears nothing
    again = context.new_page()
    again.goto(world["isolated"].url + f"?model={C}&photo=coffee.png")
    _rows(again, C, "coffee.png")
    assert hub.requests[before:] == []

    wanted = [A, BROKEN["corrupt"], BROKEN["truncated"], MISSING]
    page.goto(world["isolated"].url + f"?page=side_by_side&models={','.join(wanted)}&photo=chelsea.png")
    _rows(page, A, "chelsea.png")  # the one good model answers
    errors = {vid: page.locator(f"article[data-model='{vid}'] [role=alert]") for vid in wanted[1:]}
    for locator in errors.values():
        locator.wait_for(timeout=120_000)
    texts = {vid: e.inner_text() for vid, e in errors.items()}
    assert "arrived damaged (their SHA-256 is not the Hub's); try again." in texts[BROKEN["corrupt"]]
    assert "was cut off" in texts[BROKEN["truncated"]]
    assert "The Hub has no repo timm/resnext50_32x4d.tv_in1k; this model cannot run here." == texts[MISSING]
    assert all(t.count(".") <= 3 and "\n" not in t for t in texts.values())


def test_bad_input_is_one_sentence_and_keeps_the_last_answer(world, context, tmp_path):
    page = context.new_page()
    page.goto(world["isolated"].url + f"?model={A}&photo=chelsea.png")
    good = _rows(page, A, "chelsea.png")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes((SAMPLES / "rocket.jpg").read_bytes()[:40_000])
    heic = tmp_path / "photo.heic"
    heic.write_bytes(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + bytes(200))
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo")
    huge = tmp_path / "huge.jpg"
    Image.new("RGB", (8700, 5800), (90, 120, 150)).save(huge, quality=50)  # 50.5 MP, over the library's limit
    expected = {cut: "cut.jpg is damaged or truncated", heic: "photo.heic is a HEIC photo",
                text: "notes.jpg is not an image that can be read", huge: "huge.jpg is 8700x5800 pixels, more than the limit of 50 megapixels"}
    for path, start in expected.items():
        page.set_input_files("#upload", str(path))
        alert = page.locator("main > [role=alert]")
        alert.wait_for(timeout=60_000)
        assert alert.inner_text().startswith(start) and alert.inner_text().endswith(".")
        assert _rows(page, A, "chelsea.png", timeout=5_000) == good  # the last good answer stays
        assert page.get_by_text("Working on chelsea.png").is_visible()


def test_a_large_photo_is_decoded_downscaled_and_says_so(world, context, tmp_path):
    page = context.new_page()
    page.goto(world["isolated"].url + f"?model={A}")
    big = tmp_path / "big.jpg"
    Image.open(SAMPLES / "coffee.png").convert("RGB").resize((6000, 4000)).save(big, quality=85)  # 24 MP
    page.set_input_files("#upload", str(big))
    _rows(page, A, "big.jpg")
    assert "big.jpg has 24 megapixels, so this page decoded it at 16" in page.locator(".current").inner_text()


def test_without_isolation_and_in_a_spaces_frame_it_runs_on_one_thread(world, context):
    page = context.new_page()
    page.goto(world["plain"].url + f"?model={B}&photo=coffee.png")
    _rows(page, B, "coffee.png")
    assert "one thread (this page is not cross-origin isolated" in page.locator(".runtime").inner_text()

    page.goto(world["frame"].url)
    frame = next(f for f in page.frames if f.url.startswith(world["isolated"].url))
    frame.locator(".sample[data-sample='chelsea.png']").click()
    _rows(frame, "swsl_resnext50_32x4d", "chelsea.png")
    line = frame.locator(".runtime").inner_text()  # a Space's frame on another site: neither isolated nor given storage
    assert "not cross-origin isolated" in line and "Open it in a tab of its own" in line


def test_every_page_passes_axe_on_a_phone_and_works_from_the_keyboard(world, context):
    page = context.new_page()
    page.goto(world["isolated"].url)
    page.get_by_text("Drop a photo, take one with the webcam, or pick a sample to start.").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing wider than a phone
    for _ in range(40):  # the keyboard alone: Tab to a sample, Enter, then pick another class
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.sample") == "coffee.png":
            break
    page.keyboard.press("Enter")
    rows = _rows(page, "swsl_resnext50_32x4d", "coffee.png")
    assert axe_violations(page) == []
    page.focus("#cam-class")
    page.keyboard.press("ArrowDown")
    page.wait_for_function("(old) => document.querySelector('canvas[data-class-index]').dataset.classIndex !== old",
                           arg=str(rows[0][0]))
    for link in ("Side by side", "Model comparison"):
        page.get_by_role("link", name=link).click()
        page.get_by_role("heading", level=1, name=link).wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert axe_violations(page) == [], link
    # the comparison's table, drawn as cards on a phone, keeps its rows and headers for a screen reader
    cdp = page.context.new_cdp_session(page)
    table = cdp.send("DOM.querySelector", {"nodeId": cdp.send("DOM.getDocument")["root"]["nodeId"],
                                           "selector": "table.variants"})["nodeId"]
    roles = {role: sum(not n.get("ignored") for n in cdp.send("Accessibility.queryAXTree", {"nodeId": table, "role": role})["nodes"])
             for role in ("columnheader", "rowheader", "row", "cell")}
    variants = page.locator("table.variants tbody tr").count()
    assert roles["columnheader"] == 11 and roles["rowheader"] == variants
    assert roles["row"] == variants + 1 and roles["cell"] == 10 * variants


def test_the_comparison_is_the_catalog_with_this_devices_time(world, context):
    page = context.new_page()
    page.goto(world["isolated"].url + f"?model={B}&photo=chelsea.png")
    _rows(page, B, "chelsea.png")
    page.get_by_role("link", name="Model comparison").click()
    rows = page.locator("table.variants tbody tr")
    rows.first.wait_for()
    assert rows.count() == len(resnext.list_variants())
    v = resnext.get_variant(B)
    cells = page.locator(f"tr[data-model='{B}'] td").all_inner_texts()
    assert cells[1:3] == [f"{v.top1:.2f}", f"{v.top5:.2f}"] and cells[7] == v.training_path
    assert float(page.locator(f"tr[data-model='{B}'] td[data-ms]").get_attribute("data-ms")) > 0
    assert page.locator("tr[data-model='ig_resnext101_32x48d'] td").nth(8).inner_text().startswith("No: its weights file")
    assert "page=compare" in page.url


def test_a_link_opens_what_its_sender_saw_and_drops_what_it_does_not_know(world, context):
    page = context.new_page()
    page.goto(world["isolated"].url + f"?model={B}")
    assert page.locator("#model").input_value() == B
    page.goto(world["isolated"].url + "?model=resnet9000&photo=upload")
    banner = page.locator("#banner")
    banner.wait_for()
    assert "pick a sample below or drop your own photo" in banner.inner_text()
    assert "does not know “model=resnet9000”" in banner.inner_text()
    assert page.locator("#model").input_value() == "swsl_resnext50_32x4d"

