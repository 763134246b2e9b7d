"""Small real-architecture checkpoints with random weights, their model-index, and a server.

Nothing here reaches beyond 127.0.0.1. A checkpoint's file name carries the first eight hex
digits of its own SHA-256, as the published ones do, so the real verification code runs.
"""

from __future__ import annotations

import collections
import hashlib
import http.server
import os
import threading
import time
from pathlib import Path
from typing import Any

import torch
import yaml

from resnext.catalog.architecture import build_model
from resnext.catalog.index import families

# A ResNeXt-14 with 2 groups of width 2: the real block structure at ~5M parameters.
TINY = {"Layers": 14, "Cardinality": 2, "Width Per Group": 2}


def random_state_dict(model: torch.nn.Module, seed: int, logit_std: float = 3.0) -> dict[str, torch.Tensor]:
    """Give a freshly built network seeded random weights that make image-dependent answers.

    He-initialised convolutions; BatchNorm statistics calibrated on the sample photos and
    their mirror images (as a trained network's are on its data), so that every channel is
    standardised and the pooled features vary from image to image instead of collapsing to
    one common vector; random BatchNorm affine terms, damped on the last one of each residual
    branch so a 101-layer network stays stable; and a classifier scaled so that softmax
    outputs are neither uniform nor one-hot.
    """
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            fan_in = p[0].numel() if p.dim() > 1 else 1
            p.copy_(torch.randn(p.shape, generator=gen) * (2.0 / fan_in) ** 0.5)
        bns = [(n, m) for n, m in model.named_modules() if isinstance(m, torch.nn.BatchNorm2d)]
        for name, m in bns:
            last = name.endswith("bn3") or name.endswith("downsample.1")
            m.weight.uniform_(*((0.2, 0.4) if last else (0.5, 1.0)), generator=gen)
            m.bias.normal_(0.0, 0.1, generator=gen)
            m.reset_running_stats()
            m.momentum = None  # running stats = the plain average over the calibration batch
        calibration = calibration_batch()
        model.train()(calibration)
        for _, m in bns:
            m.momentum = 0.1
        model.eval()
        fc = model.fc if hasattr(model, "fc") else model.get_classifier()
        pooled = []
        hook = fc.register_forward_hook(lambda mod, inp, out: pooled.append(inp[0]))
        model(calibration)
        hook.remove()
        centred = pooled[0] - pooled[0].mean(0)
        fc.weight.mul_(logit_std / (centred @ fc.weight.T).std())
        fc.bias.copy_(-(pooled[0].mean(0) @ fc.weight.T))
    return {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}


def calibration_batch(size: int = 224) -> torch.Tensor:
    """The bundled sample photos and their mirror images, squashed to ``size`` and normalised."""
    from PIL import Image

    from resnext.inference.preprocess import Transform

    folder = Path(__file__).resolve().parent.parent / "assets" / "samples"
    to_tensor = Transform(image_size=size).to_tensor
    images = [Image.open(p).convert("RGB").resize((size, size), Image.BILINEAR)
              for p in sorted(folder.glob("*.*g"))]
    images += [i.transpose(Image.FLIP_LEFT_RIGHT) for i in images]
    return torch.stack([to_tensor(i) for i in images])


