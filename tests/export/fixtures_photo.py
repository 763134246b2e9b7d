"""A corpus of photo files in every form the library reads, made with Pillow (and a small PNG writer for
what Pillow does not write: 16-bit colour, Adam7, every filter), and the fixture the browser edition's
photo tests read: each file, its header as Pillow reads it, and the library's RGB or refusal.

    python -m tests.export.fixtures_photo   # rewrites web/test/fixtures/photo.json

``test_fixtures_photo.py`` fails when the committed file differs from what this writes.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from resnext.errors import ImageError
from resnext.inference.image import load_image
from tests.export.fixtures import FOLDER

FIXTURE = FOLDER / "photo.json"
ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))
# A Samsung phone's trailer after the EOI (its "SEF" block names the embedded video) and a Pixel's
# motion photo (an MP4 appended after the JPEG): stand-ins of the same shape, a few hundred bytes.
SAMSUNG_TRAILER = b"\x00\x00\x30\x0aMotionPhoto_Data" + bytes(range(256)) * 2 + b"SEFH\x00\x00\x00\x00SEFT"
MP4_TRAILER = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42" + b"\x00\x00\x01\x00mdat" + bytes(252)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _filtered(rows: list[bytes], bpp: int) -> bytes:
    """Each row with one of the five filters in turn (0, 1, 2, 3, 4, 0, ...), computed on the raw bytes."""
    out = bytearray()
    previous = np.zeros(len(rows[0]) if rows else 0, np.int32)
    for r, data in enumerate(rows):
        x = np.frombuffer(data, np.uint8).astype(np.int32)
        a = np.concatenate([np.zeros(bpp, np.int32), x[:-bpp]])[: len(x)]
        b = previous
        c = np.concatenate([np.zeros(bpp, np.int32), b[:-bpp]])[: len(x)]
        p = a + b - c
        pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
        paeth = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
        kind = r % 5
        predictor = (np.zeros_like(x), a, b, (a + b) // 2, paeth)[kind]
        out += bytes([kind]) + ((x - predictor) & 255).astype(np.uint8).tobytes()
        previous = x
    return bytes(out)


def png(samples: np.ndarray, colour_type: int, depth: int = 8, interlaced: bool = False,
        palette: bytes | None = None, trns: bytes | None = None, extra: bytes = b"") -> bytes:
    """A PNG of ``samples`` (height x width x channels) at any depth, Adam7 or not, with every filter used."""
    height, width, channels = samples.shape
    bpp = max(1, channels * depth // 8)

    def rows(block: np.ndarray) -> list[bytes]:
        if depth == 16:
            return [row.astype(">u2").tobytes() for row in block]
        if depth == 8:
            return [row.astype(np.uint8).tobytes() for row in block]
        bits = np.unpackbits(block.astype(np.uint8)[..., None], axis=-1)[..., 8 - depth:]
        return [np.packbits(row.reshape(-1)).tobytes() for row in bits]

    passes = ADAM7 if interlaced else ((0, 0, 1, 1),)
    raw = b"".join(_filtered(rows(samples[y0::dy, x0::dx]), bpp) for x0, y0, dx, dy in passes
                   if samples[y0::dy, x0::dx].size)
    head = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, int(interlaced))
    body = (_chunk(b"IHDR", head) + (_chunk(b"PLTE", palette) if palette else b"")
            + (_chunk(b"tRNS", trns) if trns else b""))
    return b"\x89PNG\r\n\x1a\n" + body + _chunk(b"IDAT", zlib.compress(raw, 9)) + extra + _chunk(b"IEND", b"")


def _save(img: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


def _exif(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif


def corpus(rgb: Image.Image, seed: int = 0) -> dict[str, bytes]:
    """Every case of the photo reader, made from one RGB picture (any size; its alpha is a seeded ramp)."""
    rng = np.random.default_rng(seed)
    pixels = np.asarray(rgb)
    h, w, _ = pixels.shape
    alpha = ((np.arange(w)[None, :] * 255 // max(w - 1, 1) + rng.integers(0, 40, (h, w))) % 256).astype(np.uint8)
    alpha[: h // 4] = 255
    alpha[-h // 5:, : w // 3] = 0
    rgba = Image.fromarray(np.dstack([pixels, alpha]), "RGBA")
    grey = np.asarray(rgb.convert("L"))
    deep = pixels.astype(np.uint16) * 257 + rng.integers(0, 257, pixels.shape).astype(np.uint16)
    quantized = rgb.quantize(64, dither=Image.Dither.NONE)
    index = np.asarray(quantized)[..., None]
    palette = bytes(quantized.getpalette()[: 64 * 3])
    files = {
        "baseline.jpg": _save(rgb, "JPEG", quality=90),
        "progressive.jpg": _save(rgb, "JPEG", quality=90, progressive=True),
        "grey.jpg": _save(rgb.convert("L"), "JPEG", quality=90),
        "cmyk.jpg": _save(rgb.convert("CMYK"), "JPEG", quality=90),
        "motion-samsung.jpg": _save(rgb, "JPEG", quality=85) + SAMSUNG_TRAILER,
        "motion-pixel.jpg": _save(rgb, "JPEG", quality=85) + MP4_TRAILER,
        "motion-orientation-6.jpg": _save(rgb, "JPEG", quality=85, exif=_exif(6)) + SAMSUNG_TRAILER,
        "restart-markers.jpg": _save(rgb, "JPEG", quality=90, restart_marker_blocks=3),
        "444.jpg": _save(rgb, "JPEG", quality=90, subsampling=0),
        "422.jpg": _save(rgb, "JPEG", quality=90, subsampling=1),
        "mpf.jpg": _save(rgb, "MPO", quality=85, save_all=True, append_images=[rgb.rotate(180)]),
        "palette.png": png(index, 3, palette=palette),
        "palette-4bit-trns.png": png(index % 16, 3, depth=4, palette=palette[:48], trns=bytes(range(0, 256, 17))),
        "palette-simple-trns.png": _save(quantized, "PNG", transparency=3),
        "grey-1bit.png": png((grey[..., None] > 127).astype(np.uint8), 0, depth=1),
        "grey-2bit.png": png(grey[..., None] >> 6, 0, depth=2),
        "palette-1bit.png": png(index & 1, 3, depth=1, palette=palette[:6]),
        "rgb-16bit-trns.png": png(deep, 2, depth=16, trns=struct.pack(">HHH", *map(int, deep[0, 0]))),
        "grey-4bit-interlaced.png": png(grey[..., None] >> 4, 0, depth=4, interlaced=True),
        "grey-trns.png": png(grey[..., None], 0, trns=struct.pack(">H", int(grey[0, 0]))),
        "rgb-trns.png": png(pixels, 2, trns=struct.pack(">HHH", *map(int, pixels[0, 0]))),
        "grey-alpha.png": png(np.dstack([grey, alpha]), 4),
        "rgba.png": png(np.asarray(rgba), 6),
        "rgba-interlaced.png": png(np.asarray(rgba), 6, interlaced=True),
        "grey-16bit.png": png(deep[..., :1], 0, depth=16),
        "grey-16bit-low.png": png(deep[..., :1] >> 8, 0, depth=16),
        "rgb-16bit.png": png(deep, 2, depth=16),
        "rgba-16bit-interlaced.png": png(np.dstack([deep, alpha.astype(np.uint16) * 257]), 6, depth=16,
                                         interlaced=True),
        "grey-alpha-16bit.png": png(np.dstack([deep[..., :1], alpha.astype(np.uint16) * 257]), 4, depth=16),
        "lossy.webp": _save(rgb, "WEBP", quality=80),
        "lossless.webp": _save(rgb, "WEBP", lossless=True),
        "alpha.webp": _save(rgba, "WEBP", lossless=True),
        "alpha-lossy.webp": _save(rgba, "WEBP", quality=80),
        "animated.webp": _save(rgb, "WEBP", lossless=True, save_all=True, append_images=[rgb.rotate(180)],
                               duration=100),
        "still.gif": _save(quantized, "GIF"),
        "transparent.gif": _save(quantized, "GIF", transparency=3),
        "interlaced.gif": _save(quantized, "GIF", interlace=True),
        "offset-frame.gif": _framed(_save(quantized, "GIF")),
        "offset-frame-transparent.gif": _framed(_save(quantized, "GIF", transparency=3)),
        "animated.gif": _save(quantized, "GIF", save_all=True, append_images=[quantized.rotate(180)], duration=100),
        "24bit.bmp": _save(rgb, "BMP"),
        "32bit.bmp": _save(rgba, "BMP"),
        "palette.bmp": _save(quantized, "BMP"),
        "grey.bmp": _save(rgb.convert("L"), "BMP"),
        "1bit.bmp": _save(rgb.convert("1"), "BMP"),
        "bitfields-alpha.bmp": _bitfields(np.asarray(rgba)),
        "top-down.bmp": _top_down(_save(rgb, "BMP")),
        "16bit-555.bmp": _bmp(_rows(_pack16(pixels, 5), "<u2"), w, h, 16),
        "16bit-565.bmp": _bmp(_rows(_pack16(pixels, 6), "<u2"), w, h, 16, compression=3, masks=(0xF800, 0x7E0, 0x1F)),
        "4bit.bmp": _bmp(_rows(index[..., 0] % 16, "u1", bits=4), w, h, 4, palette=palette[:48]),
        "os2.bmp": _bmp(_rows(index[..., 0], "u1"), w, h, 8, palette=palette, header=12),
        "rle8.bmp": _bmp(_rle(index[..., 0], four=False), w, h, 8, compression=1, palette=palette),
        "rle4.bmp": _bmp(_rle(index[..., 0] % 16, four=True), w, h, 4, compression=2, palette=palette[:48]),
        "alphabitfields.bmp": _bmp(_rows(np.asarray(rgba).view("<u4")[..., 0], "<u4"), w, h, 32, compression=6),
        "64bit.bmp": _bmp(bytes(w * h * 8), w, h, 64),
        "photo.avif": _save(rgb, "AVIF", quality=90),
        "photo.tiff": _save(rgb, "TIFF"),
        "orientation-6.avif": _save(rgb, "AVIF", quality=90, exif=_exif(6)),  # Pillow writes it as irot
        "444.avif": _save(rgb, "AVIF", quality=90, subsampling="4:4:4"),
        "limited-range.avif": _save(rgb, "AVIF", quality=90, range="limited"),
        "alpha.avif": _save(rgba, "AVIF", quality=90),
    }
    for orientation in range(1, 9):  # the tag turns the stored pixels upright
        files[f"orientation-{orientation}.jpg"] = _save(rgb, "JPEG", quality=90, exif=_exif(orientation))
        files[f"orientation-{orientation}.png"] = _save(rgb, "PNG", exif=_exif(orientation))
    files["orientation-6.webp"] = _save(rgb, "WEBP", lossless=True, exif=_exif(6))
    files["orientation-3-xmp.png"] = _save(rgb, "PNG", pnginfo=_xmp(3))
    files["orientation-8-raw-profile.png"] = _save(rgb, "PNG", pnginfo=_raw_profile(8, compressed=True))
    files["orientation-5-raw-profile.png"] = _save(rgb, "PNG", pnginfo=_raw_profile(5, compressed=False))
    files["broken-exif.png"] = _save(rgb, "PNG", exif=b"Exif\x00\x00garbage, not TIFF")
    files["broken-exif.jpg"] = _save(rgb, "JPEG", quality=90, exif=b"Exif\x00\x00garbage, not TIFF")
    files["broken-exif-dpi.jpg"] = _save(rgb, "JPEG", quality=90, dpi=(300, 300), exif=b"Exif\x00\x00garbage, not TIFF")
    baseline = files["baseline.jpg"]
    files["no-eoi.jpg"] = baseline[:-2]
    files["cut.jpg"] = baseline[: len(baseline) // 2]
    good = files["rgba.png"]
    files["cut.png"] = good[: len(good) // 2]
    files["bad-crc.png"] = good[:29] + bytes([good[29] ^ 1]) + good[30:]  # IHDR's CRC broken
    files["lying-ihdr.png"] = _sized(good, w * 2, h * 2)  # larger than its data
    files["zero-size.png"] = _sized(good, 0, h)
    files["huge.png"] = _sized(good, 9000, 6000)  # 54 MP: over the library's limit
    files["elongated.png"] = _sized(good, 3100, 10)
    files["zero-size.gif"] = files["still.gif"][:6] + struct.pack("<HH", 0, 0) + files["still.gif"][10:]
    files["huge.webp"] = _vp8x(files["lossless.webp"], 9000, 6000)
    files["elongated.webp"] = _vp8x(files["lossless.webp"], 6000, 10)
    garbage = _chunk(b"zzZz", bytes(rng.integers(0, 256, 64, dtype=np.uint8)))
    files["garbage-chunks.png"] = good[:33] + garbage + good[33:]
    files["cut.bmp"] = files["24bit.bmp"][: len(files["24bit.bmp"]) // 2]
    for kind in ("lossy.webp", "lossless.webp", "still.gif", "photo.avif", "progressive.jpg"):
        files[f"cut-{kind}"] = files[kind][: len(files[kind]) * 2 // 3]
    sof = baseline.index(b"\xff\xc0")
    files["lying-sof.jpg"] = baseline[: sof + 5] + struct.pack(">HH", h * 2, w * 2) + baseline[sof + 9:]
    files["not-an-image.jpg"] = b"This is a text file, not a photo.\n" * 4
    files["photo.heic"] = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)
    return files


def _xmp(orientation: int):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", f'<x:xmpmeta><rdf:Description tiff:Orientation="{orientation}"/></x:xmpmeta>')
    return info


def _bitfields(rgba: np.ndarray) -> bytes:
    """A 32-bit BMP with a V5 header and bit fields that include alpha (BGRA), bottom-up."""
    h, w, _ = rgba.shape
    pixels = np.ascontiguousarray(rgba[::-1][..., [2, 1, 0, 3]]).tobytes()
    header = struct.pack("<IiiHHIIiiII", 124, w, h, 1, 32, 3, len(pixels), 2835, 2835, 0, 0)
    header += struct.pack("<IIII", 0xFF0000, 0xFF00, 0xFF, 0xFF000000) + b"BGRs" + bytes(124 - 56)
    return b"BM" + struct.pack("<IHHI", 14 + 124 + len(pixels), 0, 0, 14 + 124) + header + pixels


def _framed(gif: bytes) -> bytes:
    """A GIF whose screen is larger than its first frame, which sits at (3, 2)."""
    data = bytearray(gif)
    width, height = struct.unpack("<HH", data[6:10])
    data[6:10] = struct.pack("<HH", width + 5, height + 4)
    frame = data.index(b"\x2c", 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 13))
    data[frame + 1:frame + 5] = struct.pack("<HH", 3, 2)
    return bytes(data)


def _top_down(bmp: bytes) -> bytes:
    """A 24-bit BMP stored top-down (a negative height)."""
    width, height = struct.unpack("<ii", bmp[18:26])
    stride = (width * 3 + 3) & ~3
    offset = struct.unpack("<I", bmp[10:14])[0]
    rows = [bmp[offset + r * stride: offset + (r + 1) * stride] for r in range(height)]
    return bmp[:22] + struct.pack("<i", -height) + bmp[26:offset] + b"".join(reversed(rows))


def _rows(values: np.ndarray, dtype: str, bits: int = 0) -> bytes:
    """A BMP's pixel rows, bottom-up, each padded to 4 bytes (``bits``: pack 4-bit indices)."""
    out = b""
    for row in values[::-1]:
        data = (np.packbits(np.unpackbits(row.astype(np.uint8)[:, None], axis=1)[:, 8 - bits:].reshape(-1)).tobytes()
                if bits else row.astype(dtype).tobytes())
        out += data + bytes(-len(data) % 4)
    return out


