"""The Batch page in Debian's Chromium (the fixtures of ``test_static_space``: its site, its stand-in Hub and its
random-weight checkpoints), checked against the library on the same files and checkpoint.

- a labelled folder picked with "Choose folder" (class folders named by synset id, a few generated images each,
  and a file that is no image): the CSV the page saves is what ``resnext predict --out`` writes for the same
  files (the header, every path, status, label and class index byte for byte; the probabilities within 1e-4:
  onnxruntime-web and PyTorch round their float32 sums apart), the unreadable file is listed with the library's
  sentence (but for the formats it offers: no TIFF in a browser), and the accuracy and its Wilson interval shown are ``resnext.bulk.evaluate``'s;
- a head of the visitor's classes (a file the library wrote, kept as the page Your classes keeps it) is offered
  under "Your classes", and its CSV and accuracy on folders named by its classes are ``resnext predict --head``'s
  and ``evaluate``'s;
- a run cancelled after its first batch stops: its progress stands still and the page says so;
- axe-core finds nothing critical or serious on a phone, and nothing is wider than the phone.
"""

from __future__ import annotations

import csv
import io
import time

import numpy as np
import pytest
import torch
from PIL import Image

from resnext.bulk.evaluate import evaluate, imagenet_synsets
from resnext.bulk.inputs import expand
from resnext.bulk.predict import predict_files, probe
from resnext.bulk.results import rows_csv
from resnext.transfer.head import Head, load_head, save_head
from tests.served import axe_violations
from tests.web.conftest import PHONE
from tests.web.test_static_space import B, _library, pytestmark, world  # noqa: F401 (its site and Hub; browser: conftest)

MODEL = B  # the page's first choice, as the Python app's (swsl_resnext50_32x4d)
IMAGES = 6
CLASSES = ("brick", "moss", "tile")  # the visitor's own
WRONG = 3  # every third image sits in another predicted class's folder
# The one word of a sentence that differs: browsers decode no TIFF, so the page does not offer it.
LIBRARY_FORMATS, PAGE_FORMATS = "use a JPEG, PNG, WebP, BMP, GIF or TIFF file.", "use a JPEG, PNG, WebP, GIF or BMP file."


def _image(i: int) -> Image.Image:
    rng = np.random.default_rng(i)
    base = rng.integers(0, 256, size=3)
    pixels = np.clip(base + rng.normal(0, 40 + 20 * i, size=(48, 64, 3)), 0, 255).astype(np.uint8)
    return Image.fromarray(pixels).resize((160, 120), Image.BILINEAR)


@pytest.fixture(scope="module")
def folders(world, tmp_path_factory):
    """Two folders of the same generated images and the library's classifiers of the same checkpoint: ``labelled``,
    class folders named by the synset ids of what the library answers (every third image in the folder of another
    answer) and a file that is no image; ``own``, the same by the answers of a head of three classes of the visitor's
    on that backbone (a file the library wrote, ``mine.safetensors``)."""
    clf = _library(MODEL, world["weights"])
    images = [_image(i) for i in range(IMAGES)]
    x = torch.stack([clf.transform(img) for img in images])
    top1 = clf.probabilities(x).argmax(1).tolist()
    features = clf.embed(x).numpy()
    t = clf.transform
    head = Head(CLASSES, MODEL, (0.1 * np.random.default_rng(34).normal(size=(len(CLASSES), features.shape[1]))).astype(np.float32),
                np.zeros(len(CLASSES), np.float32), features.mean(0), np.full(features.shape[1], features.std(), np.float32),
                {"image_size": t.image_size, "resize_to": t.resize_to, "interpolation": t.interpolation, "mean": list(t.mean),
                 "std": list(t.std), "fast": False, "precision": "fp32"})
    root = tmp_path_factory.mktemp("batch")
    path = save_head(head, root / "mine.safetensors")
    synsets = imagenet_synsets()
    for name, answers, classes in (("labelled", top1, synsets), ("own", head.probabilities(features).argmax(1).tolist(), CLASSES)):
        seen = sorted(set(answers))
        for i, (img, c) in enumerate(zip(images, answers)):
            if i % WRONG == WRONG - 1 and len(seen) > 1:
                c = seen[(seen.index(c) + 1) % len(seen)]
            folder = root / name / classes[c]
            folder.mkdir(parents=True, exist_ok=True)
            img.save(folder / f"photo{i}.png")
    (root / "labelled" / synsets[top1[0]] / "broken.jpg").write_bytes(b"not a photo")
    return {"root": root, "clf": clf, "head": path.read_bytes(), "mine": clf.with_head(load_head(path))}


