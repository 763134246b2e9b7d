"""``scripts/setup.sh`` takes PyPI's CUDA-free torch from PyTorch's CPU index when it answers, and falls back fast.

``python3`` is a stand-in on ``PATH`` that says torch is missing and records every ``pip install``
instead of running it; the index probe itself runs in the real Python, against a loopback server
(answering) or an address that never answers.
"""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.served import ROOT

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the CPU index is chosen on Linux only")

STAND_IN = """#!/usr/bin/env bash
if [ "$1" = -m ] && [ "$2" = pip ]; then echo "$*" >> "$PIP_LOG"; exit 0; fi
if [ "$1" = -c ] && [[ "$2" == "import torch"* ]]; then exit 1; fi
exec {python} "$@"
"""


def _setup(tmp_path: Path, index: str) -> tuple[subprocess.CompletedProcess, list[str], float]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").write_text(STAND_IN.format(python=sys.executable))
    (bin_dir / "python3").chmod(0o755)
    log = tmp_path / "pip.log"
    env = {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin", "PIP_LOG": str(log), "TORCH_CPU_INDEX": index,
           "TORCH_INDEX_TIMEOUT": "2"}
    start = time.perf_counter()
    done = subprocess.run(["bash", "scripts/setup.sh", "test"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    return done, log.read_text().splitlines(), time.perf_counter() - start


def test_a_reachable_cpu_index_gives_the_cpu_build(tmp_path):
    class Index(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/whl/cpu/torch/" else 404)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Index) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        index = f"http://127.0.0.1:{server.server_address[1]}/whl/cpu"
        done, pips, _ = _setup(tmp_path, index)
        server.shutdown()
    assert done.returncode == 0, done.stderr
    assert f"torch from PyTorch's CPU index ({index})" in done.stdout
    assert f"torch torchvision --index-url {index}" in pips[0] and pips[1].endswith("-e .[test]")


def test_an_unreachable_index_falls_back_within_seconds_and_says_so(tmp_path):
    with NeverAnswers() as index:
        done, pips, seconds = _setup(tmp_path, index)
    assert done.returncode == 0, done.stderr
    assert "did not answer within 2 s: torch from the default index" in done.stdout
    assert len(pips) == 1 and pips[0].endswith("-e .[test]") and "--index-url" not in pips[0]
    assert seconds < 10


class NeverAnswers:
    """A loopback port that accepts connections and never answers: a hanging index, without the network."""

    def __enter__(self) -> str:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/whl/cpu"

    def __exit__(self, *exc: object) -> None:
        self.sock.close()
