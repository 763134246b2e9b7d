"""The manual renders as written and states what the code does.

- Lists render as lists: Python-Markdown makes a paragraph of a list that follows text without a
  blank line, and flattens items nested by fewer than four spaces.
- A limit a page states is the code's constant: pages write them through
  ``<!-- constant: module.NAME -->`` markers, and the phrases that state one are read back and
  compared with the constant (the README, which GitHub and the Hub render as it is, included).
- Each page says what it is for in its first sentence, and a page whose tables or figures are
  generated says so where GitHub shows it (GitHub shows the markers as nothing).
- Every module path (``resnext.x.y``) and test file (``tests/….py``) a page names exists.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Callable
from pathlib import Path

import yaml

from tests.served import ROOT

DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
ITEM = re.compile(r"^( *)([-*+]|\d+[.)]) ")


def list_problems(text: str) -> list[str]:
    """Where a Markdown text's lists would not render as lists.

    Args:
        text: The page, front matter included.

    Returns:
        One line per problem: a list item straight after a paragraph's line, or nested by a
        number of spaces that is not a multiple of four.
    """
    lines = text.split("\n")
    if lines[0] == "---":  # YAML front matter (the README's) is no Markdown
        lines = [""] * (lines.index("---", 1) + 1) + lines[lines.index("---", 1) + 1:]
    problems, fence = [], False
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("```"):
            fence = not fence
        item = ITEM.match(line)
        if fence or not item:
            continue
        before = lines[number - 2] if number > 1 else ""
        if before.strip() and not ITEM.match(before) and not before.startswith((" ", "<!--")):
            problems.append(f"line {number}: a list straight after a paragraph needs a blank line before it")
        if len(item.group(1)) % 4:
            problems.append(f"line {number}: nested by {len(item.group(1))} spaces; nest by four")
    return problems


def test_lists_render_as_lists():
    for page in PAGES:
        assert list_problems(page.read_text()) == [], page.name


def test_the_list_check_catches_both_defects():
    assert list_problems("Text:\n- one\n- two\n") == [
        "line 2: a list straight after a paragraph needs a blank line before it"]
    assert list_problems("- one\n  - nested\n") == ["line 2: nested by 2 spaces; nest by four"]
    assert list_problems("Text:\n\n- one\n    - nested\n      more\n\n```\n- code\n```\n") == []


def rendered(text: str) -> str:
    """The page with its constant markers replaced as the build replaces them (``docs/hooks.py``)."""
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    return re.sub(r"<!-- constant: ([\w.]+) -->", lambda m: hooks.constant(m.group(1)), text)


def _const(path: str) -> Callable[[], object]:
    def read() -> object:
        module, _, name = path.rpartition(".")
        return getattr(importlib.import_module(module), name)
    return read


def _size(path: str) -> Callable[[], object]:
    def read() -> object:
        from resnext.catalog.variant import format_bytes

        return format_bytes(_const(path)())
    return read


def _faithfulness_steps() -> object:
    import inspect

    from resnext.explain.fidelity import faithfulness

    return inspect.signature(faithfulness).parameters["steps"].default


def _occlusion_side() -> object:
    from resnext.catalog.index import get_variant
    from resnext.explain.attribution import occlusion_window

    return occlusion_window(get_variant("swsl_resnext50_32x4d").image_size)[0]  # every variant's crop is 224


# How the pages state a limit of the code: a phrase whose group is the number, and the constant it must be.
# A constant that a marker can write must not be typed in docs/ (the README, not built, types them all).
LIMITS: list[tuple[str, Callable[[], object]]] = [
    (r"upload limit of (\d+) MB", _const("resnext_app.bulk.MAX_UPLOAD_MB")),
    (r"(\d+) MB per file", _const("resnext_app.bulk.MAX_UPLOAD_MB")),
    (r"capped at (\d+) MB", _const("resnext_app.images.PHOTO_MB")),
    (r"(\d+) images per batch", _const("resnext_app.bulk.MAX_IMAGES")),
    (r"(\d+) GB unpacked", lambda: _const("resnext_app.bulk.MAX_UNPACKED")() // 10**9),
    (r"batches of (\d+) through the engine", _const("resnext.explain.fidelity.CHUNK")),
    (r"(\d+) steps,? (?:with )?\d+ images per backward", _const("resnext.explain.methods.IG_STEPS")),
    (r"(\d+) images per backward", _const("resnext.explain.attribution.IG_BATCH")),
    (r"moved by half its width, (\d+) per batch", _const("resnext.explain.attribution.OCCLUSION_PER_EVAL")),
    (r"the default (\d+) steps", _faithfulness_steps),
    (r"in\s+(\d+) steps, and follows", _faithfulness_steps),
    (r"of (\d+) points each", lambda: _faithfulness_steps() + 1),
    (r"a seventh of the crop wide \((\d+) px\)", lambda: _occlusion_side()),
    (r"`RESNEXT_MAX_UPLOAD_GB` \(([\d.]+) GB", _const("resnext_app.budget.DEFAULT_GB")),
    (r"`RESNEXT_FEATURE_CACHE_MB` \(default (\d+)", _const("resnext.transfer.features.DEFAULT_CACHE_MB")),
    (r"([\d.]+ [kMG]B) for the default model's weights", _size("resnext_app.downloads.DEFAULT_MODEL_BYTES")),
    (r"([\d.]+ [kMG]B)\s+for Side by side's three", _size("resnext_app.downloads.SIDE_BY_SIDE_BYTES")),
    (r"([\d.]+ [kMG]B) for every variant", _size("resnext_app.downloads.ALL_VARIANTS_BYTES")),
    (r"the default model's weights \(SWSL ResNeXt-50 32x4d\) \| ([\d.]+ [kMG]B) \|",
     _size("resnext_app.downloads.DEFAULT_MODEL_BYTES")),
    (r"Side by side's defaults \([^)]*\) \| ([\d.]+ [kMG]B) \|", _size("resnext_app.downloads.SIDE_BY_SIDE_BYTES")),
    (r"\| every variant \| ([\d.]+ [kMG]B) \|", _size("resnext_app.downloads.ALL_VARIANTS_BYTES")),
]


def limit_problems(text: str) -> list[str]:
    """Every limit a (rendered) page states that differs from the code's constant.

    Args:
        text: A page after its markers are replaced (:func:`rendered`).

    Returns:
        One line per stated limit that is not the constant's value.
    """
    problems = []
    for phrase, read in LIMITS:
        for match in re.finditer(phrase, text):
            stated, value = match.group(1).strip(), read()
            if stated != str(value) and not (isinstance(value, (int, float)) and float(stated) == value):
                problems.append(f"{match.group(0)!r} states {stated}, the code says {value}")
    return problems


def test_every_limit_a_page_states_is_the_codes():
    texts = {page.name: rendered(page.read_text()) for page in PAGES}
    for name, text in texts.items():
        assert limit_problems(text) == [], name
    unread = [phrase for phrase, _ in LIMITS if not any(re.search(phrase, t) for t in texts.values())]
    assert unread == [], "a phrase no page uses any more checks nothing: update LIMITS"


def test_a_page_that_types_another_limit_fails():
    page = rendered((DOCS / "hosting.md").read_text()).replace("an upload limit of 100 MB", "an upload limit of 20 MB")
    assert limit_problems(page) == ["'upload limit of 20 MB' states 20, the code says 100",
                                    "'20 MB per file' states 20, the code says 100"]
    page = rendered((DOCS / "explanations.md").read_text()).replace("batches of 8", "batches of 17")
    assert limit_problems(page) == ["'batches of 17 through the engine' states 17, the code says 8"]


# What no marker writes: a number derived from a constant or a function's default, not a constant itself.
DERIVED = {r"a seventh of the crop wide \((\d+) px\)", r"(\d+) GB unpacked", r"the default (\d+) steps", r"in\s+(\d+) steps, and follows", r"of (\d+) points each"}


def test_limits_are_written_through_markers_not_typed():
    for page in DOCS.glob("*.md"):
        text = page.read_text()  # a limit written through a marker has no number here to match
        typed = [m.group(0) for phrase, _ in LIMITS if phrase not in DERIVED for m in re.finditer(phrase, text)]
        assert typed == [], f"{page.name} types {typed}; write them with <!-- constant: module.NAME -->"


def _first_sentence(page: Path) -> str:
    text = page.read_text()
    body = text.split("\n# ", 1)[1].split("\n\n", 1)[1] if page.name == "README.md" else text.split("\n\n", 1)[1]
    return re.split(r"(?<=[.:])\s", body.strip(), maxsplit=1)[0]


def test_each_page_says_what_it_is_for_first():
    for page in sorted(DOCS.glob("*.md")):
        assert re.match(r"This page (is for|is the) ", _first_sentence(page)), page.name


def test_a_page_with_generated_parts_says_on_github_where_to_read_them():
    site = yaml.safe_load((ROOT / "mkdocs.yml").read_text().split("\nhooks:")[0].replace("!!python", "#"))["site_url"]
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text()
        if not re.search(r"<!-- (generated|figures|constant): |^::: ", text, flags=re.M):  # ::: is mkdocstrings
            continue
        visible = re.sub(r"<!--.*?-->", "", text, flags=re.S)
        assert "generated" in visible and f"<{site}>" in visible, page.name


def test_the_site_leaves_the_hooks_out_and_knows_its_address():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text().split("\nhooks:")[0])
    assert "hooks.py" in config["exclude_docs"] and config["site_url"].startswith("https://")
    assert config["repo_url"].startswith("https://") and config["nav"][0] == {"Get started": "get-started.md"}


def _defined(module: Path) -> set[str]:
    """The names a module's source defines, imports or lists in ``__all__``, read without importing it."""
    body = list(ast.parse(module.read_text()).body)
    names: set[str] = set()
    for node in body:
        if isinstance(node, (ast.If, ast.Try)):  # ``if TYPE_CHECKING:`` names what ``__getattr__`` hands on
            body.extend(node.body)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and node.value is not None:
                names.update(c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant))
    return names


