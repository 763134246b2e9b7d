"""The fixtures the browser edition's own tests read, made by the library and the safetensors package (the oracles).

    python -m tests.export.web_fixtures   # rewrites web/test/fixtures/

``test_web_fixtures.py`` fails when the committed files differ from what this writes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import save_file

from resnext.explain.gradcam import cam_from_features, normalize_cam

FOLDER = Path(__file__).resolve().parents[2] / "web" / "test" / "fixtures"
CROP = (7, 5)  # an odd, non-square crop, so that the upsampling's centres are tested


def write(folder: Path = FOLDER) -> None:
    """Write ``tiny.safetensors`` (features and classifier weights, seeded) and ``cam.json`` (the library's maps)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    features = rng.normal(size=(4, 2, 3)).astype(np.float32)
    fc = rng.normal(size=(3, 4)).astype(np.float32)
    save_file({"features": features, "fc.weight": fc, "fc.bias": np.zeros(3, np.float32)}, str(folder / "tiny.safetensors"),
              metadata={"format": "pt"})
    maps = {}
    for c in range(3):
        raw = cam_from_features(torch.from_numpy(features), torch.from_numpy(fc), c)
        maps[str(c)] = {"raw": raw.flatten().tolist(), "normalized": normalize_cam(raw, CROP).flatten().tolist()}
    (folder / "cam.json").write_text(json.dumps({"crop": list(CROP), "classes": maps}, indent=1) + "\n")


if __name__ == "__main__":
    write()
    print(FOLDER)