def _pack16(pixels: np.ndarray, green_bits: int) -> np.ndarray:
    """RGB in 16 bits: 5-5-5 (``green_bits`` 5) or 5-6-5."""
    r, g, b = (pixels[..., k].astype(np.uint16) for k in range(3))
    return (r >> 3) << (5 + green_bits) | (g >> (8 - green_bits)) << 5 | b >> 3


def _rle(indices: np.ndarray, four: bool) -> bytes:
    """RLE8/RLE4 rows, bottom-up: encoded runs, one absolute run per row and a delta on the last row."""
    out = bytearray()
    h, w = indices.shape
    for r, row in enumerate(indices[::-1]):
        x = 0
        if r == h - 1 and w > 4:  # a delta skips two pixels (Pillow: index 0)
            out += bytes([0, 2, 2, 0])
            x = 2
        if w - x >= 4:  # an absolute run of 3 pixels, padded to 16 bits
            run = [int(v) for v in row[x:x + 3]]
            data = bytes([run[0] << 4 | run[1], run[2] << 4]) if four else bytes(run)
            out += bytes([0, 3]) + data + bytes(len(data) % 2)
            x += 3
        while x < w:
            n = 1
            while x + n < w and n < 255 and row[x + n] == row[x]:
                n += 1
            out += bytes([n, int(row[x]) * 17 if four else int(row[x])])
            x += n
        out += bytes([0, 0])
    return bytes(out + bytes([0, 1]))


