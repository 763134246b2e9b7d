"""Your classes in the visitor's browser: the built site in Debian's Chromium (the fixtures of ``test_static_space``:
ResNeXt-50 A and B with random weights on the stand-in Hub) on a small generated class set, against the library on
the same files and checkpoints.

- a folder of class folders (three colours, three photos each, and a file that is not an image) picked on the page
  gives the library's study: each backbone's probe accuracy and k-NN equal, the verdict word for word, LogME within
  1e-6 relative of the library's on the features the page computed (which its cache keeps, within 1e-4 of the
  library's: another runtime), and within 1e-4 of the library's own; the unreadable file is listed with its sentence;
  no task on the page's thread over 50 ms meanwhile;
- "Make it a classifier" writes a file the library's ``load_head`` reads, and Classify answers with it as the library
  does (the same classes, probabilities within 1e-4); a head the library wrote loads on the page, and Classify and
  Side by side answer in its classes;
- Cancel stops a run: no verdict, the page says so, and the next run starts with what was computed;
- a second visit computes nothing: every feature comes from the device's cache, and with the same settings the
  comparison itself, kept, shows without a click; the Hub hears nothing;
- axe-core finds no serious violation on a phone.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import resnext
from resnext.transfer import labelled_files, study
from resnext.transfer.features import FeatureCache
from resnext.transfer.head import head_from_probe, load_head, save_head
from resnext.transfer.logme import logme
from resnext.transfer.probe import fit_probe
from tests.served import axe_violations
from tests.web.conftest import PHONE
from tests.web.test_static_space import A, B, pytestmark, world  # noqa: F401 (its site and Hub; browser and context: conftest)
from tests.web.weights import checkpoint

COLOURS = {"blue": (40, 60, 200), "green": (40, 170, 60), "red": (210, 40, 40)}
LONG_TASK_MS = 50
_WATCH = """() => { globalThis.longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) globalThis.longTasks.push(e.duration); })
        .observe({ type: 'longtask' }); }"""


@pytest.fixture(scope="module")
def classes(tmp_path_factory):
    """Three colours with noise and a pattern, three photos each (separable by construction), and a file that is not one."""
    root = tmp_path_factory.mktemp("your-classes") / "colours"
    rng = np.random.default_rng(0)
    for name, rgb in COLOURS.items():
        (root / name).mkdir(parents=True)
        for i in range(3):
            pixels = np.clip(np.array(rgb) + rng.normal(0, 25, (72, 96, 3)), 0, 255)
            pixels[:, ::8 + 2 * i] *= 0.6  # stripes, another width per photo
            Image.fromarray(pixels.astype(np.uint8)).save(root / name / f"{name}{i}.png")
    (root / "green" / "notes.jpg").write_text("not a photo")
    return root


@pytest.fixture(scope="module")
def phone(browser):
    """One phone's context for the module: its weights and features stay between the tests, as on a visitor's phone."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    yield context
    context.close()


@pytest.fixture(scope="module")
def library(world, classes, tmp_path_factory):
    """The library's study of the same files on the same checkpoints, and its classifiers."""
    clfs = [resnext.load_classifier(v, weights=checkpoint(v, world["weights"]), engine="torch") for v in (A, B)]
    cache = FeatureCache(tmp_path_factory.mktemp("features"))
    return study(clfs, labelled_files(classes), folds=5, cache=cache), clfs


def _open(page, url: str) -> None:
    page.goto(url + "?page=your_classes")
    page.locator("[data-images]").wait_for()  # the sample set is read


def _pick(page, classes) -> None:
    page.check("input[name='yc-source'][value='Your folder or zip of class folders']")
    page.set_input_files(".drop-zone input[webkitdirectory]", str(classes))
    page.locator("[data-images='9']").wait_for()
    for vid in page.locator("fieldset.models input:checked").evaluate_all("boxes => boxes.map((b) => b.value)"):
        if vid not in (A, B):
            page.uncheck(f"fieldset.models input[value='{vid}']")
    for vid in (A, B):
        page.check(f"fieldset.models input[value='{vid}']")


