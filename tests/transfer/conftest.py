"""Class folders separable by construction, and synthetic features with a known structure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

COLOURS = {"red": (200, 40, 40), "green": (40, 180, 60), "blue": (40, 60, 200)}


def make_folders(root: Path, per_class: int = 6, size: int = 64, seed: int = 0) -> Path:
    """One folder per colour; each image that colour with seeded noise and a random bright square."""
    rng = np.random.default_rng(seed)
    for name, rgb in COLOURS.items():
        folder = root / name
        folder.mkdir(parents=True)
        for i in range(per_class):
            pixels = np.clip(np.array(rgb) + rng.normal(0, 20, (size, size, 3)), 0, 255)
            x, y = rng.integers(0, size // 2, 2)
            pixels[y:y + size // 4, x:x + size // 4] = 255
            Image.fromarray(pixels.astype(np.uint8)).save(folder / f"{name}_{i}.png")
    return root


@pytest.fixture
def folders(tmp_path: Path) -> Path:
    return make_folders(tmp_path / "classes")


def clusters(n_per_class: int = 30, classes: int = 3, dim: int = 16, spread: float = 1.0, seed: int = 0):
    """Gaussian clusters: (features, labels)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 4, (classes, dim))
    labels = np.repeat(np.arange(classes), n_per_class)
    return centres[labels] + rng.normal(0, spread, (len(labels), dim)), labels
