"""`streamlit run app.py` on a loopback port, driven by Debian's headless Chromium through Playwright.

Screenshots of every page go to ``test-output/screenshots/`` (or ``$RESNEXT_TEST_OUTPUT``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import resnext
from tests.served import browser_marks, CHROMIUM, CHROMIUM_ARGS, OUTPUT, settle as _settle, start_app, stop_app

SCREENSHOTS = OUTPUT / "screenshots"
ROOT = Path(__file__).resolve().parents[2]

pytestmark = browser_marks()


@pytest.fixture
def page():
    import playwright.sync_api as playwright
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 2200})
        yield context.new_page()
        browser.close()


@pytest.fixture
def real_metadata_app(isolated_env):
    env = {k: v for k, v in os.environ.items() if k != "RESNEXT_MODEL_INDEX"}
    proc, url, _ = start_app({**env, "RESNEXT_CACHE_DIR": str(isolated_env)})
    yield url
    stop_app(proc)


def _no_error(page):
    assert page.locator("[data-testid='stException']").count() == 0
    errors = page.locator("[data-testid='stAlertContentError']")
    assert errors.count() == 0, errors.all_inner_texts()


def _clipped_pills(page) -> list[str]:
    """Labels of the sidebar's variant pills that do not fit their pill (cut with an ellipsis)."""
    return page.locator("[data-testid='stSidebar'] button[data-variant='pills'] p").evaluate_all(
        "ps => ps.filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.textContent)")


def _chart_for(page, name: str, count: int = 1, timeout: float = 120_000) -> None:
    """Wait until ``count`` top-5 charts answer for the image ``name`` (their data-image), not a stale one."""
    page.wait_for_function(
        """([name, count]) => [...document.querySelectorAll('.top-k')]
            .filter(e => e.dataset.image === name && e.getBoundingClientRect().height > 0).length >= count""",
        arg=[name, count], timeout=timeout)


def test_every_page_in_a_real_browser(served_app, page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(served_app)
    page.get_by_role("heading", name="Classify").wait_for(timeout=60_000)
    assert _clipped_pills(page) == []  # every variant's label whole, grouped by family

    page.get_by_role("radio", name="Samples").click()
    thumbnails = page.locator(".gallery button img")
    thumbnails.first.wait_for(timeout=30_000)
    boxes = [thumbnails.nth(i).bounding_box() for i in range(thumbnails.count())]
    assert len(boxes) == 5 and len({(round(b["width"]), round(b["height"])) for b in boxes}) == 1
    assert abs(boxes[0]["width"] - boxes[0]["height"]) < 1  # one shape, whatever the photos' shapes
    page.locator(".gallery button[data-name='chelsea.png']").click()  # the thumbnail itself chooses it
    _chart_for(page, "chelsea.png")
    page.get_by_text("Working on chelsea.png").wait_for(timeout=30_000)
    page.get_by_text("Heatmap", exact=True).wait_for(timeout=120_000)
    _settle(page)
    _no_error(page)
    assert page.locator(".gallery button[aria-pressed='true']").get_attribute("data-name") == "chelsea.png"
    assert page.locator(".top-k [role='listitem']").count() == 5
    page.screenshot(path=str(SCREENSHOTS / "classify.png"), full_page=True)

    # Navigate as a user does (the sidebar), which keeps the session and so the image.
    page.locator("[data-testid='stSidebar'] a", has_text="Side by side").click()
    page.get_by_role("heading", name="Side by side").wait_for(timeout=60_000)
    page.get_by_text("Agreement", exact=True).wait_for(timeout=120_000)
    _chart_for(page, "chelsea.png", count=3)
    _settle(page)
    _no_error(page)
    assert page.get_by_text("Working on chelsea.png").is_visible()
    assert _clipped_pills(page) == []
    page.screenshot(path=str(SCREENSHOTS / "side_by_side.png"), full_page=True)

    page.locator("[data-testid='stSidebar'] a", has_text="Batch").click()
    page.get_by_role("heading", name="Batch").wait_for(timeout=60_000)
    samples = sorted((ROOT / "assets" / "samples").glob("*.png"))[:3]
    page.locator("input[type='file']").set_input_files([str(p) for p in samples])
    page.get_by_role("heading", name="3 of 3 files classified").wait_for(timeout=120_000)
    _settle(page)
    _no_error(page)
    page.screenshot(path=str(SCREENSHOTS / "batch.png"), full_page=True)

    page.locator("[data-testid='stSidebar'] a", has_text="Model comparison").click()
    page.get_by_role("heading", name="Model comparison").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").nth(2).wait_for(timeout=60_000)
    _settle(page)
    _no_error(page)
    page.screenshot(path=str(SCREENSHOTS / "comparison.png"), full_page=True)

    page.locator("[data-testid='stSidebar'] a", has_text="What the extra data buys").click()
    page.get_by_role("heading", name="What the extra data buys").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=60_000)
    _settle(page)
    _no_error(page)
    for table in page.locator("[data-testid='stDataFrame'] .dvn-scroller").all():
        sizes = table.evaluate("e => [e.scrollWidth, e.clientWidth, e.scrollHeight, e.clientHeight]")
        assert sizes[0] <= sizes[1] + 1 and sizes[2] <= sizes[3] + 1, sizes  # every row and column in view
    page.screenshot(path=str(SCREENSHOTS / "robustness.png"), full_page=True)
    for name in ("classify", "side_by_side", "batch", "comparison", "robustness"):
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000