def missing_paths(text: str, root: Path = ROOT) -> list[str]:
    """The module paths and test files a page names that do not exist.

    Args:
        text: The page.
        root: The repository, holding ``resnext/`` and ``tests/``.

    Returns:
        Each ``resnext.a.b[.name]`` whose longest module prefix does not define the next name (or
        that names no module past ``resnext``'s own), and each ``tests/….py`` that is not a file.
    """
    missing = [f for f in re.findall(r"(?<![\w./-])tests/[\w/]+\.py", text) if not (root / f).is_file()]
    for dotted in sorted(set(re.findall(r"(?<![\w./-])resnext(?:\.\w+)+", text))):
        names, module = dotted.split("."), root / "resnext" / "__init__.py"
        depth = 1
        while depth < len(names):
            folder = root.joinpath(*names[:depth + 1])
            if (folder / "__init__.py").is_file():
                module = folder / "__init__.py"
            elif folder.with_suffix(".py").is_file():
                module = folder.with_suffix(".py")
            else:
                break
            depth += 1
        if depth < len(names) and names[depth] not in _defined(module):
            missing.append(dotted)
    return missing


def test_every_module_path_and_test_file_a_page_names_exists():
    for page in [*PAGES, ROOT / "web" / "README.md"]:
        assert not missing_paths(page.read_text()), page.relative_to(ROOT)


def test_the_path_check_catches_moved_modules_and_tests():
    text = "`resnext.preprocess.load_image`, `resnext.catalog.get_variant`, `tests/test_hub.py`, `resnext.hub`"
    assert missing_paths(text) == ["tests/test_hub.py", "resnext.catalog.get_variant", "resnext.hub",
                                   "resnext.preprocess.load_image"]
    assert not missing_paths("`resnext.get_variant`, `resnext.weights.lock.lock_path`, `tests/weights/test_hub.py`")
