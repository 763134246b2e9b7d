"""Names on the command line as the files they mean."""

from pathlib import Path

from resnext.bulk.inputs import expand


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_folders_globs_and_files(tmp_path):
    a = _touch(tmp_path / "photos" / "b.JPG")
    b = _touch(tmp_path / "photos" / "sub" / "a.png")
    _touch(tmp_path / "photos" / "notes.txt")  # not an image suffix: a folder does not mean it
    _touch(tmp_path / "photos" / ".hidden" / "c.jpg")
    _touch(tmp_path / "photos" / ".d.jpg")
    named = _touch(tmp_path / "notes.txt")  # named explicitly: taken, so it gets its own row
    c = _touch(tmp_path / "more" / "x.webp")
    missing = tmp_path / "missing.jpg"
    found = expand([tmp_path / "photos", str(tmp_path / "more" / "*.webp"), named, missing, a,
                    str(tmp_path / "none*.png")])
    assert found == [a, b, c, named, missing, tmp_path / "none*.png"]


def test_recursive_glob(tmp_path):
    deep = _touch(tmp_path / "x" / "y" / "z.jpg")
    top = _touch(tmp_path / "t.jpg")
    assert expand([str(tmp_path / "**" / "*.jpg")]) == sorted([deep, top])
