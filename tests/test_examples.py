"""Every Python and shell example of the README and the manual runs, as written, on the test checkpoints.

Each page's fenced ``bash`` and ``python`` blocks run in order, in one fresh folder per page that
sees the project's shipped files (``assets/``), with the tiny test variants standing in for the
real ones (``tests/factory.py``; torchvision's two ResNeXt-50s are added here for the examples that
name them). A ``resnext`` command runs in this process (``resnext.cli.main``), any other line in
bash. A block that cannot run here says so in the Markdown, on the line before it:
``<!-- example: skip (why) -->``; a ``text`` block after ``<!-- example: output ... -->`` is what
the block before it prints, and is compared with what it printed here.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.served import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.M | re.S)
MARK = re.compile(r"<!-- example: (skip|output)\b([^>]*)-->\s*$")
RUN = {"bash", "sh", "shell", "python"}


@dataclass
class Block:
    """One fenced block of a page: its language, code, line number and the example marker before it."""

    language: str
    code: str
    line: int
    mark: str | None
    why: str


def blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown text, with the ``<!-- example: ... -->`` marker on the line before each.

    Args:
        text: The page.

    Returns:
        Its blocks, in order; fences indented inside a list item count too.
    """
    text = re.sub(r"^ {4}(?=```)", "", text, flags=re.M)  # a block inside a list item
    found = []
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1].strip()
        mark = MARK.search(before)
        code = re.sub(r"^ {4}", "", match.group(2), flags=re.M) if match.group(2).startswith("    ") else match.group(2)
        found.append(Block(match.group(1), code, text.count("\n", 0, match.start()) + 1,
                           mark.group(1) if mark else None, mark.group(2).strip(" ()") if mark else ""))
    return found


def commands(code: str) -> list[str]:
    """The shell lines of a block, continuation lines joined."""
    lines = code.replace("\\\n", " ").splitlines()
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_every_example_that_cannot_run_here_says_why():
    for page in PAGES:
        for block in blocks(page.read_text()):
            if block.mark == "skip":
                assert block.why, f"{page.name}:{block.line}: say why the example cannot run here"
            if block.language in RUN and block.mark != "skip":
                assert "photo.jpg" not in block.code and "my-classes" not in block.code, \
                    f"{page.name}:{block.line}: use a shipped file (assets/samples/..., assets/your-classes/...)"


def test_the_block_reader_sees_fences_markers_and_list_items():
    text = ("Try:\n\n<!-- example: skip (needs a token) -->\n```bash\nhf auth login\n```\n\n1. Then:\n\n"
            "    ```python\n    print(1)\n    ```\n")
    found = blocks(text)
    assert [(b.language, b.mark, b.why, b.code) for b in found] == [
        ("bash", "skip", "needs a token", "hf auth login\n"), ("python", None, "", "print(1)\n")]
    assert commands("resnext a \\\n  --b\n# note\necho c\n") == ["resnext a    --b", "echo c"]
    assert _same_output("  0.3507  canoe (472)\n", "  0.3512  canoe (472)")
    assert not _same_output("  0.3507  canoe (472)", "  0.3607  canoe (472)")
    assert not _same_output("  0.3507  canoe (472)", "  0.3507  tabby (281)")


@pytest.fixture(scope="module")
def torchvision_index(server, tmp_path_factory) -> Path:
    """A model-index of tiny stand-ins for torchvision's two ResNeXt-50s, which some examples name."""
    import dataclasses

    from resnext.catalog.architecture import build_model
    from resnext.catalog.index import get_variant
    from tests.factory import TINY, _tiny_variant, model_index_entry, random_state_dict, save_checkpoint, \
        write_model_index

    entries = []
    for seed, vid in enumerate(["tv_resnext50_32x4d", "tv2_resnext50_32x4d"]):
        model = build_model(dataclasses.replace(_tiny_variant(vid), family=get_variant(vid).family), device="cpu")
        path = save_checkpoint(random_state_dict(model, seed + 20), server.root, vid)
        entries.append(model_index_entry(vid, get_variant(vid).family, f"{server.base()}/{path.name}", path,
                                         sum(p.numel() for p in model.parameters()), **TINY))
    return write_model_index(tmp_path_factory.mktemp("torchvision") / "torchvision.yaml", entries)


@pytest.fixture
def examples_env(tiny_world, torchvision_index, tmp_path, monkeypatch):
    """The tiny variants, torchvision's among them, on the PyTorch engine (no conversion to wait for), in a new
    folder."""
    monkeypatch.setenv("RESNEXT_MODEL_INDEX", os.pathsep.join([str(tiny_world["index"]), str(torchvision_index)]))
    monkeypatch.setenv("RESNEXT_ENGINE", "torch")
    work = tmp_path / "work"
    work.mkdir()
    (work / "assets").symlink_to(ROOT / "assets")
    monkeypatch.chdir(work)
    return work


def _run_shell(line: str) -> str:
    from resnext.cli import main

    args = shlex.split(line, comments=True)
    if args[0] != "resnext":
        done = subprocess.run(["bash", "-c", line], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{line}: {done.stderr[-2000:]}"
        return done.stdout
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(args[1:])
    assert status == 0, f"{line}: {err.getvalue()[-2000:]}"
    return out.getvalue()


def _same_output(shown: str, printed: str) -> bool:
    """The same lines, probabilities within 2e-3 (another CPU may round the fourth decimal otherwise)."""
    number = re.compile(r"\d+\.\d{4}")
    a, b = shown.strip().splitlines(), printed.strip().splitlines()
    return len(a) == len(b) and all(
        number.sub("#", x) == number.sub("#", y)
        and all(abs(float(p) - float(q)) <= 2e-3 for p, q in zip(number.findall(x), number.findall(y)))
        for x, y in zip(a, b))


@pytest.mark.parametrize("page", [p for p in PAGES if any(b.language in RUN and b.mark != "skip"
                                                           for b in blocks(p.read_text()))], ids=lambda p: p.name)
def test_the_examples_of_the_page_run(page, examples_env):
    import matplotlib

    matplotlib.use("Agg")
    printed = ""
    for block in blocks(page.read_text()):
        if block.mark == "output":
            assert _same_output(block.code, printed), \
                f"{page.name}:{block.line} shows\n{block.code}\nbut it printed\n{printed}"
        if block.language not in RUN or block.mark == "skip":
            continue
        if block.language == "python":
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(block.code, f"{page.name}:{block.line}", "exec"), {"__name__": "__main__"})
            printed = out.getvalue()
        else:
            printed = "".join(_run_shell(line) for line in commands(block.code))
    assert any(examples_env.iterdir())  # something was written where the examples ran