def _run(page, click: bool = True) -> dict:
    if click:
        page.click("#yc-run")
    page.locator(".verdict").wait_for(timeout=240_000)
    page.get_by_text("Near-duplicates (").wait_for()  # the rest is drawn a frame at a time
    page.wait_for_timeout(100)  # the observer hears of a task just after it ends
    rows = page.locator("table.scores tbody tr").evaluate_all("""rows => rows.map((r) => ({model: r.dataset.model,
        accuracy: Number(r.dataset.accuracy), knn: Number(r.dataset.knn), logme: Number(r.dataset.logme)}))""")
    line = page.locator(".from-cache")
    return {"rows": {r["model"]: r for r in rows}, "verdict": page.locator(".verdict").inner_text(),
            "computed": int(line.get_attribute("data-computed")), "cached": int(line.get_attribute("data-cached")),
            "remembered": line.get_attribute("data-remembered") == "true"}


def _kept(page, paths: list[str]) -> dict[str, np.ndarray]:
    """Each backbone's features of these files as the page's cache keeps them (by the files' SHA-256)."""
    digests = [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths]
    kept = page.evaluate("""async ([ids, digests]) => {
        const { FeatureCache, setting } = await import('./src/transfer/cache.js');
        const ctx = globalThis.resnextExplorer, cache = await FeatureCache.open();
        return Promise.all(ids.map(async (id) => (await cache.getMany(setting(ctx.variants.get(id)), digests)).map((v) => [...v])));
    }""", [[A, B], digests])
    return {vid: np.array(rows, dtype=np.float32) for vid, rows in zip((A, B), kept)}


def _head_id(head) -> str:
    """The Python app's id of a head (``resnext_app.heads.register_head``)."""
    h = hashlib.sha256(head.backbone.encode() + head.weight.tobytes() + head.bias.tobytes() + head.mean.tobytes()
                       + head.scale.tobytes() + "\n".join(head.classes).encode())
    return f"{head.backbone}+{h.hexdigest()[:12]}"


def _rows(page, model: str) -> list[tuple[str, float]]:
    answer = page.locator(f".top-k[data-model='{model}']")
    answer.wait_for(timeout=120_000)
    return [(li.locator(".label").inner_text(), float(li.get_attribute("data-probability"))) for li in answer.locator("li").all()]


