"""The hosted Space as a visitor meets it, in Debian's headless Chromium.

huggingface.co shows a Space in an iframe whose page is on another site (``*.hf.space``). Here a
page on ``127.0.0.1`` frames ``http://localhost:PORT/``, which the browser treats as another site
in the same way, and the app is started as the Docker image starts it: its ``CMD`` with the
``ENV`` its Dockerfile sets (only the bind address, the port and the folders are this machine's).
With the image's settings an upload and a camera photo are classified inside the frame; without
them (a plain local start, XSRF protection on) the browser's upload is refused with HTTP 403.
"""

from __future__ import annotations

import http.server
import os
import threading

import pytest

from tests.dockerfile import image_command, image_env
from tests.served import browser_marks, CHROMIUM, CHROMIUM_ARGS, OUTPUT, ROOT, settle, start_app, stop_app

pytestmark = browser_marks()

# What huggingface.co puts on the iframe of a Space (camera allowed, sandboxed, same-origin kept).
# The frame fills the width under a header bar, as on a phone.
FRAME = """<!doctype html><html lang="en"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>A Space</title><body style="margin: 0">
<header style="height: 48px; font: 16px sans-serif; padding: 14px 12px; box-sizing: border-box">
huggingface.co/spaces/you/resnext-explorer</header>
<iframe src="{src}" allow="camera; microphone; clipboard-write; fullscreen"
 sandbox="allow-forms allow-modals allow-popups allow-popups-to-escape-sandbox allow-same-origin allow-scripts allow-downloads"
 style="display: block; width: 100%; height: calc(100vh - 48px); border: 0"></iframe>"""


@pytest.fixture
def space(tiny_env, isolated_env, request):
    """The app started like the image (``request.param``: keep the image's Streamlit settings)."""
    image = image_env()
    if not request.param:  # a local start: the image's STREAMLIT_* settings removed
        image = {k: v for k, v in image.items() if not k.startswith("STREAMLIT_")}
    env = {**os.environ, **image, "PATH": os.environ["PATH"], "HOME": str(isolated_env.parent),
           "RESNEXT_CACHE_DIR": str(isolated_env), "RESNEXT_MODEL_INDEX": str(tiny_env["index"])}
    command = [a.replace("--server.address=0.0.0.0", "--server.address=127.0.0.1") for a in image_command()]
    proc, url, _ = start_app(env, command=command)
    yield url.replace("127.0.0.1", "localhost")
    stop_app(proc)


@pytest.fixture
def framing_page(space):
    """A page on 127.0.0.1 that frames the app at localhost: another site to the browser."""
    html = FRAME.format(src=f"{space}/").encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def browser_page():
    import playwright.sync_api as playwright
    with playwright.sync_playwright() as p:
        # A fake camera, and its permission prompt answered yes, as a visitor would click.
        args = CHROMIUM_ARGS + ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        page = browser.new_context(viewport={"width": 1400, "height": 2000}).new_page()
        yield page
        browser.close()


def _open_framed(page, url: str):
    """Open the framing page; return the app's frame, once it has drawn, and the upload statuses it will get."""
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if "/_stcore/upload_file" in r.url else None)
    page.goto(url)
    frame = page.frame_locator("iframe")
    frame.get_by_role("heading", name="Classify").wait_for(timeout=60_000)
    return frame, statuses


@pytest.mark.parametrize("space", [True], indirect=True, ids=["image-settings"])
def test_upload_and_camera_are_classified_inside_a_cross_site_frame(space, framing_page, browser_page):
    page = browser_page
    frame, statuses = _open_framed(page, framing_page)
    frame.locator("input[type='file']").set_input_files(str(ROOT / "assets" / "samples" / "chelsea.png"))
    frame.locator(".top-k [role='listitem']").first.wait_for(timeout=120_000)
    frame.get_by_text("chelsea.png", exact=False).first.wait_for(timeout=60_000)
    assert statuses and all(200 <= s < 300 for s in statuses), statuses

    frame.get_by_role("radio", name="Camera").click()
    app = next(f for f in page.frames if f.url.startswith(space))
    # A photo taken before the (fake) camera streams is empty and never sent: wait for frames.
    app.wait_for_function("() => [...document.querySelectorAll('video')].some(v => v.readyState >= 2 && v.videoWidth > 0)",
                          timeout=60_000)
    frame.get_by_role("button", name="Take Photo").click(timeout=60_000)
    frame.get_by_text("webcam.jpg", exact=False).first.wait_for(timeout=120_000)
    frame.locator(".top-k [role='listitem']").first.wait_for(timeout=120_000)
    settle(frame)
    assert len(statuses) >= 2 and all(200 <= s < 300 for s in statuses), statuses
    assert frame.locator("[data-testid='stAlertContentError']").count() == 0
    (OUTPUT / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "screenshots" / "space-framed.png"), full_page=True)


@pytest.mark.parametrize("space", [False], indirect=True, ids=["local-settings"])
def test_without_the_image_settings_the_framed_upload_is_refused(space, framing_page, browser_page):
    """What a Space visitor met before the image turned XSRF off, and what a local start keeps."""
    page = browser_page
    frame, statuses = _open_framed(page, framing_page)
    with page.expect_response(lambda r: "/_stcore/upload_file" in r.url, timeout=60_000):
        frame.locator("input[type='file']").set_input_files(str(ROOT / "assets" / "samples" / "chelsea.png"))
    page.wait_for_timeout(3000)
    assert statuses and statuses[0] == 403, statuses
    assert frame.locator(".top-k").count() == 0
