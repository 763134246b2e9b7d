"""The latest choice wins in the static Space, and a phone is asked before large downloads: the built site in
Debian's Chromium against the stand-in Hub, with one weights file served slowly so that a download is under way
while the visitor changes their mind. Also Model comparison's chart, its table's fit and what this device keeps;
"What the extra data buys" from the catalog's published figures; and the footer's "What runs where", the
manual's table."""

from __future__ import annotations

import importlib.util
import json
import re
import time

import pytest
from PIL import Image

import resnext
from resnext.catalog.variant import format_bytes
from resnext.weights.hub import HUB_FILE, hub_repo
from tests.apptest import SAMPLES
from tests.hub import SLOW_CHUNK, SLOW_DELAY, HubServer
from tests.served import ROOT, axe_violations
from tests.web.conftest import PHONE
from tests.web.site import Site, marks, workspace
from tests.web.weights import checkpoint, publish

A, B = "ssl_resnext50_32x4d", "swsl_resnext50_32x4d"
SLOW = "swsl_resnext101_32x4d"  # A's file stands in, served slowly: it is abandoned long before it ends
TABLET = {"width": 820, "height": 1180}
WIDE = {"width": 1280, "height": 900}
CATALOG = json.loads((ROOT / "web" / "public" / "models" / "catalog.json").read_text())

pytestmark = marks()