def test_the_page_gives_the_librarys_study_its_head_and_a_second_visit_computes_nothing(world, phone, classes, library,
                                                                                         tmp_path):
    ours, clfs = library
    hub = world["hub"]
    page = phone.new_page()
    _open(page, world["isolated"].url)
    _pick(page, classes)
    page.click("#yc-run")  # cancelled while the features are computed
    page.locator(".progress .stage", has_text="features through").wait_for(timeout=120_000)
    page.click("#yc-cancel")
    alert = page.locator("main > [role=alert]")
    alert.wait_for()
    assert alert.inner_text().startswith("Cancelled: nothing was compared.")
    assert page.locator(".verdict").count() == 0 and page.locator("#yc-run").is_visible()

    left_out = page.locator("details.skipped").first  # read as the library reads it: not an image, listed and left out
    page.evaluate(_WATCH)
    got = _run(page)
    tasks = page.evaluate("globalThis.longTasks")
    print(f"longest task on the page's thread from the click to the results drawn: {max(tasks, default=0):.0f} ms")
    assert max(tasks, default=0) <= LONG_TASK_MS, tasks
    assert got["computed"] + got["cached"] == 2 * 9  # what was computed before the cancel is kept
    c = ours.comparison
    assert len(ours.data.items) == 9 and len(ours.data.skipped) == 1  # the library also left the file out
    name, why = ours.data.skipped[0]
    said = left_out.locator("li[data-file$='notes.jpg']").text_content()
    print(f"left out: page {said!r}; library {why!r}")
    # the library's sentence (the page names the formats a browser reads: no TIFF), of the name the page knows
    assert "notes.jpg is not an image that can be read; use a JPEG, PNG, WebP" in said and "is not an image that can be read" in why
    kept = _kept(page, [str(p) for p in ours.data.items])
    for s in c.scores:
        row = got["rows"][s.model]
        mine = kept[s.model]  # the features the page computed, as its cache keeps them
        spread = float(np.abs(mine - ours.features[s.model]).max() / np.abs(ours.features[s.model]).max())
        print(f"{s.model}: probe {row['accuracy']:.4f} (library {s.accuracy:.4f}), k-NN {row['knn']:.4f} "
              f"({s.knn_accuracy:.4f}), LogME {row['logme']:.9f} (library {s.logme:.9f}; on the page's features "
              f"{logme(mine, ours.data.labels):.9f}); features within {spread:.1e} of the library's (relative to the largest)")
        assert row["accuracy"] == s.accuracy and row["knn"] == s.knn_accuracy
        assert spread <= 1e-4  # onnxruntime-web's network against PyTorch's
        assert row["logme"] == pytest.approx(logme(mine, ours.data.labels), rel=1e-6)  # the numerics
        assert row["logme"] == pytest.approx(s.logme, rel=1e-4)  # end to end: the features' own spread
    assert got["verdict"] == c.verdict
    assert axe_violations(page) == []  # the whole study on a phone

    before = len(hub.requests)
    again = phone.new_page()  # a second visit, other folds asked: every feature from the cache, the study made again
    _open(again, world["isolated"].url)
    again.select_option("#yc-folds", "3")  # three photos a class: the same three folds as five would give
    _pick(again, classes)
    second = _run(again)
    assert (second["computed"], second["cached"], second["remembered"]) == (0, 2 * 9, False)
    assert second["rows"] == got["rows"] and second["verdict"] == got["verdict"]
    again.close()
    third = phone.new_page()  # a third, with the first's settings: its comparison, kept, shows without a click
    _open(third, world["isolated"].url)
    _pick(third, classes)
    kept = _run(third, click=False)
    assert kept["remembered"] and kept["rows"] == got["rows"] and kept["verdict"] == got["verdict"]
    assert hub.requests[before:] == []  # nothing downloaded, nor a session made
    third.close()

    with page.expect_download() as saved:  # the head of A's features, as the library's file
        page.select_option("#yc-head-model", A)
        page.click("#yc-make")
        page.locator("#yc-head-file").click()
    path = tmp_path / "mine.safetensors"
    saved.value.save_as(path)
    head = load_head(path)
    assert head.classes == tuple(COLOURS) and head.backbone == A
    own = page.locator("[data-head]").get_attribute("data-head")
    assert own == _head_id(head)  # the Python app's id for the same head
    assert saved.value.suggested_filename == "blue__green__red_on_ssl_resnext50_32x4d.safetensors"  # its file_name

    photo = tmp_path / "probe.png"  # a new photo of one class
    Image.fromarray(np.full((80, 80, 3), COLOURS["red"], dtype=np.uint8)).save(photo)
    expected = clfs[0].with_head(head).predict(photo)
    page.locator("nav a[data-page='classify']").click()  # the same visit: the head stays
    page.select_option("#model", own)
    page.set_input_files("#upload", str(photo))
    rows = _rows(page, own)
    assert [label for label, _ in rows] == [p.label for p in expected]
    np.testing.assert_allclose([p for _, p in rows], [p.probability for p in expected], atol=1e-4)
    assert "Your classifier: 3 classes (blue, green, red)" in page.locator("main").inner_text()


