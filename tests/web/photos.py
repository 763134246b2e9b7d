"""The photo corpus through the built page's own ``readPhoto`` in Chromium and through the library, case by
case: what ``tests/web/test_photos.py`` asserts and ``python -m benchmarks.web_photos`` records.

The corpus is Pillow's (``tests/export/fixtures_photo.py``) at 300 x 200 from a sample, plus a 20 MP WebP.
Where the decoded RGB differs at all, the page's top-5 on ResNeXt-50 (random weights from the stand-in Hub)
is compared with the library's on the same checkpoint; a refusal must be mutual and one sentence.
"""

from __future__ import annotations

import base64
import contextlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
from PIL import Image

import resnext
from resnext.errors import ImageError
from resnext.inference.image import load_image, orientation_note
from tests.apptest import SAMPLES
from tests.export.fixtures_photo import corpus
from tests.hub import HubServer
from tests.served import CHROMIUM, CHROMIUM_ARGS
from tests.web.site import Site, build
from tests.web.weights import checkpoint, publish

MODEL = "ssl_resnext50_32x4d"
# Files the library reads and the page refuses on purpose, with the words that say why.
PAGE_REFUSES = {"cmyk.jpg": "is a CMYK JPEG", "alpha.avif": "is an AVIF with transparency", "photo.tiff": "is a TIFF"}
TOP5_TOLERANCE = 1e-4  # the largest difference of a top-5 probability, page against library
FORMATS = {"jpg": "JPEG", "png": "PNG", "webp": "WebP", "gif": "GIF", "bmp": "BMP", "avif": "AVIF", "tiff": "TIFF",
           "heic": "HEIC"}

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


@dataclass(frozen=True)
class Outcome:
    """What the page and the library made of one file.

    Attributes:
        case: The file's name in the corpus.
        outcome: ``agrees``, ``both refuse``, ``page refuses``, ``downscaled`` (the 20 MP WebP, said) or
            ``disagrees``.
        rgb_max: The largest difference of an RGB value (0-255) where both read the file.
        top5_dp: The largest difference of a top-5 probability, where the RGB differed.
        detail: The page's sentence for a refusal, the decoded size when downscaled, what differs otherwise.
        failure: Why this case breaks the promise that the page reads what the library reads, or None.
    """

    case: str
    outcome: str
    rgb_max: int | None = None
    top5_dp: float | None = None
    detail: str = ""
    failure: str | None = None

    @property
    def format(self) -> str:
        """The format the file's name claims (JPEG, PNG, WebP, ...)."""
        return FORMATS.get(self.case.rpartition(".")[2], self.case.rpartition(".")[2].upper())


def files() -> dict[str, bytes]:
    """The corpus from the Chelsea sample at 300 x 200, and a 20 MP WebP the page decodes downscaled."""
    rgb = Image.open(SAMPLES / "chelsea.png").convert("RGB").resize((300, 200), Image.BICUBIC)
    found = corpus(rgb)
    big = Image.open(SAMPLES / "coffee.png").convert("RGB").resize((5000, 4000))
    out = io.BytesIO()
    big.save(out, "WEBP", quality=50, method=0)
    found["big.webp"] = out.getvalue()
    return found


@contextlib.contextmanager
def photo_page(root: Path) -> Iterator[tuple[object, resnext.Classifier]]:
    """The built site, the stand-in Hub with ResNeXt-50's random weights, one Chromium page on the site.

    Args:
        root: An empty folder for the site and the checkpoint.

    Yields:
        The Playwright page and the library's classifier (PyTorch eager) on the same checkpoint.
    """
    import playwright.sync_api as playwright

    dist = build(root / "dist")
    (root / "weights").mkdir()
    with HubServer() as hub, Site(dist, hub.endpoint, isolated=True) as site, playwright.sync_playwright() as p:
        publish(hub, [MODEL], root / "weights")
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page()
            tab.goto(site.url + f"?model={MODEL}")
            tab.wait_for_function("() => globalThis.resnextExplorer !== undefined")
            yield tab, resnext.load_classifier(MODEL, weights=checkpoint(MODEL, root / "weights"), engine="torch")
        finally:
            browser.close()