def test_comparison_page_with_the_real_metadata(real_metadata_app, page):
    """The screenshot the README shows: the twelve published variants, no weights needed."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 1900})
    page.goto(f"{real_metadata_app}/compare")  # a deep link on first load, as shared from a Space
    page.get_by_role("heading", name="Model comparison").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").nth(2).wait_for(timeout=60_000)
    _settle(page)
    _no_error(page)
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_text("ig_resnext101_32x48d").count() >= 1
    # Every row and column in view at 1400 px: the table has no scrolling of its own.
    scroller = page.locator("[data-testid='stDataFrame'] .dvn-scroller").first
    sizes = scroller.evaluate("e => [e.scrollWidth, e.clientWidth, e.scrollHeight, e.clientHeight]")
    assert sizes[0] <= sizes[1] + 1 and sizes[2] <= sizes[3] + 1, sizes
    page.screenshot(path=str(SCREENSHOTS / "comparison-real-metadata.png"))


@pytest.fixture
def resnext50_app(isolated_env, tmp_path):
    """The app with ResNeXt-50's real architecture (random weights, a local file), where occlusion takes seconds."""
    from resnext.catalog.architecture import build_model
    from tests.factory import model_index_entry, random_state_dict, save_checkpoint, write_model_index

    v = resnext.get_variant("swsl_resnext50_32x4d")
    path = save_checkpoint(random_state_dict(build_model(v, device="cpu"), 0), tmp_path, v.id)
    index = write_model_index(tmp_path / "index.yaml",
                              [model_index_entry(v.id, v.family, str(path), path, v.parameters)])
    proc, url, _ = start_app({**os.environ, "RESNEXT_MODEL_INDEX": str(index), "RESNEXT_CACHE_DIR": str(isolated_env)})
    yield url
    stop_app(proc)


def _choose_method(page, label: str) -> None:
    page.locator("[data-testid='stSelectbox']").filter(has_text="Method").click()
    page.get_by_role("option", name=re.compile(f"^{label} ·")).click()


def test_a_slow_method_shows_progress_and_a_change_cancels_it(resnext50_app, page):
    page.goto(resnext50_app)
    page.locator("input[type='file']").set_input_files(str(ROOT / "assets" / "samples" / "chelsea.png"))
    page.locator("img[alt='Grad-CAM of chelsea.png']").wait_for(timeout=120_000)
    _settle(page)

    progress = page.get_by_text(re.compile(r"^Occlusion of swsl_resnext50_32x4d \(≈ [\d.]+ s\); change any control"))
    _choose_method(page, "Occlusion")
    progress.wait_for(timeout=30_000)
    _choose_method(page, "Grad-CAM")  # while occlusion runs
    page.locator("img[alt='Grad-CAM of chelsea.png']").wait_for(timeout=60_000)
    progress.wait_for(state="detached", timeout=60_000)
    _settle(page)
    _no_error(page)
    assert page.locator("img[alt='Occlusion of chelsea.png']").count() == 0

    # Had the first occlusion run to its end, its map would be cached and drawn at once, without a bar.
    _choose_method(page, "Occlusion")
    progress.wait_for(timeout=30_000)
    page.locator("img[alt='Occlusion of chelsea.png']").wait_for(timeout=120_000)
    _settle(page)
    _no_error(page)


EVIL = "a[href*='evil.example' i]"


def test_text_a_link_or_a_zip_controls_never_becomes_a_live_link(served_app, page, tmp_path):
    """The crafted links of issue 26 and a zip whose class folders are written as links: no anchor anywhere."""
    import io
    import urllib.parse
    import zipfile

    query = urllib.parse.urlencode({"photo": "x\n\n[Log in](https://evil.example)",
                                    "model": "m\n\n[Log in](https://evil.example)", "method": "<a href='https://evil.example'>x</a>"})
    page.goto(f"{served_app}/?{query}")
    page.get_by_text("does not know", exact=False).first.wait_for(timeout=60_000)
    _settle(page)
    notice = page.locator("[data-testid='stAlertContentInfo']").first.inner_text().replace("\u2060", "")
    assert "[Log in](https://evil.example)" in notice  # shown as the text it is
    assert page.locator(EVIL).count() == 0

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for folder in ("[Log in](https:evil.example)", "www.evil.example", "**bold** <b>tag"):
            for i in range(2):
                archive.writestr(f"set/{folder}/{i}.png", (ROOT / "assets" / "samples" / "chelsea.png").read_bytes())
    (tmp_path / "set.zip").write_bytes(buf.getvalue())
    page.goto(f"{served_app}/your_classes")
    page.get_by_text("Your zip of class folders").click()
    page.locator(".st-key-yc_zip input[type='file']").set_input_files(str(tmp_path / "set.zip"))
    page.get_by_text("6 images in 3 classes").wait_for(timeout=60_000)
    _settle(page)
    counts = page.locator("[data-testid='stMarkdown']", has_text="6 images in 3 classes").last.inner_text().replace("\u2060", "")
    assert "[Log in](https:evil.example) (2)" in counts and "www.evil.example (2)" in counts
    assert "**bold** <b>tag (2)" in counts
    assert page.locator(EVIL).count() == 0 and page.locator("[data-testid='stMarkdown'] b").count() == 0