# Every call of history.replaceState; every text a given element shows after the visitor's next click or change.
RECORD = """
    window.__urls = [];
    const replace = history.replaceState.bind(history);
    history.replaceState = (state, title, url) => { window.__urls.push(String(url)); return replace(state, title, url); };
"""
WATCH = """(element) => {
    window.__texts = [];
    for (const type of ["click", "change"]) document.addEventListener(type, () => { window.__texts = []; }, true);
    new MutationObserver(() => window.__texts.push(element.textContent))
        .observe(element, { childList: true, characterData: true, subtree: true });
}"""
SAVE_DATA = "Object.defineProperty(navigator, 'connection', { value: { saveData: true }, configurable: true });"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The built site and the Hub, with A and B and the slow file."""
    dist, folder = workspace(tmp_path_factory, "races")
    with HubServer() as hub:
        publish(hub, [A, B], folder)
        slow = checkpoint(A, folder).read_bytes() + b"slow"
        sha = hub.add(hub_repo(resnext.get_variant(SLOW)), HUB_FILE, slow)
        hub.slow.add(sha)
        with Site(dist, hub.endpoint, isolated=True) as site:
            yield {"hub": hub, "site": site, "weights": folder, "slow_sha": sha,
                   "slow_seconds": len(slow) / SLOW_CHUNK * SLOW_DELAY}


@pytest.fixture(autouse=True)
def recorded(context):
    """Each test's phone context records the address bar's rewrites."""
    context.add_init_script(RECORD)


def _rows(scope, model: str, image: str, timeout: float = 120_000) -> list[int]:
    answer = scope.locator(f".top-k[data-model='{model}'][data-image='{image}']")
    answer.wait_for(timeout=timeout)
    return [int(li.get_attribute("data-class-index")) for li in answer.locator("li").all()]


def _downloading(page, vid: str):
    """Wait until the page says it downloads ``vid``; return that status line."""
    status = page.locator("main > [role=status]")
    page.wait_for_function("(id) => document.querySelector('main > [role=status]')?.textContent.includes('Downloading the weights of ' + id)",
                           arg=vid, timeout=60_000)
    return status


def _kept_repos(page) -> list[str]:
    return page.evaluate("async () => (await (await caches.open('resnext-weights-v1')).keys()).map((r) => r.url)")


def test_the_second_photo_wins_over_the_first_still_decoding(world, context, tmp_path):
    page = context.new_page()
    page.goto(world["site"].url + f"?model={A}")
    page.get_by_text("Drop a photo, take one with the webcam, or pick a sample to start.").wait_for()
    big = tmp_path / "big.jpg"  # 24 MP: it decodes for far longer than a sample
    Image.open(SAMPLES / "chelsea.png").convert("RGB").resize((6000, 4000)).save(big, quality=90)
    page.set_input_files("#upload", str(big))
    page.locator(".sample[data-sample='coffee.png']").click()
    _rows(page, A, "coffee.png")
    page.wait_for_timeout(4000)  # the big photo's decode, had it been kept, ends well within this
    assert page.evaluate("globalThis.resnextExplorer.photo.name") == "coffee.png"
    assert page.get_by_text("Working on coffee.png").is_visible()
    assert page.locator(".top-k[data-image='big.jpg']").count() == 0
    assert "photo=coffee.png" in page.url


def test_leaving_classify_mid_download_stops_its_run(world, context):
    hub, site = world["hub"], world["site"]
    page = context.new_page()
    page.goto(site.url + f"?model={SLOW}&photo=chelsea.png")
    status = _downloading(page, SLOW)
    page.evaluate(WATCH, status.element_handle())  # Classify's own status line, followed after it is left
    page.evaluate("window.__urls = []")
    left = time.monotonic()
    page.get_by_role("link", name="Side by side").click()
    for vid in (A, B):  # side by side's defaults: not queued behind the abandoned file
        _rows(page, vid, "chelsea.png")
    took = time.monotonic() - left
    print(f"side by side answered {took:.1f} s after leaving Classify; the slow file needs {world['slow_seconds']:.0f} s")
    assert took < world["slow_seconds"]
    assert page.evaluate("window.__texts") == []  # Classify's status said nothing more
    assert all(f"model={SLOW}" not in url for url in page.evaluate("window.__urls"))  # nor rewrote the address
    assert "page=side_by_side" in page.url
    assert not any(hub_repo(resnext.get_variant(SLOW)) in url for url in _kept_repos(page))  # the download was dropped
    assert [p for _, p in hub.requests].count(f"/cdn/{world['slow_sha']}") == 1  # and not started again


def test_switching_model_mid_download_does_not_wait_for_the_abandoned_file(world, context):
    page = context.new_page()
    page.goto(world["site"].url + f"?model={SLOW}&photo=chelsea.png")
    status = _downloading(page, SLOW)
    page.evaluate(WATCH, status.element_handle())
    switched = time.monotonic()
    page.select_option("#model", B)
    _rows(page, B, "chelsea.png")
    took = time.monotonic() - switched
    print(f"{B} answered {took:.1f} s after the switch; the abandoned file needs {world['slow_seconds']:.0f} s")
    assert took < world["slow_seconds"]
    texts = page.evaluate("window.__texts")
    assert texts and not any(SLOW in t for t in texts)  # the progress shown is the chosen model's alone
    assert f"model={B}" in page.url
    page.wait_for_timeout(1000)
    assert f"model={B}" in page.url and page.locator("#model").input_value() == B


def test_side_by_side_on_a_phone_says_the_total_and_waits_where_data_is_saved(world, context):
    hub = world["hub"]
    context.add_init_script(SAVE_DATA)
    page = context.new_page()
    before = len(hub.requests)
    page.goto(world["site"].url + f"?page=side_by_side&models={A},{B}&photo=chelsea.png")
    line = page.locator(".download .message")
    line.wait_for()
    total = sum(v["file_size"] for v in CATALOG["variants"] if v["id"] in (A, B))
    assert int(line.get_attribute("data-bytes")) == total
    assert f"not on this device yet: {format_bytes(total)} to download" in line.inner_text()  # the library's units
    button = page.get_by_role("button", name=f"Download {format_bytes(total)} and compare")
    page.wait_for_timeout(1500)
    assert hub.requests[before:] == []  # nothing downloaded before the click
    assert axe_violations(page) == []
    button.click()
    for vid in (A, B):
        _rows(page, vid, "chelsea.png")
    assert page.locator(".download").inner_text() == ""

    again = context.new_page()  # both kept now: nothing to ask
    again.goto(world["site"].url + f"?page=side_by_side&models={A},{B}&photo=coffee.png")
    _rows(again, A, "coffee.png")
    assert again.locator(".download").inner_text() == ""


def test_the_comparison_draws_the_trade_off_fits_and_lists_what_is_kept(world, context):
    page = context.new_page()
    page.goto(world["site"].url + f"?model={A}&photo=chelsea.png")
    _rows(page, A, "chelsea.png")
    page.get_by_role("link", name="Model comparison").click()
    page.get_by_role("heading", level=1, name="Model comparison").wait_for()

    n = len(CATALOG["variants"])
    for chart in ("#vs-macs", "#vs-size"):
        assert page.locator(f"{chart} .point").count() == n
    shapes = page.evaluate("""() => {
        const by = {};
        for (const p of document.querySelectorAll('#vs-macs .point')) {
            const v = p.dataset.model, path = p.querySelector('path');
            by[v] = [path.getAttribute('d'), getComputedStyle(path).fill];
        }
        return by;
    }""")
    family = {v["id"]: v["family"] for v in CATALOG["variants"]}
    looks = {f: {tuple(shapes[v]) for v in shapes if family[v] == f} for f in set(family.values())}
    assert all(len(s) == 1 for s in looks.values())  # one look per family
    assert len({s[0] for (s,) in looks.values()}) == len(looks)  # and the shapes alone tell them apart
    v = next(x for x in CATALOG["variants"] if x["id"] == B)
    point = page.locator(f"#vs-macs .point[data-model='{B}']")
    assert float(point.get_attribute("data-x")) == pytest.approx(v["macs"] / 1e9)
    assert float(point.get_attribute("data-y")) == v["top1"]
    page.locator("#vs-macs .point").first.focus()
    for _ in range(n):  # the keyboard reaches every point, each named with its values
        if page.evaluate("document.activeElement.dataset.model") == B:
            break
        page.keyboard.press("Tab")
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert label.startswith(B) and f"{v['top1']:.2f}%" in label and f"{v['macs'] / 1e9:.3g}" in label

    kept = page.locator(f".kept li[data-model='{A}']")
    kept.wait_for()
    size = checkpoint(A, world["weights"]).stat().st_size
    assert int(kept.get_attribute("data-bytes")) == size
    assert int(page.locator(".kept p[data-bytes]").get_attribute("data-bytes")) == size
    assert f"1 weights file takes {format_bytes(size)} on this device" in page.locator(".kept").inner_text()
    page.get_by_role("button", name=f"Remove the weights of {A} from this device").click()
    page.get_by_text("No weights are kept on this device yet").wait_for()
    assert _kept_repos(page) == []

    for viewport in (PHONE, TABLET, WIDE):  # the table fits, whole, and the pages pass axe on a phone and at 1280 px
        page.set_viewport_size(viewport)
        fits = page.evaluate("""() => { const w = document.querySelector('.table-wrap');
            return [w.scrollWidth, w.clientWidth, document.documentElement.scrollWidth]; }""")
        print(f"table at {viewport['width']} px: scrollWidth {fits[0]}, clientWidth {fits[1]}")
        assert fits[0] <= fits[1] and fits[2] <= viewport["width"]
        if viewport is TABLET:
            continue
        for name in ("Classify", "Side by side", "Model comparison"):
            page.get_by_role("link", name=name).click()
            page.get_by_role("heading", level=1, name=name).wait_for()
            assert axe_violations(page) == [], (name, viewport)


def _manual_where() -> list[list[str]]:
    """The rows of the manual's "What runs where", as ``docs/hooks.py`` writes them into the hosting page."""
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "hooks.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    lines = hooks.where().splitlines()[2:]  # after the head and the rule
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


