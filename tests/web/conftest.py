"""The browser suites' shared fixtures: one Debian Chromium per test module, and a phone's context per test."""

from __future__ import annotations

import pytest

from tests.served import CHROMIUM, CHROMIUM_ARGS

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    import playwright.sync_api as playwright

    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    """A fresh context (its own storage) with a phone's viewport and touch."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    yield context
    context.close()