def _bmp(pixels: bytes, width: int, height: int, bits: int, compression: int = 0, palette: bytes | None = None,
         masks: tuple[int, ...] = (), header: int = 40) -> bytes:
    """A BMP of any depth, compression and header (12: OS/2, with 3-byte palette entries)."""
    if header == 12:
        info = struct.pack("<IHHHH", 12, width, height, 1, bits)
        table = b"".join(palette[i:i + 3][::-1] for i in range(0, len(palette or b""), 3))
    else:
        colours = len(palette) // 3 if palette else 0
        info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, bits, compression, len(pixels), 2835, 2835, colours, 0)
        table = b"".join(palette[i:i + 3][::-1] + b"\0" for i in range(0, len(palette or b""), 3))
    extra = b"".join(struct.pack("<I", m) for m in masks)
    offset = 14 + len(info) + len(extra) + len(table)
    return b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + info + extra + table + pixels


def _sized(data: bytes, width: int, height: int) -> bytes:
    """A PNG whose IHDR (its checksum mended) claims ``width`` x ``height``."""
    return data[:8] + _chunk(b"IHDR", struct.pack(">II", width, height) + data[24:29]) + data[33:]


def _raw_profile(orientation: int, compressed: bool):
    """ImageMagick's way of keeping EXIF in a PNG: a text chunk of hexadecimal after a name and a length."""
    from PIL.PngImagePlugin import PngInfo

    data = _exif(orientation).tobytes()
    hexed = "\n".join(data.hex()[i:i + 72] for i in range(0, len(data) * 2, 72))
    info = PngInfo()
    info.add_text("Raw profile type exif", f"\nexif\n{len(data):8}\n{hexed}\n", zip=compressed)
    return info


