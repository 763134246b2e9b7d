"""The library's parts and the one direction between them: which part may import which.

The rules are the table [`ALLOWED`][resnext.layout.ALLOWED]; [`violations`][resnext.layout.violations]
walks the code's imports (an AST walk over ``resnext/``: relative imports resolved, imports inside
functions counted, those under ``if TYPE_CHECKING:`` skipped, since they are types, not dependencies)
and lists each that breaks them. ``tests/test_layout.py`` holds the code to the table and the
architecture page draws it (``docs/hooks.py``); the subpackages' docstrings say the same in words.

A part is a subpackage of ``resnext``. The modules at the top of the package (``errors``,
``environment``, this one) are the ``base``: every part may import it, and it imports no part.
The package's own ``__init__`` (``resnext``, the public face) imports only the catalog at once and
the rest of ``resnext.__all__`` on first use, so ``import resnext`` stays cheap.

This module reads source files and imports only the standard library: the manual's build needs no
test runner and no torch.
"""

from __future__ import annotations

import ast
from pathlib import Path

__all__ = ["ALLOWED", "BASE", "FACE", "FOREIGN", "LIBRARY", "edges", "imports", "module_name", "part_of", "parts",
           "violations"]

LIBRARY = Path(__file__).resolve().parent
BASE = "base"
FACE = "resnext"
FOREIGN = ("resnext_app", "streamlit", "pages", "app")
"""Front ends: the library imports none of them."""

_CORE = {"catalog", "weights", "machine", "inference"}
ALLOWED: dict[str, set[str]] = {
    FACE: {"catalog"},
    BASE: set(),
    # the core: what a variant is, where its weights come from, what a machine affords, and inference
    "catalog": set(),
    "weights": {"catalog"},
    "machine": {"catalog"},
    "inference": {"catalog", "weights", "machine"},
    # the parts above the core
    "published": {"catalog"},  # what others measured needs no weights and no torch
    "explain": {"catalog", "inference"},
    # the catalog carries synsets, figures and the attribution methods' names
    "export": {"catalog", "weights", "inference", "bulk", "published", "explain"},
    "bulk": {"catalog", "inference"},
    "transfer": {"catalog", "weights", "inference", "bulk"},
    "stress": {"catalog", "inference", "bulk"},
    # the command line stands above every part: the front end of each
    "cli": _CORE | {"published", "explain", "export", "bulk", "transfer", "stress"},
}
"""Each part → the parts it may import, besides itself and the base."""


def parts(library: Path = LIBRARY) -> list[str]:
    """The subpackages of the library, by name."""
    return sorted(p.name for p in library.iterdir() if (p / "__init__.py").exists())


def part_of(module: str, library: Path = LIBRARY) -> str:
    """The part a module belongs to: ``resnext.inference.engine`` → ``inference``, ``resnext.errors`` → ``base``.

    Args:
        module: A dotted name under ``resnext``.
        library: The package's folder, to tell a subpackage from a top module.

    Returns:
        The subpackage's name, [`BASE`][resnext.layout.BASE] or [`FACE`][resnext.layout.FACE].
    """
    names = module.split(".")
    if len(names) == 1:
        return FACE
    return names[1] if (library / names[1] / "__init__.py").exists() else BASE


def module_name(path: Path, root: Path) -> str:
    """``root/resnext/inference/engine.py`` → ``resnext.inference.engine`` (a package by its ``__init__``)."""
    names = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(names[:-1] if names[-1] == "__init__" else names)


def imports(path: Path, root: Path) -> list[str]:
    """Absolute names of everything a module imports at run time.

    Args:
        path: The module's file.
        root: The folder that holds the package (the import root).

    Returns:
        Each imported module, and for ``from X import a`` also ``X.a`` (``a`` may be a module).
    """
    tree = ast.parse(path.read_text())
    module = module_name(path, root)
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
            names += [stem] + [f"{stem}.{a.name}" for a in node.names]
    return names


def _library_imports(library: Path) -> list[tuple[str, str, str]]:
    """(importing module, its part, imported name) for every import of the library."""
    found = []
    for path in sorted(library.rglob("*.py")):
        module = module_name(path, library.parent)
        found += [(module, part_of(module, library), name) for name in imports(path, library.parent)]
    return found


def violations(library: Path = LIBRARY) -> list[str]:
    """Every import that breaks [`ALLOWED`][resnext.layout.ALLOWED] or reaches a front end, as a sentence."""
    found = []
    for module, part, name in _library_imports(library):
        top = name.split(".")[0]
        if top in FOREIGN:
            found.append(f"{module} imports {name}: the library knows no front end")
        elif top == "resnext" and name != "resnext":
            target = part_of(name, library)
            if target not in ALLOWED.get(part, set()) | {part, BASE}:
                found.append(f"{module} imports {name}: {part} may not import {target}")
    return found


def edges(library: Path = LIBRARY) -> set[tuple[str, str]]:
    """The pairs of parts (importer, imported) that the code's imports join, the base left out."""
    pairs = set()
    for _, part, name in _library_imports(library):
        if name.startswith("resnext.") and (target := part_of(name, library)) not in (part, BASE):
            pairs.add((part, target))
    return pairs
