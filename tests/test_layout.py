"""The library's floors: each part imports only what its package docstring allows.

An AST walk over ``resnext/`` resolves every import (relative ones included, wherever they sit
in a module) and checks it against the table below, the same rules the ``__init__`` docstrings
state. Imports under ``if TYPE_CHECKING:`` are types, not dependencies, and are skipped.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from tests.served import ROOT

LIBRARY = ROOT / "resnext"
CORE = {path.stem for path in LIBRARY.glob("*.py") if path.stem != "__init__"}
PARTS = sorted(p.name for p in LIBRARY.iterdir() if (p / "__init__.py").exists())
FOREIGN = ("resnext_app", "streamlit", "pages", "app")

# part → the parts of the library it may import, besides itself and the core
ALLOWED = {
    "core": set(),
    "explain": set(),
    "bulk": set(),
    "published": set(),
    "transfer": {"bulk"},
    "stress": {"bulk"},
    "export": {"bulk", "published"},  # the catalog carries the published figures and the synset ids
    "cli": set(PARTS),  # the command line stands above every part: the front end of each
}
# published needs no weights: of the core, only these
PUBLISHED_CORE = {"catalog", "errors"}


def _part(module: str) -> str:
    """``resnext.explain.gradcam`` → ``explain``; a core module → ``core``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in PARTS) else "core"


def _module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, root: Path) -> list[str]:
    """Absolute names of everything ``path`` imports at run time."""
    tree = ast.parse(path.read_text())
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
    names = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            # ``from . import x`` and ``from .pkg import sub`` may name modules: count each name too
            names += [stem] + [f"{stem}.{a.name}" for a in node.names]
    return names


def _violations(library: Path = LIBRARY) -> list[str]:
    found = []
    for path in sorted(library.rglob("*.py")):
        module = _module_name(path, library.parent)
        part = _part(module)
        for name in _imports(path, library.parent):
            top = name.split(".")[0]
            if top in FOREIGN:
                found.append(f"{module} imports {name}: the library knows no front end")
                continue
            if top != "resnext" or name == "resnext":
                continue
            target = _part(name)
            parts_ok = ALLOWED[part] | {part}
            if target != "core" and target not in parts_ok and target in PARTS:
                found.append(f"{module} imports {name}: {part} may not import {target}")
            elif part == "published" and target == "core" and name.count(".") >= 1 \
                    and name.split(".")[1] in CORE and name.split(".")[1] not in PUBLISHED_CORE:
                found.append(f"{module} imports {name}: published may import only {sorted(PUBLISHED_CORE)}")
    return found


def test_every_part_imports_only_what_its_docstring_allows():
    assert set(PARTS) == set(ALLOWED) - {"core"}, "a new part needs its row in ALLOWED and its docstring"
    assert not _violations(), "\n".join(_violations())


def test_every_part_says_what_it_is_for_and_what_it_may_import():
    for part in PARTS:
        doc = ast.get_docstring(ast.parse((LIBRARY / part / "__init__.py").read_text())) or ""
        assert "May import" in doc, part


def _with_probe(tmp_path: Path, part: str, source: str) -> Path:
    """A copy of the library with one more module in ``part``."""
    library = tmp_path / "resnext"
    shutil.copytree(LIBRARY, library, ignore=shutil.ignore_patterns("__pycache__"))
    (library / part / "_layout_probe.py").write_text(source)
    return library


@pytest.mark.parametrize("source, message", [
    ("import streamlit\n", "knows no front end"),
    ("from resnext_app import models\n", "knows no front end"),
    ("from ..explain.gradcam import LAYERS\n", "bulk may not import explain"),
    ("def f():\n    from resnext.published import references\n", "bulk may not import published"),
])
def test_a_wrong_import_is_caught(source, message, tmp_path):
    assert any(message in v for v in _violations(_with_probe(tmp_path, "bulk", source)))


def test_a_typing_import_is_not_a_dependency(tmp_path):
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..classifier import Classifier\n"
    assert not _violations(_with_probe(tmp_path, "published", source))


def _cycles(library: Path = LIBRARY) -> list[list[str]]:
    """Runtime import cycles between the library's modules (imports inside functions count)."""
    modules = {_module_name(p, library.parent): p for p in library.rglob("*.py")}
    graph = {m: {n for n in _imports(p, library.parent) if n in modules and n != m and not n.endswith("__init__")
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


def test_no_module_is_over_400_lines():
    modules = [*LIBRARY.rglob("*.py"), *(ROOT / "resnext_app").rglob("*.py")]
    long = {str(p.relative_to(ROOT)): n for p in modules if (n := len(p.read_text().splitlines())) > 400}
    assert not long, f"split these by concern: {long}"