def test_a_head_the_library_wrote_loads_and_classify_answers_in_its_classes(world, phone, classes, library, tmp_path):
    ours, clfs = library
    fitted = fit_probe(ours.features[B], ours.data.labels)
    path = save_head(head_from_probe(fitted, ["ciel", "pré", "rouge"], clfs[1]), tmp_path / "library.safetensors")
    head = load_head(path)
    photo = tmp_path / "probe.png"
    Image.fromarray(np.full((80, 80, 3), COLOURS["green"], dtype=np.uint8)).save(photo)
    expected = clfs[1].with_head(head).predict(photo)

    page = phone.new_page()
    _open(page, world["isolated"].url)
    page.locator("summary", has_text="Load a classifier file you saved").click()
    page.set_input_files("#head-file", str(path))
    line = page.locator(".load-head [data-head]")
    line.wait_for()
    own = line.get_attribute("data-head")
    assert line.inner_text().startswith("library.safetensors: 3 classes on swsl_resnext50_32x4d, now under Your classes")
    page.locator("nav a[data-page='classify']").click()
    assert page.locator("#model optgroup[label^='Your classes'] option").inner_text() == \
        "3 classes (ciel, pré, rouge) on swsl_resnext50_32x4d"
    page.select_option("#model", own)
    page.set_input_files("#upload", str(photo))
    rows = _rows(page, own)
    assert [label for label, _ in rows] == [p.label for p in expected]
    np.testing.assert_allclose([p for _, p in rows], [p.probability for p in expected], atol=1e-4)

    page.locator("nav a[data-page='side_by_side']").click()  # beside an ImageNet model
    page.locator("fieldset.models input:checked").evaluate_all("boxes => boxes.forEach((b) => { b.checked = false; })")
    page.check(f"fieldset.models input[value='{A}']")
    page.check(f"fieldset.models input[value='{own}']")
    assert [label for label, _ in _rows(page, own)] == [p.label for p in expected]
    agreement = page.locator("[data-agree]")
    agreement.wait_for()
    assert agreement.inner_text().startswith("Your own classifier and the ImageNet ones answer in different classes")


def test_the_feature_cache_keeps_its_bound_and_a_refused_storage_is_said(world, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(world["isolated"].url + "?page=compare")  # no model is needed
    page.wait_for_function("() => globalThis.resnextExplorer !== undefined")
    kept = page.evaluate("""async () => {
        const { FeatureCache } = await import('./src/transfer/cache.js');
        const cache = await FeatureCache.open(indexedDB, 3);
        const vector = (k) => new Float32Array(2048).fill(k);
        const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
        await cache.putMany('s', [['a', vector(1)], ['b', vector(2)], ['c', vector(3)]]);
        await tick();
        await cache.getMany('s', ['a']);  // used again: b is now the least recently used
        await tick();
        await cache.putMany('s', [['d', vector(4)]]);
        const found = await cache.getMany('s', ['a', 'b', 'c', 'd']);
        const refused = await FeatureCache.open(null);
        return { count: await cache.count(), found: found.map((v) => v && v[0]), note: cache.note, refused: refused.note,
                 nothing: await refused.getMany('s', ['a']) };
    }""")
    assert kept == {"count": 3, "found": [1, None, 3, 4], "note": "", "nothing": [None],
                    "refused": "This browser keeps no features for this site (its storage is refused, as in a private "
                               "window), so each run computes them again."}
    context.close()

    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)  # this site's storage quota is 1 MB: 200 vectors do not fit
    cdp.send("Storage.overrideQuotaForOrigin", {"origin": world["isolated"].url.rstrip("/"), "quotaSize": 1_000_000})
    page.goto(world["isolated"].url + "?page=compare")
    page.wait_for_function("() => globalThis.resnextExplorer !== undefined")
    full = page.evaluate("""async () => {
        const { FeatureCache } = await import('./src/transfer/cache.js');
        const cache = await FeatureCache.open();
        await cache.putMany('s', Array.from({ length: 200 }, (_, i) => [String(i), new Float32Array(2048)]));
        const note = cache.note;
        await cache.putMany('s', [['x', new Float32Array(2048)]]);  // no more writes, and nothing more said
        return { note, again: cache.note, found: await cache.getMany('s', ['0', 'x']) };
    }""")
    assert full["note"].startswith("This device's storage for this site is full, so these features were not kept")
    assert full["again"] == full["note"] and full["found"] == [None, None]
    context.close()