def save_checkpoint(state_dict: dict[str, torch.Tensor], folder: Path, stem: str) -> Path:
    """Save a state dict as ``<stem>-<sha256[:8]>.pth`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{stem}.tmp"
    torch.save(state_dict, tmp)
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    path = folder / f"{stem}-{digest[:8]}.pth"
    os.replace(tmp, path)
    return path


def model_index_entry(vid: str, family: str, url: str, path: Path, params: int, **metadata: Any) -> dict:
    """One ``Models`` entry in model-index form."""
    return {
        "Name": vid,
        "In Collection": families()[family].collection if family in families() else family,
        "Metadata": {
            "ID": vid,
            "FLOPs": 100_000_000,
            "Parameters": params,
            "File Size": path.stat().st_size,
            "Training Data": ["Random"],
            "Training Resources": "1x GPUs",
            "Epochs": 1,
            "Crop Pct": "0.875",
            "Image Size": "224",
            "Interpolation": "bilinear",
            **metadata,
        },
        "Weights": url,
        "Results": [
            {"Task": "Image Classification", "Dataset": "ImageNet",
             "Metrics": {"Top 1 Accuracy": "0.1%", "Top 5 Accuracy": "0.5%"}}
        ],
    }


def write_model_index(path: Path, entries: list[dict]) -> Path:
    """Write a model-index file with one collection per family used."""
    collections_ = sorted({e["In Collection"] for e in entries})
    doc = {
        "Type": "model-index",
        "Collections": [{"Name": c, "Paper": {"Title": "Test weights", "URL": "http://127.0.0.1/"}} for c in collections_],
        "Models": entries,
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


class CheckpointServer:
    """A threaded HTTP server on 127.0.0.1 that serves a folder, well or badly.

    The first path segment picks the behaviour: ``/ok/<file>``, ``/slow/<file>`` (no answer
    for ``slow_seconds``), ``/truncate/<file>`` (announces the full length, sends half,
    closes), ``/corrupt/<file>`` (right length, one byte flipped), ``/gone/<file>`` (404).
    """

    def __init__(self, root: Path, slow_seconds: float = 3.0) -> None:
        self.root = root
        self.slow_seconds = slow_seconds
        self.requests: collections.Counter[str] = collections.Counter()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                server.requests[self.path] += 1
                mode, _, name = self.path.lstrip("/").partition("/")
                file = server.root / name
                if mode == "gone" or not file.is_file():
                    self.send_error(404, "Not Found")
                    return
                body = file.read_bytes()
                if mode == "slow":
                    time.sleep(server.slow_seconds)
                if mode == "corrupt":
                    body = body[:100] + bytes([body[100] ^ 0xFF]) + body[101:]
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    if mode == "truncate":
                        self.wfile.write(body[: len(body) // 2])
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def base(self, mode: str = "ok") -> str:
        """The URL prefix for a behaviour."""
        return f"http://127.0.0.1:{self.port}/{mode}"

    def __enter__(self) -> "CheckpointServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def build_tiny_world(root: Path, server: CheckpointServer) -> dict[str, Path]:
    """Checkpoints and a model-index for the test variants, served by ``server``.

    The three defaults of the app (``ssl_resnext50_32x4d``, ``swsl_resnext50_32x4d``,
    ``ig_resnext101_32x8d``) are replaced by tiny networks, and ``tiny_resnext14_2x2d`` is added.

    Returns:
        ``{"index": the YAML path, "<id>": checkpoint path, ...}``.
    """
    specs = [
        ("tiny_resnext14_2x2d", "Tiny ResNeXt", 0),
        ("ssl_resnext50_32x4d", "SSL", 1),
        ("swsl_resnext50_32x4d", "SWSL", 2),
        ("ig_resnext101_32x8d", "IG", 3),
    ]
    out: dict[str, Path] = {}
    entries = []
    for vid, family, seed in specs:
        probe = _tiny_variant(vid)
        model = build_model(probe, device="cpu")
        path = save_checkpoint(random_state_dict(model, seed), server.root, vid)
        params = sum(p.numel() for p in model.parameters())
        entries.append(model_index_entry(vid, family, f"{server.base()}/{path.name}", path, params, **TINY))
        out[vid] = path
    out["index"] = write_model_index(root / "tiny-index.yaml", entries)
    return out


def _tiny_variant(vid: str):
    import dataclasses

    from resnext.catalog.index import get_variant

    base = get_variant("swsl_resnext50_32x4d")
    return dataclasses.replace(base, id=vid, depth=TINY["Layers"], cardinality=TINY["Cardinality"],
                               width_per_group=TINY["Width Per Group"])