def test_what_the_extra_data_buys_and_what_runs_where(world, context):
    published = CATALOG["published"]
    page = context.new_page()  # a phone
    page.goto(world["site"].url + "?page=robustness")
    page.get_by_role("heading", level=1, name="What the extra data buys").wait_for()

    figure = {(m["model"], m["dataset"]): m for m in published["measurements"]}
    short = {d["key"]: d["short"] for d in published["datasets"]}
    row = page.locator("table.robustness tbody tr").filter(has=page.get_by_role("rowheader", name=B, exact=True))
    cell = row.locator(f"td[data-label='{short['imagenet-r']}']")
    assert cell.inner_text() == f"{figure[B, 'imagenet-r']['top1']:.1f}"  # the catalog's figure, as the app writes it
    assert page.locator("table.robustness tbody tr").count() == len(CATALOG["variants"])
    chart = page.get_by_role("group", name="ImageNet-R against ImageNet-1k, top-1")
    both = [m for (m, d) in figure if d == "imagenet-r" and (m, "imagenet") in figure]
    assert chart.locator(".point").count() == len(both) and chart.locator(".trend").count() == 1
    label = chart.locator(f".point[data-model='{B}']").get_attribute("aria-label")
    assert f"{figure[B, 'imagenet-r']['top1']:.2f}%" in label and f"{figure[B, 'imagenet']['top1']:.2f}%" in label

    page.get_by_role("radio", name="Top-5", exact=True).check()  # every figure follows the metric
    assert cell.inner_text() == f"{figure[B, 'imagenet-r']['top5']:.1f}"
    page.get_by_role("radio", name="ImageNet-Sketch", exact=True).check()
    page.get_by_role("group", name="ImageNet-Sketch against ImageNet-1k, top-5").wait_for()
    bars = page.get_by_role("group", name=re.compile(r"^resnext50_32x4d trained different ways, top-5$"))
    assert bars.locator(".bar").count() == sum(1 for m in published["measurements"] if m["architecture"] == "resnext50_32x4d")
    flagged = next(c for c in published["claims"] if c["flagged"])
    claim = page.locator("table.claims tbody tr").filter(has=page.get_by_role("rowheader", name=flagged["model"], exact=True))
    assert claim.locator("td[data-label='Gap (points)']").inner_text() == f"{flagged['gap']:+.2f}"

    footer = page.evaluate("""() => [...document.querySelectorAll('footer table.where tbody tr')]
        .map((r) => [...r.cells].map((c) => c.textContent))""")
    assert footer == _manual_where()  # the footer's table is the manual's
    where = {what: runs for what, runs, _ in footer}
    pages = json.loads((ROOT / "web" / "public" / "python-app.json").read_text())["pages"]
    assert [p["label"] for p in pages] == [w for w in where if not w.startswith("Explanation: ")]
    assert where["Stress test"] == "Python app" and where["What the extra data buys"] == where["Classify"] == "browser"
    nav = page.locator("nav a").all_inner_texts()
    assert all((where[p["label"]] == "browser") == (p["label"] in nav) for p in pages)  # each page's column is the nav's

    for viewport in (PHONE, WIDE):  # no column cut, and axe passes, on a phone and at 1280 px
        page.set_viewport_size(viewport)
        fits = page.evaluate("""() => [...document.querySelectorAll('main .table-wrap, footer table')]
            .map((w) => [w.scrollWidth, w.clientWidth]).concat([[document.documentElement.scrollWidth, innerWidth]])""")
        assert all(scroll <= client for scroll, client in fits), (viewport, fits)
        assert axe_violations(page) == [], viewport