def _vp8x(webp: bytes, width: int, height: int) -> bytes:
    """A WebP whose VP8X canvas claims ``width`` x ``height`` over its real frame."""
    canvas = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    vp8x = b"VP8X" + struct.pack("<I", 10) + bytes([0, 0, 0, 0]) + canvas
    body = b"WEBP" + vp8x + webp[12:]
    return b"RIFF" + struct.pack("<I", len(body)) + body


def library(data: bytes, name: str) -> dict:
    """What the library makes of a file: its RGB, or the sentence it refuses it with."""
    try:
        with _quiet():
            img = load_image(data, name=name)
    except ImageError as exc:
        return {"refused": str(exc)}
    return {"width": img.width, "height": img.height, "rgb": base64.b64encode(img.tobytes()).decode(),
            "note": bool(img.info.get("resnext_orientation_unknown"))}


@contextlib.contextmanager
def _quiet():
    """The library's warning on an unreadable orientation, not printed (the fixture records it)."""
    log = logging.getLogger("resnext.inference.image")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def header(data: bytes) -> dict | None:
    """The size and orientation Pillow reads from a file's header, or None where it cannot open it."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            found = {"format": img.format, "width": img.width, "height": img.height}
            try:
                found["orientation"] = img.getexif().get(0x0112, 1)  # a PNG's getexif decodes (for an eXIf after IDAT)
            except Exception:  # noqa: BLE001 - a file damaged past its header
                found["orientation"] = None
            return found
    except Exception:  # noqa: BLE001 - any failure: Pillow has no header to compare with
        return None


def write(path: Path = FIXTURE) -> None:
    """Write the corpus of a small seeded picture (13 x 9: odd, so Adam7 and the transposes meet edges) with
    Pillow's header and the library's answer for each file."""
    rng = np.random.default_rng(1)
    rgb = Image.fromarray(rng.integers(0, 256, (9, 13, 3), dtype=np.uint8))
    cases = [{"name": name, "file": base64.b64encode(data).decode(), "header": header(data),
              "library": library(data, name)} for name, data in corpus(rgb).items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cases": cases}, indent=1) + "\n")


if __name__ == "__main__":
    write()
    print(FIXTURE)
