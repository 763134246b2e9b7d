"""The fixtures the browser edition's own tests read, made by the library and the safetensors package (the oracles).

    python -m tests.export.web_fixtures   # rewrites web/test/fixtures/

``test_web_fixtures.py`` fails when the committed files differ from what this writes.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from safetensors.numpy import save

from resnext.explain.gradcam import cam_from_features, normalize_cam
from resnext.inference.preprocess import Transform

from tests.export.fixtures import FOLDER

CROP = (7, 5)  # an odd, non-square crop, so that the upsampling's centres are tested
# (width, height, filter, short side): reductions (antialiased), an enlargement, a crop origin at .5
PREPROCESS_CASES = ((101, 67, "bicubic", 18), (67, 101, "bilinear", 18), (29, 37, "bilinear", 20),
                    (52, 40, "bicubic", 18), (16, 16, "bilinear", 16))


def write(folder: Path = FOLDER) -> None:
    """Write ``tiny-safetensors.json`` (a safetensors file of features and classifier weights, seeded, as
    base64), ``cam.json`` (the library's maps)
    and ``preprocess.json`` (the library's exact crops and input tensors of small seeded images)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    features = rng.normal(size=(4, 2, 3)).astype(np.float32)
    fc = rng.normal(size=(3, 4)).astype(np.float32)
    # The safetensors package's own bytes, carried in JSON: weights files are never committed.
    weights = save({"features": features, "fc.weight": fc, "fc.bias": np.zeros(3, np.float32)}, metadata={"format": "pt"})
    (folder / "tiny-safetensors.json").write_text(json.dumps({"base64": base64.b64encode(weights).decode()}) + "\n")
    maps = {}
    for c in range(3):
        raw = cam_from_features(torch.from_numpy(features), torch.from_numpy(fc), c)
        maps[str(c)] = {"raw": raw.flatten().tolist(), "normalized": normalize_cam(raw, CROP).flatten().tolist()}
    (folder / "cam.json").write_text(json.dumps({"crop": list(CROP), "classes": maps}, indent=1) + "\n")
    cases = []
    for width, height, interpolation, resize_size in PREPROCESS_CASES:
        pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        t = Transform(image_size=16, interpolation=interpolation, resize_size=resize_size)
        crop = np.asarray(t.crop(Image.fromarray(pixels)))
        cases.append({"width": width, "height": height, "interpolation": interpolation, "resize_to": t.resize_to,
                      "image_size": t.image_size, "mean": list(t.mean), "std": list(t.std),
                      "input": base64.b64encode(pixels.tobytes()).decode(),
                      "crop": base64.b64encode(crop.tobytes()).decode(),
                      "tensor": t.to_tensor(crop).flatten().tolist()})
    (folder / "preprocess.json").write_text(json.dumps({"cases": cases}) + "\n")


if __name__ == "__main__":
    write()
    print(FOLDER)
