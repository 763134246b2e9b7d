"""Every photo the library reads, the page reads the same way: a corpus made with Pillow (every JPEG, PNG,
WebP, GIF, BMP and AVIF case of the photo reader, 300 x 200 from a sample, plus damaged and lying files)
goes through the built page's own ``readPhoto`` in Debian's Chromium and through the library. Where the
decoded RGB differs at all, the page's top-5 on ResNeXt-50 (random weights from the stand-in Hub) is
compared with the library's on the same checkpoint; a refusal must be mutual and one sentence."""

from __future__ import annotations

import base64
import io
import shutil

import numpy as np
import pytest
from PIL import Image

import resnext
from resnext.errors import ImageError
from resnext.image import load_image, orientation_note
from tests.apptest import SAMPLES
from tests.export.fixtures_photo import corpus
from tests.hub import HubServer
from tests.served import CHROMIUM, CHROMIUM_ARGS, ROOT, browser_marks, unless_in_ci
from tests.web.site import Site, build
from tests.web.weights import checkpoint, publish

MODEL = "ssl_resnext50_32x4d"
NODE_MODULES = ROOT / "web" / "node_modules" / "onnxruntime-web"
# Files the library reads and the page refuses on purpose, with the words that say why.
PAGE_REFUSES = {"cmyk.jpg": "is a CMYK JPEG", "alpha.avif": "is an AVIF with transparency", "photo.tiff": "is a TIFF"}

pytestmark = [*browser_marks(), pytest.mark.slow,
              unless_in_ci(shutil.which("node") is None or not NODE_MODULES.exists(),
                           "Node or web/node_modules is missing")]

READ = """async ([name, b64]) => {
    const { readPhoto } = await import('./src/photo.js');
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    try {
        const p = await readPhoto(new Blob([bytes]), name, globalThis.resnextExplorer.catalog.limits);
        let text = '';
        for (let i = 0; i < p.rgb.length; i += 0x8000) text += String.fromCharCode(...p.rgb.subarray(i, i + 0x8000));
        return { width: p.width, height: p.height, rgb: btoa(text), note: p.note };
    } catch (e) {
        return { refused: e.message };
    }
}"""
TOP5 = """async ([name, b64, vid]) => {
    const { classify } = await import('./src/answer.js');
    const ctx = globalThis.resnextExplorer;
    await ctx.use({ file: new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))]), name, source: 'Upload' });
    const r = await classify(ctx, vid, document.createElement('p'));
    return r.top.map((t) => [t.index, t.probability]);
}"""


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The built site (one), the Hub with ResNeXt-50's random weights, one Chromium page on it."""
    import playwright.sync_api as playwright

    root = tmp_path_factory.mktemp("photos")
    dist = build(root / "dist")
    (root / "weights").mkdir()
    with HubServer() as hub, Site(dist, hub.endpoint, isolated=True) as site, playwright.sync_playwright() as p:
        publish(hub, [MODEL], root / "weights")
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page()
        tab.goto(site.url + f"?model={MODEL}")
        tab.wait_for_function("() => globalThis.resnextExplorer !== undefined")
        yield tab, resnext.load_classifier(MODEL, weights=checkpoint(MODEL, root / "weights"), engine="torch")
        browser.close()


def _library_top5(clf, data: bytes) -> list[tuple[int, float]]:
    crop = np.asarray(clf.crop(data))
    probabilities, _ = clf.analyze(clf.transform.to_tensor(crop)[None])
    return [(p.index, p.probability) for p in clf.top(probabilities[0], 5)]


def test_every_photo_the_library_reads_the_page_reads_the_same_way(page):
    tab, clf = page
    rgb = Image.open(SAMPLES / "chelsea.png").convert("RGB").resize((300, 200), Image.BICUBIC)
    files = corpus(rgb)
    big = Image.open(SAMPLES / "coffee.png").convert("RGB").resize((5000, 4000))
    files["big.webp"] = _webp(big)  # 20 MP: decoded downscaled, and said
    table, failures = [], []
    for name, data in files.items():
        got = tab.evaluate(READ, [name, base64.b64encode(data).decode()])
        try:
            ours = load_image(data, name=name)
        except ImageError as exc:
            ours = exc
        if "refused" in got:
            sentence = got["refused"]
            if not (sentence.startswith(name) and sentence.endswith(".") and "\n" not in sentence):
                failures.append(f"{name}: not one sentence: {sentence!r}")
            if isinstance(ours, ImageError):
                table.append((name, "both refuse", sentence))
            elif name in PAGE_REFUSES and PAGE_REFUSES[name] in sentence:
                table.append((name, "page refuses", sentence))
            else:
                failures.append(f"{name}: the page refuses what the library reads: {sentence}")
            continue
        if isinstance(ours, ImageError):
            failures.append(f"{name}: the page reads what the library refuses: {ours}")
            continue
        pixels = np.frombuffer(base64.b64decode(got["rgb"]), np.uint8)
        if name == "big.webp":
            assert "big.webp has 20 megapixels, so this page decoded it at 16" in got["note"]
            assert got["width"] * got["height"] <= 16_000_000 and abs(got["width"] / got["height"] - 1.25) < 1e-3
            table.append((name, "downscaled (said)", f"{got['width']}x{got['height']}"))
            continue
        said = orientation_note(ours, name)
        if bool(got["note"]) != bool(said):
            failures.append(f"{name}: the page's note {got['note']!r} where the library's is {said!r}")
        if (got["width"], got["height"]) != ours.size:
            failures.append(f"{name}: {got['width']}x{got['height']} where the library has {ours.size}")
            continue
        difference = np.abs(pixels.astype(int) - np.asarray(ours).reshape(-1).astype(int))
        if difference.max() == 0 and name not in ("baseline.jpg", "rgba.png"):
            table.append((name, "same RGB", "0/255"))
            continue
        rows = tab.evaluate(TOP5, [name, base64.b64encode(data).decode(), MODEL])
        expected = _library_top5(clf, data)
        dp = max(abs(a[1] - b[1]) for a, b in zip(rows, expected))
        detail = f"RGB {int(difference.max())}/255 at most ({int((difference > 0).sum())} values), top-5 dp {dp:.1e}"
        if [i for i, _ in rows] != [i for i, _ in expected] or dp > 1e-4:
            failures.append(f"{name}: {detail}: {rows} against {expected}")
        table.append((name, "same top-5" if difference.max() else "same RGB, same top-5", detail))
    print("\n".join(f"{name:28} {verdict:22} {detail}" for name, verdict, detail in table))
    assert not failures, "\n".join(failures)


def _webp(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "WEBP", quality=50, method=0)
    return out.getvalue()
