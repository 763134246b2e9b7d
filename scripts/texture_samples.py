"""Build the sample data set of the "Your classes" page from scikit-image's CC0 texture photos.

Run once, with scikit-image installed (``pip install -e .[scripts]``), to regenerate
``assets/your-classes/textures/``: 16 non-overlapping 128x128 patches of each of the brick, grass
and gravel photos (512x512, greyscale) that scikit-image ships, one folder per class. Their
licences (CC0, as scikit-image's docstrings state) are written beside them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from PIL import Image

OUT = Path(__file__).resolve().parent.parent / "assets" / "your-classes" / "textures"
PATCH = 128
SOURCES = {  # class → (scikit-image function, where the photo came from, as its docstring says)
    "brick": ("brick", "CC0Textures, Bricks25 (CC0), perspective-corrected, rotated, cropped and scaled"),
    "grass": ("grass", "DeviantArt, linolafett, Grass 01 (CC0), cropped and converted to greyscale"),
    "gravel": ("gravel", "CC0Textures, Gravel04 (CC0), rescaled, cropped and converted to greyscale"),
}


def main() -> None:
    import skimage
    import skimage.data

    if OUT.exists():
        shutil.rmtree(OUT)
    lines = ["# The texture sample set", "",
             f"16 patches of {PATCH}x{PATCH} pixels cut from each of three photos that scikit-image "
             f"{skimage.__version__} ships (`skimage.data`), by `scripts/texture_samples.py`.", "",
             "| class | source (as scikit-image documents it) | licence |", "| --- | --- | --- |"]
    for name, (function, source) in SOURCES.items():
        image = np.asarray(getattr(skimage.data, function)())
        folder = OUT / name
        folder.mkdir(parents=True)
        for i in range(image.shape[0] // PATCH):
            for j in range(image.shape[1] // PATCH):
                patch = image[i * PATCH:(i + 1) * PATCH, j * PATCH:(j + 1) * PATCH]
                Image.fromarray(patch).save(folder / f"{name}_{i}{j}.png", optimize=True)
        lines.append(f"| {name} | {source} | CC0 1.0 |")
    (OUT / "LICENSES.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