@pytest.fixture(scope="module")
def phone(browser):
    """One phone's page for the module's tests, in order: the weights are downloaded once, and the page keeps its
    session from one test to the next (each starts from the page's own links, as a visitor would)."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _same_csv(page, library: str, files: int) -> None:
    """The CSV the page saves against the library's: the header, every path, status, label and class index byte for
    byte (a sentence but for the formats the page offers), the probabilities within 1e-4."""
    with page.expect_download() as saved:
        page.locator("#batch-csv").click()
    assert saved.value.suggested_filename == "batch-results.csv"
    text = open(saved.value.path(), encoding="utf-8", newline="").read()
    got, expected = _csv(text), _csv(library)
    assert text.endswith("\r\n") and text.count("\r\n") == files + 1  # csv.writer's line ends
    assert got[0] == expected[0] and len(got) == len(expected)
    header, same, cells, worst = expected[0], 0, 0, 0.0
    for mine, theirs in zip(got[1:], expected[1:]):
        for name, a, b in zip(header, mine, theirs):
            if name.endswith("probability") and b:
                worst, same, cells = max(worst, abs(float(a) - float(b))), same + (a == b), cells + 1
            elif name == "status" and b != "ok":  # the same sentence, but for the formats this page can read
                assert a == b.replace(LIBRARY_FORMATS, PAGE_FORMATS), (a, b)
            else:
                assert a == b, (name, a, b)  # path, status, label, class index
    print(f"probabilities: {same} of {cells} cells byte for byte, the largest difference {worst:.1e}")
    assert worst <= 1e-4


def _same_scores(page, model: str, score) -> None:
    """The accuracy row the page shows for ``model`` against the library's score."""
    row = page.locator(f"table.scores tr[data-model='{model}']")
    for key, value in (("top1", score.top1), ("top1-low", score.top1_interval[0]), ("top1-high", score.top1_interval[1]),
                       ("top5", score.top5), ("top5-low", score.top5_interval[0]), ("top5-high", score.top5_interval[1])):
        assert float(row.get_attribute(f"data-{key}")) == pytest.approx(value, abs=1e-12), key
    cells = row.locator("td").all_inner_texts()
    assert cells[:5] == [str(score.images), f"{100 * score.top1:.1f}", f"{100 * score.top1_interval[0]:.1f}–{100 * score.top1_interval[1]:.1f}",
                         f"{100 * score.top5:.1f}", f"{100 * score.top5_interval[0]:.1f}–{100 * score.top5_interval[1]:.1f}"]
    per_class = {c: k for c, (k, _) in score.per_class.items()}
    diagonal = {int(r.get_attribute("data-class-index")): int(r.locator("td.right").inner_text())
                for r in page.locator(f"table.confusion[data-model='{model}'] tbody tr").all()}
    assert diagonal == per_class  # the confusion's diagonal: each class's right answers, as the library counts them


