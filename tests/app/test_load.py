"""A bounded load test: several headless Chromium sessions against `streamlit run app.py` on loopback.

Each session uploads images nobody uploaded before (so every request computes a prediction
and a heatmap rather than hitting the cache) and waits until the page shows their result.
The figures are printed and written to ``test-output/load.json``.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time

import numpy as np
from PIL import Image

from tests.served import browser_marks, CHROMIUM, CHROMIUM_ARGS, ONE_UPLOADER, OUTPUT

pytestmark = browser_marks()
SESSIONS = 4
DURATION_S = 40.0
REQUEST_TIMEOUT_MS = 60_000


def _images(folder, count):
    rng = np.random.default_rng(0)
    paths = []
    for i in range(count):
        path = folder / f"load-{i:03d}.jpg"
        Image.fromarray(rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)).save(path, quality=90)
        paths.append(path)
    return paths


async def _session(browser, url, images, deadline, latencies, errors):
    page = await (await browser.new_context(viewport={"width": 1400, "height": 1400})).new_page()
    await page.goto(url)
    await page.get_by_role("heading", name="Classify").wait_for(timeout=REQUEST_TIMEOUT_MS)
    for path in images:
        if time.monotonic() > deadline:
            break
        start = time.monotonic()
        try:
            await page.wait_for_function(ONE_UPLOADER, timeout=REQUEST_TIMEOUT_MS)
            await page.locator("input[type='file']").set_input_files(str(path))
            await page.get_by_text(f"{path.name} (320×240)").wait_for(timeout=REQUEST_TIMEOUT_MS)
            await page.get_by_text(f"Heatmap of {path.name}:", exact=False).first.wait_for(timeout=REQUEST_TIMEOUT_MS)
            if await page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count():
                errors.append(f"{path.name}: an error in the page")
            else:
                latencies.append(time.monotonic() - start)
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
            errors.append(f"{path.name}: {type(exc).__name__}")


async def _run(url, images_per_session):
    from playwright.async_api import async_playwright

    latencies, errors = [], []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        deadline = time.monotonic() + DURATION_S
        await asyncio.gather(*(_session(browser, url, imgs, deadline, latencies, errors)
                               for imgs in images_per_session))
        await browser.close()
    return latencies, errors


def test_concurrent_sessions_are_all_served(served_app, tmp_path):
    images = _images(tmp_path, SESSIONS * 30)
    per_session = [images[i::SESSIONS] for i in range(SESSIONS)]
    start = time.monotonic()
    latencies, errors = asyncio.run(_run(served_app, per_session))
    elapsed = time.monotonic() - start
    q = statistics.quantiles(latencies, n=20) if len(latencies) >= 2 else [float("nan")] * 19
    report = {
        "sessions": SESSIONS, "seconds": round(elapsed, 1), "requests": len(latencies) + len(errors),
        "served": len(latencies), "errors": len(errors),
        "p50_s": round(statistics.median(latencies), 2) if latencies else None, "p95_s": round(q[18], 2),
        "model": "tiny test network (ResNeXt-14, 2x2d): app and serving overhead, not model speed",
    }
    print(json.dumps(report, indent=2), *errors, sep="\n")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "load.json").write_text(json.dumps(report, indent=2))
    assert not errors
    assert len(latencies) >= 2 * SESSIONS, "each session should be served repeatedly"
