"""A corpus of bad and awkward image files, generated, with what a user should get from each.

Each case is ``(name, bytes, check)``: ``check`` is None where a clear error is the right
answer, else a function that asserts on the decoded RGB image (so a case passes on a
correct result, not on the mere absence of an exception).
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import Callable

import numpy as np
from PIL import Image

Check = Callable[[Image.Image], None]


def _save(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(width: int = 30000, height: int = 30000) -> bytes:
    """A 100-byte PNG that declares width x height pixels (greyscale, 8-bit)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _quadrants(size: int = 64) -> Image.Image:
    """Red top-left, green top-right, blue bottom-left, white bottom-right."""
    arr = np.zeros((size, size, 3), np.uint8)
    h = size // 2
    arr[:h, :h] = (255, 0, 0)
    arr[:h, h:] = (0, 255, 0)
    arr[h:, :h] = (0, 0, 255)
    arr[h:, h:] = (255, 255, 255)
    return Image.fromarray(arr)


def _colour_at(img: Image.Image, fx: float, fy: float) -> np.ndarray:
    return np.asarray(img, dtype=int)[int(fy * img.height), int(fx * img.width)]


def _is(expected: tuple[int, int, int], fx: float, fy: float, tol: int = 40) -> Check:
    def check(img: Image.Image) -> None:
        got = _colour_at(img, fx, fy)
        assert np.abs(got - expected).max() <= tol, (got, expected)
    return check


def _all(*checks: Check) -> Check:
    def check(img: Image.Image) -> None:
        for c in checks:
            c(img)
    return check


def _size(w: int, h: int) -> Check:
    def check(img: Image.Image) -> None:
        assert img.size == (w, h), img.size
    return check


# Where the red quadrant (top-left of the stored pixels) appears once each EXIF orientation is applied.
_RED_AFTER_ORIENTATION = {1: (0.25, 0.25), 2: (0.75, 0.25), 3: (0.75, 0.75), 4: (0.25, 0.75),
                          5: (0.25, 0.25), 6: (0.75, 0.25), 7: (0.75, 0.75), 8: (0.25, 0.75)}


def corpus() -> list[tuple[str, bytes, Check | None]]:
    """Every case: name, file bytes, and the check of a correct result (None: must be refused)."""
    rng = np.random.default_rng(0)
    photo = Image.fromarray(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8))
    jpeg, png = _save(photo, "JPEG", quality=90), _save(photo, "PNG")
    cases: list[tuple[str, bytes, Check | None]] = [
        ("empty.jpg", b"", None),
        ("truncated.jpg", jpeg[: len(jpeg) // 3], None),
        ("truncated.png", png[: len(png) // 3], None),
        ("notes.txt.jpg", b"Dear diary, today I renamed a text file.\n" * 20, None),
        ("page.html.png", b"<!doctype html><html><body><img src=x onerror=alert(1)></body></html>", None),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>', None),
        ("bomb.png", bomb_png(), None),
        ("one-pixel.png", _save(Image.new("RGB", (1, 1), (10, 200, 30)), "PNG"),
         _all(_size(1, 1), _is((10, 200, 30), 0, 0, tol=0))),
        # 2000:1 is no photo; refused when opened, by name, before any pixel is decoded.
        ("sliver.png", _save(Image.new("RGB", (20000, 10), (0, 0, 255)), "PNG"), None),
        ("sixteen-bit.tiff", _save(Image.fromarray(np.full((32, 32), 65535 // 2, np.uint16)), "TIFF"),
         _is((127, 127, 127), 0.5, 0.5, tol=2)),
        ("float32.tiff", _save(Image.fromarray(np.full((32, 32), 0.75, np.float32), mode="F"), "TIFF"),
         _is((191, 191, 191), 0.5, 0.5, tol=2)),
        ("cmyk.jpg", _save(_quadrants().convert("CMYK"), "JPEG", quality=95),
         _all(_is((255, 0, 0), 0.25, 0.25), _is((0, 0, 255), 0.25, 0.75))),
        ("palette-transparent.png", _palette_with_transparency(), _all(_is((255, 255, 255), 0.1, 0.1, tol=0),
                                                                       _is((255, 0, 0), 0.75, 0.75, tol=0))),
        ("grey-alpha.png", _save(Image.merge("LA", (Image.new("L", (8, 8), 0), Image.new("L", (8, 8), 0))), "PNG"),
         _is((255, 255, 255), 0.5, 0.5, tol=0)),
        ("animated.gif", _animation("GIF"), _is((255, 0, 0), 0.5, 0.5, tol=10)),
        ("animated.webp", _animation("WEBP"), _is((255, 0, 0), 0.5, 0.5, tol=30)),
        ("corrupt-exif.jpg", _corrupt_exif(_save(_quadrants(), "JPEG", quality=95)),
         _is((255, 0, 0), 0.25, 0.25)),
    ]
    for orientation, (fx, fy) in _RED_AFTER_ORIENTATION.items():
        exif = Image.Exif()
        exif[0x0112] = orientation
        img = _quadrants()
        expected_size = (64, 64)
        cases.append((f"exif-orientation-{orientation}.jpg",
                       _save(img, "JPEG", quality=95, exif=exif.tobytes()),
                       _all(_size(*expected_size), _is((255, 0, 0), fx, fy))))
    return cases


def _palette_with_transparency() -> bytes:
    img = Image.new("P", (8, 8), 0)
    img.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    for x in range(4, 8):
        for y in range(4, 8):
            img.putpixel((x, y), 1)
    return _save(img, "PNG", transparency=0)


def _animation(fmt: str) -> bytes:
    frames = [Image.new("RGB", (16, 16), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    return _save(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)


def _corrupt_exif(jpeg: bytes) -> bytes:
    """Insert an APP1 Exif segment whose TIFF header points nowhere."""
    payload = b"Exif\x00\x00" + b"MM\x00\x2a" + b"\xff\xff\xff\xf0" + b"\x00" * 16
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]