def test_a_labelled_folder_gives_the_librarys_csv_accuracy_and_sentences(world, phone, folders, monkeypatch):
    page, root, clf = phone, folders["root"], folders["clf"]
    page.goto(world["isolated"].url + "?page=batch")
    page.get_by_role("heading", level=1, name="Batch").wait_for()
    assert page.locator(f"fieldset.models input[value='{MODEL}']").is_checked()  # the Python page's default
    started = time.monotonic()
    page.get_by_label("Choose folder").set_input_files(str(root / "labelled"))
    heading = page.locator("#batch-classified")
    heading.wait_for(timeout=120_000)
    print(f"{IMAGES + 1} files through {MODEL}, download and session included: {time.monotonic() - started:.1f} s")
    assert heading.inner_text() == f"{IMAGES} of {IMAGES + 1} files classified"

    monkeypatch.chdir(root)  # the command line's paths, relative to where it runs: "labelled/n…/photo0.png"
    paths = expand(["labelled"])
    rows = list(predict_files([clf], paths, 5, refused=probe(paths)))
    _same_csv(page, rows_csv(rows, [MODEL], 5), len(paths))

    broken = next(r for r in rows if not r.ok)
    said = page.locator(f"details.failed tr[data-file='{broken.path}'] td").text_content()  # in a closed details
    assert said == broken.status.replace(LIBRARY_FORMATS, PAGE_FORMATS) and said.endswith(PAGE_FORMATS)

    _same_scores(page, MODEL, evaluate([clf], "labelled").scores[0])

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(page) == []


def test_a_head_of_the_visitors_classes_answers_as_resnext_predict_head(phone, folders, monkeypatch):
    """A head kept on the page Your classes is offered under "Your classes"; it answers in its classes, and its class
    folders score it."""
    page, root, mine = phone, folders["root"], folders["mine"]
    page.get_by_role("link", name="Classify").click()
    head = page.evaluate("""async (bytes) => {
        const { readHead } = await import('./src/transfer/head.js');
        const ctx = globalThis.resnextExplorer;
        return ctx.heads.keep('mine', readHead(Uint8Array.from(bytes), 'mine.safetensors', ctx.catalog.variants)).id;
    }""", list(folders["head"]))
    page.get_by_role("link", name="Batch").click()
    page.locator(".models-choice > summary").click()  # a phone: the list is one tap away
    assert page.get_by_role("group", name="Your classes: classifiers trained on the page Your classes").inner_text().endswith(
        f"3 classes ({', '.join(CLASSES)}) on {MODEL}")
    page.locator(f"fieldset.models input[value='{MODEL}']").uncheck()
    page.locator(f"fieldset.models input[value='{head}']").check()
    page.get_by_label("Choose folder").set_input_files(str(root / "own"))
    page.locator("#batch-classified").wait_for(timeout=120_000)

    monkeypatch.chdir(root)
    paths = expand(["own"])
    rows = list(predict_files([mine], paths, 5))  # resnext predict --head: the column is named by the backbone
    _same_csv(page, rows_csv(rows, [MODEL], 5).replace(f"{MODEL} top", f"{head} top"), len(paths))
    _same_scores(page, head, evaluate([mine], "own").scores[0])


def test_cancel_stops_the_run_and_says_so(phone, tmp_path):
    for i in range(32):
        _image(100 + i).save(tmp_path / f"many{i:02d}.png")
    page = phone
    page.get_by_role("link", name="Classify").click()
    page.get_by_role("link", name="Batch").click()  # afresh, with the Python page's default
    page.get_by_label("Choose files").set_input_files(sorted(str(p) for p in tmp_path.glob("*.png")))
    progress = page.locator("#batch-progress")
    page.wait_for_function("() => Number(document.querySelector('#batch-progress')?.dataset.done) >= 8", timeout=120_000)
    page.locator("#batch-cancel").click()
    at = progress.get_attribute("data-done")
    status = page.locator("#batch-status")
    status.wait_for()
    assert status.inner_text() == f"Cancelled after {at} of 32 images; nothing is shown for an unfinished batch. Choose the files again to start over."
    page.wait_for_timeout(1500)  # a batch takes about a second here: another would have moved the progress
    assert progress.get_attribute("data-done") == at
    assert not page.locator(".running").is_visible() and page.locator("#batch-classified").count() == 0
