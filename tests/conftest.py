"""Shared fixtures: a loopback checkpoint server, tiny test variants, an isolated cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factory import CheckpointServer, build_tiny_world

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "assets" / "samples"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory):
    """A checkpoint server on 127.0.0.1 for the whole run."""
    with CheckpointServer(tmp_path_factory.mktemp("served")) as srv:
        yield srv


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory: pytest.TempPathFactory, server: CheckpointServer) -> dict[str, Path]:
    """Tiny checkpoints and the model-index that names them (see ``build_tiny_world``)."""
    return build_tiny_world(tmp_path_factory.mktemp("index"), server)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty weights and Hub caches and no mirror or extra index from outside.

    Weights come from the model-index URLs (the loopback checkpoint server), and the Hub's address
    is a closed loopback port: tests of the Hub (test_hub.py) start a stand-in and choose it.
    """
    cache = tmp_path / "cache"
    monkeypatch.setenv("RESNEXT_CACHE_DIR", str(cache))
    monkeypatch.setenv("RESNEXT_WEIGHTS_SOURCE", "url")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-hub"))
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    for name in ("RESNEXT_WEIGHTS_MIRROR", "RESNEXT_MODEL_INDEX", "RESNEXT_MAX_PIXELS", "HF_HUB_OFFLINE", "HF_HOME"):
        monkeypatch.delenv(name, raising=False)
    return cache


@pytest.fixture
def tiny_env(tiny_world: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Point the catalog at the tiny variants."""
    monkeypatch.setenv("RESNEXT_MODEL_INDEX", str(tiny_world["index"]))
    return tiny_world


@pytest.fixture
def sample_paths() -> list[Path]:
    """The bundled sample photos."""
    return sorted(p for p in SAMPLES.iterdir() if p.suffix in {".png", ".jpg"})


@pytest.fixture
def served_app(tiny_env, isolated_env):
    """`streamlit run app.py` on loopback, with the tiny variants and an empty cache."""
    import os

    from tests.served import start_app, stop_app

    env = {**os.environ, "RESNEXT_MODEL_INDEX": str(tiny_env["index"]), "RESNEXT_CACHE_DIR": str(isolated_env)}
    proc, url, seconds = start_app(env)
    print(f"streamlit healthy after {seconds:.2f} s")
    yield url
    stop_app(proc)


@pytest.fixture
def app(tiny_env):
    """Classify in Streamlit's AppTest, run once, on the tiny variants, with empty caches."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tests.apptest import APP

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    yield at
    st.cache_data.clear()
    st.cache_resource.clear()
