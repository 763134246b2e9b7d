"""Everyone can use it: a phone in a Space's frame, axe-core on every page in both themes, the
keyboard alone, and a shared link, in Debian's headless Chromium.

axe-core comes with the test dependency ``axe-playwright-python`` (its ``axe.min.js``), injected
into the app's own document. ``phone.png`` goes to ``test-output/screenshots/``.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.served import axe_violations, browser_marks, CHROMIUM, CHROMIUM_ARGS, OUTPUT, settle
from tests.test_space import framing_page, space  # noqa: F401 - fixtures: the app as the image starts it, framed

pytestmark = browser_marks()
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/131.0.0.0 Mobile Safari/537.36"}
PAGES = {"Classify": "", "Side by side": "side_by_side", "Stress test": "stress", "Batch": "batch",
         "Your classes": "your_classes",
         "Model comparison": "compare", "What the extra data buys": "robustness"}
# What only Streamlit can fix: (axe rule, the Streamlit element, why). The test fails when an
# entry stops occurring, so that the list never outlives its reason.
ALLOWED: list[tuple[str, str, str]] = []


@pytest.fixture
def chromium():
    import playwright.sync_api as playwright
    with playwright.sync_playwright() as p:
        # A fake camera, its permission prompt answered yes.
        args = CHROMIUM_ARGS + ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        yield browser
        browser.close()


def _app_frame(page, url: str):
    return next(f for f in page.frames if f.url.startswith(url))


def _axe(frame) -> list[dict]:
    """axe-core's critical and serious violations in this document, at rest.

    Elements of a run that is being replaced are faded (``data-stale``), which would read as low
    contrast: the audit waits for none to be left, and a finding must hold a second later too.
    """
    found = _axe_once(frame)
    if found:
        time.sleep(1.0)
        settle(frame)
        found = _axe_once(frame)
    return found


def _axe_once(frame) -> list[dict]:
    frame.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=60_000)
    return axe_violations(frame)


def _sample(scope, name: str = "chelsea.png", count: int = 1) -> None:
    scope.get_by_role("radio", name="Samples").click()
    scope.locator(f".gallery button[data-name='{name}']").click()
    _top5(scope, name, count)


def _top5(scope, name: str, count: int = 1) -> None:
    scope.locator(f".top-k[data-image='{name}']").nth(count - 1).wait_for(timeout=120_000)
    settle(scope)


@pytest.mark.parametrize("space", [True], indirect=True, ids=["image-settings"])
def test_a_phone_in_a_space_frame(space, framing_page, chromium):
    page = chromium.new_context(**PHONE).new_page()
    page.goto(framing_page)
    frame = page.frame_locator("iframe")
    frame.get_by_role("heading", name="Classify").wait_for(timeout=60_000)
    settle(frame)
    app = _app_frame(page, space)
    # The model, the photo source and its control are on the first screen; nothing scrolls sideways.
    model = frame.get_by_role("button", name="Model: swsl_resnext50_32x4d")
    for control in (model, frame.get_by_role("radio", name="Camera"),
                    frame.locator("[data-testid='stFileUploaderDropzone']")):
        box = control.bounding_box()
        assert box and box["y"] + box["height"] <= PHONE["viewport"]["height"], box
    assert app.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")
    _sample(frame)
    # On a phone the answer comes before the explanation's controls.
    top5 = frame.locator(".top-k[data-image='chelsea.png']").bounding_box()
    method = frame.get_by_text("Where the model looked").bounding_box()
    assert top5["y"] + top5["height"] <= method["y"]
    assert app.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")
    (OUTPUT / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "screenshots" / "phone.png"))
    frame.locator(".top-k[data-image='chelsea.png']").scroll_into_view_if_needed()
    page.screenshot(path=str(OUTPUT / "screenshots" / "phone-answer.png"))
    # On a phone the camera can be switched to the rear one (Streamlit's button, where the browser allows).
    camera = frame.get_by_role("radio", name="Camera")
    camera.evaluate("e => e.scrollIntoView({block: 'center'})")  # a visitor scrolls it to where the thumb is
    settle(frame)
    # The screenshot is also a sync point: on an emulated phone it commits the scrolled frame, and a
    # tap before that can land on the controls above the one aimed at (seen here in 2 of 3 runs).
    page.screenshot(path=str(OUTPUT / "screenshots" / "phone-source.png"))
    camera.click()
    frame.get_by_role("button", name="Switch camera").wait_for(timeout=60_000)

    side = chromium.new_context(**PHONE).new_page()
    side.goto(f"{space}/side_by_side")
    side.get_by_role("heading", name="Side by side").wait_for(timeout=60_000)
    settle(side)
    for control in (side.get_by_role("button", name="Models: ssl_resnext50_32x4d, swsl_resnext50_32x4d"),
                    side.locator("[data-testid='stFileUploaderDropzone']")):
        box = control.bounding_box()
        assert box and box["y"] + box["height"] <= PHONE["viewport"]["height"], box
    wide = chromium.new_context(viewport={"width": 1400, "height": 900}).new_page()
    wide.goto(space)
    wide.get_by_role("heading", name="Classify").wait_for(timeout=60_000)
    settle(wide)
    # The sidebar has it: hidden by a style that may arrive a moment after the button on a busy machine.
    wide.get_by_role("button", name="Model: swsl_resnext50_32x4d").wait_for(state="hidden", timeout=30_000)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_critical_or_serious_axe_violation_on_any_page(served_app, chromium, scheme):
    page = chromium.new_context(viewport={"width": 1400, "height": 1400}, color_scheme=scheme).new_page()
    found = {}
    for name, path in PAGES.items():
        page.goto(f"{served_app}/{path}")
        page.get_by_role("heading", name=name, exact=True).wait_for(timeout=60_000)
        settle(page)
        if name in ("Classify", "Side by side"):  # each address is a new session: a photo for each
            _sample(page, count=1 if name == "Classify" else 3)
        found[name] = _axe(page)
    left = {(name, v["id"]): v for name, vs in found.items() for v in vs
            if not any(v["id"] == rule for rule, _, _ in ALLOWED)}
    assert not left, "\n".join(f"{n}: {v}" for n, v in left.items())
    stale = [rule for rule, _, _ in ALLOWED if not any(v["id"] == rule for vs in found.values() for v in vs)]
    assert not stale, f"allowlisted rules that no longer occur (remove them): {stale}"


_ACTIVE = """(() => { let e = document.activeElement;  // into components' shadow roots
  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement; return e; })()"""


def _focus_shown(page) -> bool:
    """Whether focus on the active element is visible: the pixels around it change when it loses focus
    (more than a text caret's worth), whatever draws the ring (outline, shadow, border colour)."""
    import io

    import numpy as np
    from PIL import Image

    box = page.evaluate(f"() => {{ const r = {_ACTIVE}.getBoundingClientRect(); "
                        "return {x: r.x, y: r.y, width: r.width, height: r.height}; }")
    margin = 8
    clip = {"x": max(box["x"] - margin, 0), "y": max(box["y"] - margin, 0),
            "width": box["width"] + 2 * margin, "height": box["height"] + 2 * margin}
    focused = np.asarray(Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("RGB"), dtype=int)
    page.evaluate(f"() => {{ window.__focused = {_ACTIVE}; window.__focused.blur(); }}")
    time.sleep(0.3)  # transitions
    blurred = np.asarray(Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("RGB"), dtype=int)
    page.evaluate("() => window.__focused.focus()")
    return int((np.abs(focused - blurred).max(axis=2) > 40).sum()) > 40


def _tab_to(page, accept: str, most: int = 120) -> None:
    """Press Tab until the focused element satisfies the JS predicate ``accept`` (of the element)."""
    visited = []
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => ({accept})({_ACTIVE})"):
            assert _focus_shown(page), page.evaluate(f"() => {_ACTIVE}.outerHTML.slice(0, 300)")
            return
        visited.append(page.evaluate(f"() => {_ACTIVE}.outerHTML.slice(0, 120)"))
    raise AssertionError(f"Tab never reached {accept}; it visited {visited}")


def test_the_keyboard_alone_does_the_main_path(served_app, chromium):
    page = chromium.new_context(viewport={"width": 1400, "height": 1400}).new_page()
    page.goto(served_app)
    page.get_by_role("heading", name="Classify").wait_for(timeout=60_000)
    settle(page)
    # The source is a radio group: Tab reaches the chosen one, the arrows move, Space chooses.
    _tab_to(page, "e => e.getAttribute('role') === 'radio' && e.innerText?.trim() === 'Upload'")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.evaluate(f"() => {_ACTIVE}.innerText.trim()") == "Samples"
    page.keyboard.press("Space")
    page.locator(".gallery button").first.wait_for(timeout=30_000)
    settle(page)
    _tab_to(page, "e => e.dataset?.name === 'chelsea.png'")
    page.keyboard.press("Space")
    _top5(page, "chelsea.png")
    top5 = page.locator(".top-k[data-image='chelsea.png'] [role='listitem']").all_inner_texts()
    assert len(top5) == 5 and all(re.search(r"\d+\.\d%", t) for t in top5), top5
    _tab_to(page, "e => e.getAttribute('aria-label') === 'Method'")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.locator("figcaption", has_text=re.compile("^Guided Grad-CAM")).first.wait_for(timeout=60_000)
    settle(page)


def _top1s(page) -> list[str]:
    return page.locator(".top-k [role='listitem']:first-child").evaluate_all("es => es.map(e => e.title)")


def test_a_side_by_side_link_reproduces_the_page(served_app, chromium):
    sender = chromium.new_context(viewport={"width": 1400, "height": 1400})
    sender.grant_permissions(["clipboard-read", "clipboard-write"])
    page = sender.new_page()
    page.goto(f"{served_app}/side_by_side")
    page.get_by_role("heading", name="Side by side").wait_for(timeout=60_000)
    settle(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.locator("button", has_text="resnext14_2x2d").click()  # a fourth model, then the first one off
    settle(page)
    page.locator(".st-key-sbs_variants__SSL button").first.click()
    settle(page)
    _sample(page, "coffee.png", count=3)
    shown = _top1s(page)
    assert len(shown) == 3
    page.get_by_role("button", name="Copy link").click()
    status = page.locator(".copy-link [role='status']")
    status.filter(has_text="Copied").wait_for(timeout=10_000)
    link = status.get_attribute("data-link")
    assert link == page.evaluate("navigator.clipboard.readText()")
    assert "models=" in link and "photo=coffee.png" in link

    receiver = chromium.new_context(viewport={"width": 1400, "height": 1400}).new_page()
    receiver.goto(link)
    receiver.get_by_text("Working on coffee.png").wait_for(timeout=60_000)
    _top5(receiver, "coffee.png", count=3)
    assert _top1s(receiver) == shown
