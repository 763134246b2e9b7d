"""The built static site on 127.0.0.1, as a Space serves it: with or without the COOP/COEP headers its
front matter sets, its ``config.json`` pointing at a stand-in Hub, and a page on another site that
frames it as huggingface.co frames a Space."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import threading
from pathlib import Path

from tests.served import ROOT, browser_marks, unless_in_ci

WEB = ROOT / "web"
ISOLATION = {"Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp",
             "Cross-Origin-Resource-Policy": "cross-origin"}


def marks() -> list:
    """A suite of the built site's marks: a slow browser test, which needs Node and ``web/node_modules``."""
    import pytest

    missing = shutil.which("node") is None or not (WEB / "node_modules" / "onnxruntime-web").exists()
    return [*browser_marks(), pytest.mark.slow, unless_in_ci(missing, "Node or web/node_modules is missing")]


def workspace(tmp_path_factory, name: str) -> tuple[Path, Path]:
    """A module's built site, in a fresh temporary folder, and the run's folder of checkpoints: shared by every
    module, since a random ResNeXt-50 takes seconds to make and ``checkpoint`` makes each variant's once."""
    folder = tmp_path_factory.getbasetemp() / "weights"
    folder.mkdir(exist_ok=True)
    return build(tmp_path_factory.mktemp(name) / "dist"), folder


def build(out: Path) -> Path:
    """``npm run build`` into ``out`` (node_modules must be there: ``npm ci``)."""
    done = subprocess.run(["node", str(WEB / "tools" / "build.mjs"), str(out)], capture_output=True, text=True,
                          timeout=300, cwd=WEB)
    assert done.returncode == 0, done.stderr[-2000:]
    return out


def _send(handler: http.server.BaseHTTPRequestHandler, body: bytes, content_type: str) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class _Loopback:
    """A threaded HTTP server on a free loopback port, running while the ``with`` block lasts."""

    host = "127.0.0.1"

    def __init__(self, handler) -> None:
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._httpd.server_address[1]}/"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class Site(_Loopback):
    """``dist`` on a loopback port; ``hub`` goes into its config.json; ``requests`` lists the paths asked."""

    def __init__(self, dist: Path, hub: str, isolated: bool) -> None:
        self.requests: list[str] = []
        site = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".mjs": "text/javascript",
                              ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json"}

            def log_message(self, *args) -> None:
                pass

            def end_headers(self) -> None:
                for key, value in (ISOLATION.items() if isolated else ()):
                    self.send_header(key, value)
                self.send_header("Cache-Control", "no-store")
                super().end_headers()

            def do_GET(self) -> None:
                site.requests.append(self.path)
                if self.path.split("?")[0] == "/config.json":
                    return _send(self, json.dumps({"hub": hub}).encode(), "application/json")
                return super().do_GET()

        super().__init__(functools.partial(Handler, directory=str(dist)))


class Frame(_Loopback):
    """A page on another site (``localhost``) that frames the site as huggingface.co frames a Space."""

    host = "localhost"

    def __init__(self, src: str) -> None:
        from tests.test_space import FRAME  # the iframe huggingface.co puts a Space in

        page = FRAME.format(src=src).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                _send(self, page, "text/html; charset=utf-8")

        super().__init__(Handler)
