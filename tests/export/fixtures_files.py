"""Zips and folders as visitors bring them, and how the Python app and the library read them: the fixture of the
browser edition's reader of many files (``web/src/files/``).

    python -m tests.export.fixtures_files   # rewrites web/test/fixtures/files.json

Each zip is read by the app's own reader (``resnext_app.bulk.unpack``, then ``labelled_members`` as the
"Your classes" page's ``from_zip`` does); each folder is written to disk and read by the library
(``images_under``, ``labelled_files``). ``test_fixtures_files.py`` fails when the committed file differs.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image

from resnext.bulk.inputs import MAX_IMAGES, images_under
from resnext.errors import ResNeXtError
from resnext.transfer.data import labelled_files, labelled_members
from resnext_app.bulk import unpack
from tests.export.fixtures import FOLDER

FIXTURE = FOLDER / "files.json"
D, S = zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED
BOMB_BYTES = 20_000_000  # what the bomb inflates to: 20 MB of zeros in 20 kB


def _png(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    out = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)).save(out, "PNG")
    return out.getvalue()


def _zip(members: list[tuple[str, bytes, int]], comment: bytes = b"") -> bytearray:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data, method in members:
            info = zipfile.ZipInfo(name, (2024, 1, 2, 3, 4, 6))  # fixed dates: the same bytes on every write
            info.compress_type = method
            archive.writestr(info, data)
        archive.comment = comment
    return bytearray(out.getvalue())


def _headers(data: bytearray, name: bytes) -> list[tuple[int, int]]:
    """(offset, kind) of the local (0) and central (1) headers of the member called ``name``."""
    found = []
    for kind, signature, name_at, length_at in ((0, b"PK\x03\x04", 30, 26), (1, b"PK\x01\x02", 46, 28)):
        at = data.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", data, at + length_at)[0]
            if data[at + name_at: at + name_at + length] == name:
                found.append((at, kind))
            at = data.find(signature, at + 4)
    return found


def _patch(data: bytearray, name: str, flags: int = 0, method: int | None = None, file_size: int | None = None,
           crc: int | None = None, local_name: bytes | None = None, clear_utf8: bool = False) -> bytearray:
    """A member's flag bits, method, declared size or CRC changed in both its headers (its local name alone)."""
    for at, kind in _headers(data, name.encode()):
        flag_at, method_at, crc_at, size_at = (6, 8, 14, 22) if kind == 0 else (8, 10, 16, 24)
        value = struct.unpack_from("<H", data, at + flag_at)[0] | flags
        struct.pack_into("<H", data, at + flag_at, value & ~0x800 if clear_utf8 else value)
        if method is not None:
            struct.pack_into("<H", data, at + method_at, method)
        if crc is not None:
            struct.pack_into("<L", data, at + crc_at, crc)
        if file_size is not None:
            struct.pack_into("<L", data, at + size_at, file_size)
        if local_name is not None and kind == 0:
            data[at + 30: at + 30 + len(local_name)] = local_name
    return data


def _bomb() -> bytearray:
    """Two members that inflate to 20 MB while declaring 1000 bytes: one with the CRC of those first 1000 bytes
    (Python reads them and stops: a 1000-byte file), one with the CRC of the whole (Bad CRC-32)."""
    zeros = bytes(BOMB_BYTES)
    data = _zip([("set/a/bomb.png", zeros, D), ("set/a/whole.png", zeros, D), ("set/b/x.png", _png(9), D)])
    _patch(data, "set/a/bomb.png", file_size=1000, crc=zlib.crc32(zeros[:1000]))
    return _patch(data, "set/a/whole.png", file_size=1000)


def _nul(data: bytearray) -> bytearray:
    """``nul/n.png.txt`` named ``nul/n.png\\0txt`` in both headers: ``zipfile`` cuts the name at the NUL (an image)."""
    for at, kind in _headers(data, b"nul/n.png.txt"):
        start = at + (30 if kind == 0 else 46) + len("nul/n.png")
        data[start] = 0
    return data


