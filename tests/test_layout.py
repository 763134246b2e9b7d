"""The library's floors: each part imports only what the table of directions allows, and says so.

The table and the import walk are [`resnext.layout`][]'s (the manual's architecture page draws the
same table); these tests hold the code to it, with no exceptions, and prove the walk catches what
it should.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from resnext import layout
from tests.served import ROOT

LIBRARY = layout.LIBRARY


def test_every_part_imports_only_what_the_table_allows():
    assert set(layout.parts()) == set(layout.ALLOWED) - {layout.BASE, layout.FACE}, \
        "a new part needs its row in resnext.layout.ALLOWED and its docstring"
    assert not layout.violations(), "\n".join(layout.violations())


def test_the_directions_run_one_way():
    """No two parts may import each other, through any chain of allowed imports."""
    def reach(part: str, seen: frozenset = frozenset()) -> set[str]:
        assert part not in seen, f"the table lets {part} import itself through {sorted(seen)}"
        return {p for q in layout.ALLOWED[part] for p in {q} | reach(q, seen | {part})}

    for part in layout.ALLOWED:
        reach(part)
    assert all(layout.BASE not in allowed for allowed in layout.ALLOWED.values()), "the base is implicit"


def _may_import(part: str) -> str:
    doc = ast.get_docstring(ast.parse((LIBRARY / part / "__init__.py").read_text())) or ""
    return next((p for p in doc.split("\n\n") if p.startswith("May import")), "")


@pytest.mark.parametrize("part", layout.parts())
def test_every_part_says_what_it_is_for_and_what_the_table_lets_it_import(part):
    said = _may_import(part)
    assert said, f"resnext/{part}/__init__.py says nothing beginning 'May import'"
    named = set(re.findall(r"``resnext\.(\w+)``", said)) & set(layout.parts())
    if "the whole library" in said:
        named = set(layout.parts()) - {part}
    assert named == layout.ALLOWED[part], f"{part}'s docstring names {sorted(named)}"


def _with_probe(tmp_path: Path, part: str, source: str) -> Path:
    """A copy of the library with one more module in ``part``."""
    library = tmp_path / "resnext"
    shutil.copytree(LIBRARY, library, ignore=shutil.ignore_patterns("__pycache__"))
    (library / part / "_layout_probe.py").write_text(source)
    return library


@pytest.mark.parametrize("part, source, message", [
    ("bulk", "import streamlit\n", "knows no front end"),
    ("bulk", "from resnext_app import models\n", "knows no front end"),
    ("bulk", "from ..explain.gradcam import LAYERS\n", "bulk may not import explain"),
    ("bulk", "def f():\n    from resnext.published import references\n", "bulk may not import published"),
    ("published", "from ..weights.hub import hub_repo\n", "published may not import weights"),
    ("catalog", "from ..inference.image import load_image\n", "catalog may not import inference"),
    ("weights", "from ..machine import memory\n", "weights may not import machine"),
])
def test_a_wrong_import_is_caught(part, source, message, tmp_path):
    assert any(message in v for v in layout.violations(_with_probe(tmp_path, part, source)))


def test_a_typing_import_is_not_a_dependency(tmp_path):
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..inference.classifier import Classifier\n"
    assert not layout.violations(_with_probe(tmp_path, "published", source))


def _cycles(library: Path = LIBRARY) -> list[list[str]]:
    """Runtime import cycles between the library's modules (imports inside functions count)."""
    modules = {layout.module_name(p, library.parent): p for p in library.rglob("*.py")}
    graph = {m: {n for n in layout.imports(p, library.parent) if n in modules and n != m
                 and modules[n].name != "__init__.py"}
             for m, p in modules.items()}
    found, state, stack = [], {}, []

    def visit(m: str) -> None:
        state[m] = "open"
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == "open":
                found.append(stack[stack.index(n):] + [n])
            elif n not in state:
                visit(n)
        stack.pop()
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m)
    return found


def test_no_module_imports_one_that_imports_it_back():
    assert not _cycles(), "\n".join(" → ".join(c) for c in _cycles())


def test_a_cycle_through_a_function_level_import_is_caught(tmp_path):
    library = _with_probe(tmp_path, "bulk", "def f():\n    from . import _layout_probe_b\n")
    (library / "bulk" / "_layout_probe_b.py").write_text("from . import _layout_probe\n")
    assert any("resnext.bulk._layout_probe" in c for c in _cycles(library))


def test_the_top_of_the_package_keeps_only_the_base():
    top = sorted(p.stem for p in LIBRARY.glob("*.py") if p.stem != "__init__")
    assert len(top) <= 6, f"put these in a part: {top}"


def test_no_module_is_over_400_lines():
    modules = [*LIBRARY.rglob("*.py"), *(ROOT / "resnext_app").rglob("*.py")]
    long = {str(p.relative_to(ROOT)): n for p in modules if (n := len(p.read_text().splitlines())) > 400}
    assert not long, f"split these by concern: {long}"
