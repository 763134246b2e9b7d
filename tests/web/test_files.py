"""The reader of many files in Debian's Chromium: the drop zone of ``web/src/files/picker.js`` on a tiny page
served from ``web/`` as it is (no build, no weights), given a real folder through its "Choose folder"
input (``webkitdirectory``), a real folder dropped on it (Chromium's own drag and drop, so
``webkitGetAsEntry`` and ``readEntries`` are the browser's), and a zip dropped with a ``DataTransfer``;
what it reads equals what the library and the app read (``tests/export/fixtures_files.py``)."""

from __future__ import annotations

import base64
import functools
import http.server
import json

import pytest

from tests.export.fixtures_files import FIXTURE
from tests.served import axe_violations, browser_marks
from tests.web.site import WEB, _Loopback

pytestmark = browser_marks()

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Files</title>
<link rel="stylesheet" href="/src/style.css"></head><body><main><h1>Files</h1><div id="slot"></div></main>
<script type="module">
import { picker, skippedList, labelled } from "/src/files/index.js";
const { limits } = await (await fetch("/public/models/catalog.json")).json();
window.reads = [];
const slot = document.getElementById("slot");
slot.append(picker({ limits, signal: new AbortController().signal, onRead(read) {
  let set;
  try { set = labelled(read); } catch (error) { set = { error: error.message }; }
  window.reads.push({ images: read.images.map((i) => [i.path, i.folder, i.blob.size]), skipped: read.skipped,
                      classed: read.classed, classes: set.classes ?? null, error: set.error ?? null });
  const list = skippedList(read.skipped);
  if (list) slot.append(list);
} }));
window.ready = true;
</script></body></html>"""


@pytest.fixture(scope="module")
def served():
    """``web/`` on a loopback port, with the tiny page at /files.html."""
    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            if self.path == "/files.html":
                body = PAGE.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

        def log_message(self, *args):
            pass

    Handler.extensions_map = {**Handler.extensions_map, ".js": "text/javascript"}
    with _Loopback(functools.partial(Handler, directory=str(WEB))) as server:
        yield server.url


@pytest.fixture(scope="module")
def fixture():
    return json.loads(FIXTURE.read_text())


@pytest.fixture
def tab(context, served):
    page = context.new_page()
    page.goto(served + "files.html")
    page.wait_for_function("window.ready === true")
    return page


def _folder(tmp_path, case) -> str:
    root = tmp_path / case["name"]
    for relative, b64 in case["files"].items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(base64.b64decode(b64))
    return str(root)


def _read(tab, count: int) -> dict:
    tab.wait_for_function(f"window.reads.length >= {count}", timeout=20_000)
    return tab.evaluate(f"window.reads[{count - 1}]")


def test_a_chosen_and_a_dropped_folder_are_read_as_the_library_reads_them(tab, fixture, tmp_path):
    case = next(c for c in fixture["folders"] if c["name"] == "photos")
    folder = _folder(tmp_path, case)
    tab.locator("input[webkitdirectory]").set_input_files(folder)
    chosen = _read(tab, 1)
    assert [path for path, _, _ in chosen["images"]] == case["images"]
    assert chosen["classes"] == ["brick", "brick-2", "grass"] and not chosen["classed"]
    assert [s["name"] for s in chosen["skipped"]] == ["photos/grass/notes.txt"]
    assert tab.locator("details.skipped li").count() == 1

    # Chromium's own drag and drop of the folder: the page walks it with webkitGetAsEntry and readEntries.
    zone = tab.locator(".drop-zone").bounding_box()
    x, y = zone["x"] + zone["width"] / 2, zone["y"] + zone["height"] / 2
    cdp = tab.context.new_cdp_session(tab)
    data = {"items": [], "files": [folder], "dragOperationsMask": 1}
    for kind in ("dragEnter", "dragOver", "drop"):
        cdp.send("Input.dispatchDragEvent", {"type": kind, "x": x, "y": y, "data": data})
    dropped = _read(tab, 2)
    assert dropped["images"] == chosen["images"]
    assert dropped["skipped"] == chosen["skipped"]


def test_a_dropped_zip_is_unpacked_as_the_app_unpacks_it_and_the_widget_passes_axe(tab, fixture):
    case = next(c for c in fixture["zips"] if c["name"] == "classes.zip")
    tab.evaluate("""([name, b64]) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name, {type: "application/zip"}));
        const drop = new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true});
        document.querySelector(".drop-zone").dispatchEvent(drop);
    }""", [case["name"], case["file"]])
    read = _read(tab, 1)
    assert [path for path, _, _ in read["images"]] == case["files"]
    assert [size for _, _, size in read["images"]] == case["sizes"]
    assert {path: folder for path, folder, _ in read["images"]} == case["folders"]
    assert [[s["name"], s["why"]] for s in read["skipped"]] == case["skipped"]
    assert read["classes"] == case["labelled"]["classes"]
    assert axe_violations(tab) == []
    for name in ("Choose folder", "Choose files"):
        assert tab.get_by_label(name).count() == 1