def _zip64_end(data: bytearray) -> bytearray:
    """The same zip with Zip64's end records (the locator and the Zip64 end of central directory) before its end."""
    end = data.rfind(b"PK\x05\x06")
    entries, size, offset = struct.unpack_from("<HLL", data, end + 10)
    record = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, size, offset)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, end, 1)
    tail = bytearray(data[end:])
    struct.pack_into("<HHLL", tail, 8, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    return bytearray(data[:end]) + record + locator + tail


def zips() -> dict[str, bytes]:
    """Every case of the zip reader, by file name."""
    png = [_png(i) for i in range(8)]
    cases = {
        "classes.zip": _zip([("set/", b"", S), ("set/brick/", b"", S), ("set/brick/b.png", png[0], D),
                             ("set/brick/a.png", png[1], S), ("set/grass/c.PNG", png[2], D),
                             ("set/grass/d.jpg", png[3], S), ("set/readme.txt", b"notes", D),
                             ("__MACOSX/set/brick/._a.png", b"junk", D), ("set/.DS_Store", b"junk", S),
                             ("set/.hidden/e.png", png[4], D), ("set/brick/.f.png", png[5], S)]),
        "nested.zip": _zip([("deep/x/y/z/one.png", png[0], D), ("deep/x/y/z/two.png", png[1], D),
                            ("deep/x/w/three.png", png[2], S), ("deep/x/w/four.png", png[3], D)]),
        "one-class.zip": _zip([("only/a.png", png[0], D), ("only/b.png", png[1], D)]),
        "small-class.zip": _zip([("s/a/1.png", png[0], D), ("s/a/2.png", png[1], D), ("s/b/3.png", png[2], D),
                                 ("s/c'q/4.png", png[3], D)]),
        "loose-member.zip": _zip([("a/1.png", png[0], D), ("a/2.png", png[1], D), ("b/3.png", png[2], D),
                                  ("b/4.png", png[3], D), ("stray.png", png[4], D)]),
        "tricks.zip": _nul(_zip([("../evil/up.png", png[0], D), ("a/../b/down.png", png[1], D),
                                 ("/abs/x.png", png[2], D), ("/top.png", png[3], D), ("./dot/z.png", png[5], D),
                                 ("a//double.png", png[6], D), ("ok/w.png", png[7], D), ("//two/v.png", png[4], D),
                                 ("nul/n.png.txt", png[0], D)])),
        "backslash.zip": _zip([("back\\slash\\y.png", png[4], S), ("k/a.png", png[0], D)]),
        "encrypted.zip": _patch(_zip([("k/a.png", png[0], D), ("k/b.png", png[1], S), ("l/c.png", png[2], D)]),
                                "k/a.png", flags=0x1),
        "methods.zip": _patch(_zip([("m/a.png", png[0], D), ("m/b.png", png[1], D), ("n/c.png", png[2], S)]),
                              "m/b.png", method=99),
        "bomb.zip": _bomb(),
        "too-big.zip": _patch(_zip([("t/a.png", png[0], S), ("t/b.png", png[1], S)]), "t/a.png",
                              file_size=1_000_000_001),
        "damaged.zip": _damaged(png),
        "mismatch.zip": _patch(_zip([("p/a.png", png[0], D), ("p/b.png", png[1], D)]), "p/a.png", local_name=b"p/z"),
        "names.zip": _patch(_zip([("ß/ü.png", png[0], D), ("ß/é.png", png[1], S), ("Ω/α.png", png[2], D),
                                  ("Ω/β.png", png[3], D)]), "Ω/α.png", clear_utf8=True),
        "comment.zip": _zip([("c/a.png", png[0], D), ("d/b.png", png[1], D)], comment=b"made by hand " * 20),
        "comment-trap.zip": _zip([("c/a.png", png[0], D), ("d/b.png", png[1], D)], comment=b"PK\x05\x06 by hand " * 20),
        "prefixed.zip": bytearray(b"#!/bin/sh\nexit 0\n" * 10) + _zip([("e/a.png", png[0], D), ("f/b.png", png[1], S)]),
        "zip64.zip": _zip64_end(_zip([("g/a.png", png[0], D), ("h/b.png", png[1], S)])),
        "many.zip": _zip([(f"many/{'ab'[i % 2]}/{i:03d}.png", png[i % 8], S) for i in range(MAX_IMAGES + 5)]),
        "not-a.zip": bytearray(b"PK\x03\x04 this is not really a zip archive" * 3),
        "cut.zip": _zip([("c/a.png", png[0], D), ("c/b.png", png[1], D)])[:-30],
        "empty.zip": _zip([]),
    }
    return {name: bytes(data) for name, data in cases.items()}


def _damaged(png: list[bytes]) -> bytearray:
    """A stored member with a flipped byte (Bad CRC-32), a deflated one whose stream is broken, one intact."""
    data = _zip([("d/crc.png", png[0], S), ("d/inflate.png", png[1] * 40, D), ("d/ok.png", png[2], D)])
    at = data.find(b"PK\x03\x04")
    data[at + 30 + len("d/crc.png") + 20] ^= 0xFF
    at = data.find(b"PK\x03\x04", at + 4)
    start = at + 30 + len("d/inflate.png")
    data[start] = 0xFF  # BTYPE 11: a block type that does not exist
    return data


def folders() -> dict[str, dict[str, bytes]]:
    """Folders as dropped: each file's path below the folder, its bytes."""
    png = [_png(10 + i) for i in range(8)]
    return {
        "photos": {"brick/b.png": png[0], "brick/a.png": png[1], "brick/deeper/c.jpg": png[2], "grass/d.PNG": png[3],
                   "grass/e.webp": png[4], "grass/notes.txt": b"x", "top.png": png[5], ".hidden/x.png": png[6],
                   "grass/.y.png": png[7], "brick-2/f.png": png[0], "brick-2/g.png": png[1],
                   "grass/broken.png": b"not a png"},
        "single": {"one/a.png": png[0], "one/b.png": png[1]},
        "thin": {"a/1.png": png[0], "a/2.png": png[1], "b/3.png": png[2], "c/4.png": png[3], "c/5.png": png[4]},
    }


# Names that test PurePosixPath's reading and Python's repr and sort: roots, dots, doubled slashes, suffixes, quotes,
# control and non-printable characters, code points past the BMP (where JavaScript's own sort differs).
NAMES = ["a/b.jpg", "/abs/x.png", "//two/y", "///three/z", "./dot/./w.PNG", "a//b", "trail/", ".hidden", "..", "a/..",
         "x.", ".x.y", "tar.gz.", "back\\slash.jpg", "", "/", "a-c/x.jpg", "a/c.jpg", "ä/é.webp", "\uff5e/a.png",
         "\U0001f600/a.png", "it's", 'say "hi"', "both ' and \"", "tab\there", "nl\n", "del\x7f", "nbsp\xa0",
         "zw\u200bsp", "\u2028line"]


def _labelled(read) -> dict:
    try:
        data = read()
    except ResNeXtError as exc:
        return {"error": str(exc)}
    return {"items": data.names, "labels": data.labels.tolist(), "classes": list(data.classes),
            "skipped": [list(s) for s in data.skipped]}


def write(path: Path = FIXTURE) -> None:
    """Write every zip and folder with what the app and the library make of it."""
    zip_cases = []
    for name, data in zips().items():
        batch = unpack([(name, data)])
        result = _labelled(lambda: labelled_members(batch.files, batch.folders))
        if "skipped" in result:
            result["skipped"] = [list(s) for s in batch.skipped] + result["skipped"]
        zip_cases.append({"name": name, "file": base64.b64encode(data).decode(),
                          "files": [n for n, _ in batch.files], "sizes": [len(d) for _, d in batch.files],
                          "folders": batch.folders, "skipped": [list(s) for s in batch.skipped], "labelled": result})
    folder_cases = []
    with tempfile.TemporaryDirectory() as tmp:
        for root, files in folders().items():
            for relative, data in files.items():
                (Path(tmp) / root / relative).parent.mkdir(parents=True, exist_ok=True)
                (Path(tmp) / root / relative).write_bytes(data)
            with contextlib.chdir(tmp):
                images = [str(p) for p in images_under(Path(root))]
                result = _labelled(lambda: labelled_files(root, workers=1))
            folder_cases.append({"name": root, "files": {k: base64.b64encode(v).decode() for k, v in files.items()},
                                 "images": images, "labelled": result})
    path.parent.mkdir(parents=True, exist_ok=True)
    names = [{"text": n, "parts": list(PurePosixPath(n).parts), "suffix": PurePosixPath(n).suffix,
              "parent": PurePosixPath(n).parent.name, "repr": repr(n)} for n in NAMES]
    path.write_text(json.dumps({"max_images": MAX_IMAGES, "bomb_bytes": BOMB_BYTES, "zips": zip_cases,
                                "folders": folder_cases, "names": names,
                                "sorted": [str(p) for p in sorted(PurePosixPath(n) for n in NAMES if n)]},
                               indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    write()
    print(FIXTURE)
