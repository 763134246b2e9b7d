"""The static Space checks its weights against its publisher's lock, not against the host that serves them:
the site is written with ``resnext space static --lock``, and the stand-in Hub serves another file under a
tree entry that agrees with it; and a file whose hashes match its lock but that is not the model's weights is said in
one sentence and removed from Cache Storage. Debian's Chromium, one built site, one browser, three page loads."""

from __future__ import annotations

import hashlib

import pytest
import torch
from safetensors.torch import save

import resnext
from resnext.export import write_static_space
from resnext.weights.hub import HUB_FILE, hub_repo
from resnext.weights.lock import Locked, write_lock
from tests.hub import HubServer
from tests.served import CHROMIUM, CHROMIUM_ARGS
from tests.web.site import Site, build, marks
from tests.web.weights import checkpoint, publish

SWAPPED, PINNED = "ssl_resnext50_32x4d", "swsl_resnext50_32x4d"  # the Hub serves another file / the pinned one
HOLLOW = "swsl_resnext101_32x4d"  # locked and served as a safetensors file with no fc.weight
REVISION = "c0ffee" + "0" * 34

pytestmark = marks()


def _repo(vid: str) -> str:
    return str(hub_repo(resnext.get_variant(vid)))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A Space written with a lock, served beside a stand-in Hub that swaps one of the locked files."""
    root = tmp_path_factory.mktemp("integrity")
    folder = root / "weights"
    folder.mkdir()
    with HubServer() as hub:
        publish(hub, [SWAPPED, PINNED], folder)  # the Hub's tree agrees with what it serves, as a mirror's would
        served = checkpoint(SWAPPED, folder).read_bytes()
        published = bytes([served[0] ^ 1]) + served[1:]  # what the publisher locked: same size, other bytes
        pinned = checkpoint(PINNED, folder).read_bytes()
        entries = [Locked(SWAPPED, f"Hub {_repo(SWAPPED)}", len(published), hashlib.sha256(published).hexdigest()),
                   Locked(PINNED, f"Hub {_repo(PINNED)}", len(pinned), hashlib.sha256(pinned).hexdigest(), REVISION)]
        hollow = save({"conv1.weight": torch.zeros(2)})  # a well-formed file, but not this model's weights
        hub.add(_repo(HOLLOW), HUB_FILE, hollow)
        entries.append(Locked(HOLLOW, f"Hub {_repo(HOLLOW)}", len(hollow), hashlib.sha256(hollow).hexdigest()))
        lock = write_lock(root / "weights.lock", entries)
        space = root / "space"
        write_static_space(build(root / "dist"), space, lock=lock)
        with Site(space, hub.endpoint, isolated=False) as site, \
                Site(space, "http://mirror.example", isolated=False) as plain_http:
            yield {"hub": hub, "site": site, "plain_http": plain_http}


@pytest.fixture(scope="module")
def page():
    import playwright.sync_api as playwright

    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
        chromium.close()


def _kept(page) -> list[str]:
    return page.evaluate("caches.open('resnext-weights-v1').then((c) => c.keys()).then((k) => k.map((r) => r.url))")


def test_a_file_the_publisher_did_not_lock_is_refused_in_one_sentence_and_not_kept(world, page):
    hub = world["hub"]
    page.goto(world["site"].url + f"?page=side_by_side&models={SWAPPED},{PINNED}&photo=rocket.jpg")
    page.locator(f".top-k[data-model='{PINNED}'][data-image='rocket.jpg']").wait_for(timeout=180_000)
    refusal = page.locator(f"article[data-model='{SWAPPED}'] [role=alert]")
    refusal.wait_for(timeout=60_000)
    text = refusal.inner_text()
    assert text.startswith(f"The weights of {_repo(SWAPPED)} are not the file this site's "
                           "publisher pinned (their SHA-256 differs), so they were not used or kept;")
    assert text.count(".") <= 2 and "\n" not in text
    assert "checked against the publisher's hashes where this site pins them" in page.locator("footer").inner_text()
    pinned_url = f"{hub.endpoint}/{_repo(PINNED)}/resolve/{REVISION}/{HUB_FILE}"
    assert _kept(page) == [pinned_url]  # the pinned file at its revision; the refused one not at all
    paths = [path for _, path in hub.requests]
    assert not any(p.startswith("/api/") for p in paths)  # the lock needs no word from the Hub's tree
    assert f"/{_repo(PINNED)}/resolve/{REVISION}/{HUB_FILE}" in paths


def test_kept_bytes_that_make_no_session_are_said_once_and_removed(world, page):
    page.goto(world["site"].url + f"?model={HOLLOW}&photo=chelsea.png")
    alert = page.locator("main [role=alert]").first
    alert.wait_for(timeout=120_000)
    assert alert.inner_text() == (f"{_repo(HOLLOW)} has no tensor fc.weight, which this model needs; "
                                  "it is not this model's weights file.")
    assert not any(_repo(HOLLOW) in url for url in _kept(page))  # kept once checked, then forgotten


def test_a_hub_that_is_not_https_is_refused_and_the_default_is_not_used_instead(world, page):
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(world["plain_http"].url + f"?model={PINNED}&photo=chelsea.png")
    alert = page.locator("main [role=alert]").first
    alert.wait_for(timeout=60_000)
    sentence = ("This site's Hub address http://mirror.example is not an https: URL, so the page downloads no weights "
                "from it, nor from huggingface.co in its place;")
    assert alert.inner_text().startswith(sentence)
    assert sentence in page.locator("footer").inner_text()
    assert not any("mirror.example" in url or "huggingface.co" in url for url in asked)
