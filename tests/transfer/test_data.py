"""What a folder of class folders must hold, each refusal one sentence."""

import shutil

import pytest

from resnext.errors import ResNeXtError
from resnext.transfer import labelled_files, labelled_members


def test_any_folder_names_are_classes(folders):
    data = labelled_files(folders)
    assert data.classes == ("blue", "green", "red") and data.counts() == {"blue": 6, "green": 6, "red": 6}


def test_an_unreadable_file_is_listed_and_skipped(folders):
    (folders / "red" / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    data = labelled_files(folders)
    assert len(data.items) == 18 and [n for n, _ in data.skipped] == [str(folders / "red" / "broken.jpg")]


@pytest.mark.parametrize("change, message", [
    (lambda f: [shutil.rmtree(f / c) for c in ("green", "blue")], "only the class 'red'"),
    (lambda f: [p.unlink() for p in sorted((f / "red").glob("*.png"))[1:]], "'red' (1) has fewer"),
    (lambda f: [shutil.rmtree(f / c) for c in ("red", "green", "blue")], "no class folder with images"),
])
def test_a_folder_that_cannot_be_compared_is_one_sentence(folders, change, message):
    change(folders)
    with pytest.raises(ResNeXtError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        labelled_files(folders)
    assert "\n" not in str(err.value)


def test_not_a_folder(tmp_path):
    with pytest.raises(ResNeXtError, match="is not a folder"):
        labelled_files(tmp_path / "nothing")


def test_zip_members_are_labelled_by_their_folder():
    files = [("z/a/1.png", b"1"), ("z/a/2.png", b"2"), ("z/b/3.png", b"3"), ("z/b/4.png", b"4"), ("loose.png", b"5")]
    folders = {"z/a/1.png": "a", "z/a/2.png": "a", "z/b/3.png": "b", "z/b/4.png": "b"}
    data = labelled_members(files, folders)
    assert data.classes == ("a", "b") and list(data.labels) == [0, 0, 1, 1]
    assert [n for n, _ in data.skipped] == ["loose.png"]
