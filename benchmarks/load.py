"""Load benchmark: several visitors at once, each in a headless Chromium of its own, on two cores.

    python -m benchmarks.load [--visitors 1 4 8] [--photos 8] [--pause 1 5] [--modes before after asked]

Starts ``streamlit run app.py`` on loopback with real-architecture checkpoints of random weights
(Classify's default and Side by side's three defaults) and warms them. Then, for each page and
each number of visitors, that many browser contexts (separate sessions) each drop fresh 2 MP
JPEGs into the page, one after another: each waits for its page to finish, then looks at the
answer for a while (``--pause``, uniformly between its two values), as a visitor does. It prints
p50/p95 from choosing a photo to its top-5 drawn (all three on Side by side), measured in the
page, and the server's own time for the photo, read off the page's timing caption.

Modes:
- ``before``: the app as it was: every photo's map scored for faithfulness, nothing stepping aside
  (the scoring toggles switched on, ``RESNEXT_ANSWERS_FIRST=0``);
- ``after``: the app as it is: scores only on request;
- ``asked``: every visitor asks for scores, which step aside for others' first answers.

Goal (issue 18): with 4 visitors, p95 at most twice the single visitor's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.browser import _MARK_CHOICE, _TOP5_DRAWN, _model_index
from benchmarks.machine import describe
from benchmarks.photos import SIZES, photo
from tests.served import CHROMIUM, CHROMIUM_ARGS, ONE_UPLOADER, start_app, stop_app

PAGES = {"Classify": ("Score how faithful", 1), "Side by side": ("Score faithfulness", 3)}
MODES = {"before": (True, "0"), "after": (False, "1"), "asked": (True, "1")}
GOAL = 2.0
TIMEOUT_MS = 600_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--photos", type=int, default=8,
                        help="photos per page and number of visitors (at least 2 per visitor)")
    parser.add_argument("--pause", type=float, nargs=2, default=[1.0, 5.0], metavar=("MIN", "MAX"),
                        help="seconds a visitor looks at an answer before the next photo")
    parser.add_argument("--modes", nargs="+", default=["before", "after"], choices=list(MODES))
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="resnext-load-bench-"))
    index = _model_index(workdir)
    print(describe())
    results: dict[tuple[str, str, int], list[tuple[float, float]]] = {}
    for mode in args.modes:
        scoring, answers_first = MODES[mode]
        env = {**os.environ, "RESNEXT_MODEL_INDEX": str(index), "RESNEXT_CACHE_DIR": str(workdir / "cache"),
               "RESNEXT_ANSWERS_FIRST": answers_first}
        proc, url, _ = start_app(env, timeout=120)
        try:
            asyncio.run(_mode(url, workdir, mode, scoring, args, results))
        finally:
            stop_app(proc)
    _report(results, args)
    return 0


async def _mode(url: str, workdir: Path, mode: str, scoring: bool, args, results: dict) -> None:
    from playwright.async_api import async_playwright

    rng = np.random.default_rng(int(time.time()))
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for page_name in PAGES:
            warm = await _visitor(browser, url, page_name, scoring)
            await _choose(warm, _photo(workdir, rng, "warm-up"), PAGES[page_name][1])  # loads the models
            await warm.context.close()
            for n in args.visitors:
                each = max(2, args.photos // n)
                pages = await asyncio.gather(*(_visitor(browser, url, page_name, scoring) for _ in range(n)))
                runs = await asyncio.gather(*(_photos(page, workdir, np.random.default_rng(rng.integers(1 << 30)),
                                                      each, PAGES[page_name][1], args.pause) for page in pages))
                results[(mode, page_name, n)] = [s for run in runs for s in run]
                await asyncio.gather(*(page.context.close() for page in pages))
                print(f"{mode:>6} · {page_name} · {n} visitor(s): p95 "
                      f"{_p95([t for t, _ in results[(mode, page_name, n)]]):.2f} s", flush=True)
        await browser.close()


async def _visitor(browser, url: str, page_name: str, scoring: bool):
    """A new session on ``page_name``, its scoring toggle as the mode wants it."""
    page = await (await browser.new_context(viewport={"width": 1400, "height": 1400})).new_page()
    await page.goto(url)
    await page.get_by_role("heading", name="Classify").wait_for(timeout=TIMEOUT_MS)
    if page_name != "Classify":
        await page.locator("[data-testid='stSidebar'] a", has_text=page_name).click()
        await page.get_by_role("heading", name=page_name).wait_for(timeout=TIMEOUT_MS)
    if scoring and page_name == "Side by side":  # a sidebar toggle, there before any photo
        await page.get_by_text(PAGES[page_name][0]).click()
    page.scoring = scoring and page_name == "Classify"  # Classify's toggle appears with the first map
    return page


async def _photos(page, workdir: Path, rng: np.random.Generator, count: int, tops: int,
                  pause: tuple[float, float]) -> list[tuple[float, float]]:
    seconds = []
    for i in range(count):
        await asyncio.sleep(rng.uniform(0, pause[1] - pause[0]) if i == 0 else rng.uniform(*pause))
        seconds.append(await _choose(page, _photo(workdir, rng, f"load-{i}"), tops))
    return seconds


async def _choose(page, path: Path, tops: int) -> tuple[float, float]:
    """Drop one photo; the seconds until its top-5 is drawn, and the server's own seconds for it as
    the page's timing caption states them (the script run, without the browsers' share of the
    cores). Returns once the page has finished."""
    await page.wait_for_function(ONE_UPLOADER, timeout=TIMEOUT_MS)
    await page.evaluate(_MARK_CHOICE)
    await page.evaluate("() => { window.__chosen = null; }")
    await page.locator("input[type='file']").set_input_files(str(path))
    drawn = await (await page.wait_for_function(_TOP5_DRAWN, arg=[path.name, tops], timeout=TIMEOUT_MS,
                                                polling="raf")).json_value()
    chosen = await page.evaluate("() => window.__chosen")
    if getattr(page, "scoring", False):
        page.scoring = False  # the toggle keeps its state for the session's next photos
        await page.get_by_text(PAGES["Classify"][0]).click()
    caption = page.get_by_text(re.compile(rf"^(Top-5 of|All models on) {re.escape(path.name)}: ")).first
    await caption.wait_for(timeout=TIMEOUT_MS)
    server = float(re.search(r": ([\d.]+) s on the server", await caption.inner_text()).group(1))
    await page.locator("[data-testid='stStatusWidget']").wait_for(state="detached", timeout=TIMEOUT_MS)
    return (drawn - chosen) / 1000, server


def _photo(workdir: Path, rng: np.random.Generator, stem: str) -> Path:
    path = workdir / f"{stem}-{rng.integers(1 << 40):x}.jpg"
    path.write_bytes(photo(SIZES[2], rng))
    return path


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def _report(results: dict, args) -> None:
    print("\nSeconds from choosing a fresh 2 MP photo to its top-5 drawn, per visitor; "
          f"{args.photos} photos per row (at least 2 per visitor); {args.pause[0]:g}–{args.pause[1]:g} s "
          "looking at each answer. \"Server\": the script run's own time, from the page's caption.\n")
    print("| mode | page | visitors | photos | p50 s | p95 s | p95 ÷ 1 visitor | goal (4 visitors ≤ 2×) "
          "| server p50 s | server p95 s |")
    print("|---|---|---:|---:|---:|---:|---:|---|---:|---:|")
    for (mode, page, n), pairs in results.items():
        values, server = [t for t, _ in pairs], [s for _, s in pairs]
        single = results.get((mode, page, 1))
        ratio = _p95(values) / _p95([t for t, _ in single]) if single else float("nan")
        status = ("met" if ratio <= GOAL else "missed") if n == 4 and single else ""
        print(f"| {mode} | {page} | {n} | {len(values)} | {statistics.median(values):.2f} | {_p95(values):.2f} "
              f"| {ratio:.1f} | {status} | {statistics.median(server):.2f} | {_p95(server):.2f} |")


if __name__ == "__main__":
    raise SystemExit(main())
