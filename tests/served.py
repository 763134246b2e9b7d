"""Running the app for browser tests: `streamlit run app.py` on a free loopback port, and Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying hosts this closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUTPUT = Path(os.environ.get("RESNEXT_TEST_OUTPUT", ROOT / "test-output"))
# True once the page holds exactly one uploader: the app replaces it after each photo, and the old
# one can linger a moment beside the new one.
ONE_UPLOADER = "() => document.querySelectorAll(\"input[type='file']\").length === 1"


def in_ci() -> bool:
    """Whether this run is CI's (``CI=true``), where what a test needs must be there: a skip would hide it."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def unless_in_ci(missing: bool, reason: str):
    """A mark that skips a test when ``missing``, except in CI, where the test runs and fails for want of it."""
    import pytest

    return pytest.mark.skipif(missing and not in_ci(), reason=f"{reason} (in CI this is a failure, not a skip)")


def browser_marks() -> list:
    """A browser test's marks: ``browser``, and skipped where Debian's Chromium is missing, but not in CI."""
    import pytest

    return [pytest.mark.browser, unless_in_ci(not os.path.exists(CHROMIUM), "Debian's chromium is not installed")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(env: dict[str, str], timeout: float = 60.0, command: list[str] | None = None,
              ) -> tuple[subprocess.Popen, str, float]:
    """Start the app on a free loopback port; return it, its URL and seconds to healthy.

    Args:
        env: The environment to run it in.
        timeout: Seconds to wait for Streamlit's health check.
        command: What to run instead of ``streamlit run app.py`` (e.g. the Docker image's command),
            from the repository root with ``PORT`` set to the chosen port.
    """
    port = _free_port()
    if command is None:
        command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
                   "--server.address", "127.0.0.1", "--server.headless", "true"]
    start = time.monotonic()
    proc = subprocess.Popen(command, cwd=ROOT, env={**env, "PORT": str(port)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return proc, url, time.monotonic() - start
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"the app did not answer its health check in {timeout} s: {proc.stdout.read()[-2000:]!r}")


def stop_app(proc: subprocess.Popen) -> None:
    """Terminate the app, killing it if it does not stop."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def settle(scope, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished its script run (no running indicator) in a page or a frame."""
    scope.locator("[data-testid='stStatusWidget']").wait_for(state="detached", timeout=timeout)
    time.sleep(0.5)  # the last elements of a run are drawn just after the indicator goes


def axe_violations(frame) -> list[dict]:
    """axe-core's critical and serious violations in a document (``axe.min.js`` from axe-playwright-python)."""
    from axe_playwright_python.base import AXE_SCRIPT

    frame.evaluate(AXE_SCRIPT)
    result = frame.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "targets": [n["target"] for n in v["nodes"]],
             "summary": v["nodes"][0].get("failureSummary", "")[:300]}
            for v in result["violations"] if v["impact"] in ("critical", "serious")]