def _library_top5(clf, data: bytes) -> list[tuple[int, float]]:
    crop = np.asarray(clf.crop(data))
    probabilities, _ = clf.analyze(clf.transform.to_tensor(crop)[None])
    return [(p.index, p.probability) for p in clf.top(probabilities[0], 5)]


def compare(tab, clf, name: str, data: bytes) -> Outcome:
    """One file through the page's ``readPhoto`` and the library's ``load_image`` (and, where the RGB differs,
    both top-5s).

    Args:
        tab: The Playwright page of :func:`photo_page`.
        clf: Its classifier.
        name: The file's name.
        data: The file's bytes.

    Returns:
        The outcome; its ``failure`` says what breaks the promise, if anything does.
    """
    b64 = base64.b64encode(data).decode()
    got = tab.evaluate(READ, [name, b64])
    try:
        ours = load_image(data, name=name)
    except ImageError as exc:
        ours = exc
    if "refused" in got:
        sentence = got["refused"]
        if not (sentence.startswith(name) and sentence.endswith(".") and "\n" not in sentence):
            return Outcome(name, "disagrees", detail=sentence, failure=f"{name}: not one sentence: {sentence!r}")
        if isinstance(ours, ImageError):
            return Outcome(name, "both refuse", detail=sentence)
        if name in PAGE_REFUSES and PAGE_REFUSES[name] in sentence:
            return Outcome(name, "page refuses", detail=sentence)
        return Outcome(name, "disagrees", detail=sentence,
                       failure=f"{name}: the page refuses what the library reads: {sentence}")
    if isinstance(ours, ImageError):
        return Outcome(name, "disagrees", detail=str(ours),
                       failure=f"{name}: the page reads what the library refuses: {ours}")
    size = f"{got['width']}x{got['height']}"
    if name == "big.webp":
        said = "big.webp has 20 megapixels, so this page decoded it at 16" in (got["note"] or "")
        shape = got["width"] * got["height"] <= 16_000_000 and abs(got["width"] / got["height"] - 1.25) < 1e-3
        return Outcome(name, "downscaled", detail=size,
                       failure=None if said and shape else f"{name}: {size}, note {got['note']!r}")
    said = orientation_note(ours, name)
    if bool(got["note"]) != bool(said):
        return Outcome(name, "disagrees", detail=f"note {got['note']!r}",
                       failure=f"{name}: the page's note {got['note']!r} where the library's is {said!r}")
    if (got["width"], got["height"]) != ours.size:
        return Outcome(name, "disagrees", detail=size,
                       failure=f"{name}: {size} where the library has {ours.size}")
    pixels = np.frombuffer(base64.b64decode(got["rgb"]), np.uint8).astype(int)
    difference = np.abs(pixels - np.asarray(ours).reshape(-1).astype(int))
    rgb_max = int(difference.max())
    if rgb_max == 0 and name not in ("baseline.jpg", "rgba.png"):  # two identical reads: the top-5 for scale
        return Outcome(name, "agrees", rgb_max=0, detail="same RGB")
    rows = tab.evaluate(TOP5, [name, b64, MODEL])
    expected = _library_top5(clf, data)
    dp = max(abs(a[1] - b[1]) for a, b in zip(rows, expected))
    detail = f"RGB {rgb_max}/255 at most ({int((difference > 0).sum())} values), top-5 dp {dp:.1e}"
    if [i for i, _ in rows] != [i for i, _ in expected] or dp > TOP5_TOLERANCE:
        return Outcome(name, "disagrees", rgb_max, dp, detail, f"{name}: {detail}: {rows} against {expected}")
    return Outcome(name, "agrees", rgb_max, dp, detail)
