"""Every import is declared in the group that installs it, and every declared package is imported.

deptry reads one pyproject at a time, so each group is checked against a generated one: the
group's own packages are its dependencies (an unused one fails, DEP002), the runtime packages
are allowed everywhere (they come with every install), and in the runtime run the other groups
are development groups (an import of one from runtime code fails, DEP004). A module that no
group declares fails as DEP001, one that only arrives through another package as DEP003.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.served import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RAY_CODE = "resnext/bulk/distributed.py"
EXPORT_CODE = ("resnext/export/graph.py", "resnext/export/gradient.py")  # the modules that import onnx
FIRST_PARTY = ["resnext", "resnext_app", "tests", "benchmarks"]
# a pytest plugin, this test's own tool, and the manual's plugins (mkdocs.yml names them)
RUN_NOT_IMPORTED = ["pytest-timeout", "deptry", "mkdocs-material", "mkdocstrings"]

# group → the code it serves
CHECKS = {
    "dependencies": ["resnext", "resnext_app", "pages", "app.py"],
    "ray": [RAY_CODE],
    "export": list(EXPORT_CODE),
    "test": ["tests"],
    "bench": ["benchmarks"],
    "scripts": ["scripts"],
    "docs": ["docs/hooks.py"],
}
# Distributions whose module has another name, for when they are not installed (scripts' extra).
MODULE_NAMES = {"scikit-image": "skimage", "axe-playwright-python": "axe_playwright_python",
                "opencv-python-headless": "cv2"}


def _names(requirements: list[str]) -> list[str]:
    return [Requirement(r).name for r in requirements]


def _toml_list(values: list[str]) -> str:
    return json.dumps(values)


def _config(group: str, folder: Path) -> Path:
    runtime = PROJECT["dependencies"]
    extras = PROJECT["optional-dependencies"]
    if group == "dependencies":
        regular, dev = runtime, {name: extras[name] for name in extras}
        ignores = ""
    else:
        regular, dev = runtime + extras[group], {}
        # The runtime group is checked in its own run.
        ignores = f"DEP002 = {_toml_list(_names(runtime) + RUN_NOT_IMPORTED)}"
    text = [
        "[project]", 'name = "dependency-check"', 'version = "0"', f"dependencies = {_toml_list(regular)}",
        "[project.optional-dependencies]", *(f"{name} = {_toml_list(reqs)}" for name, reqs in dev.items()),
        "[tool.deptry]", f"known_first_party = {_toml_list(FIRST_PARTY)}",
        f"optional_dependencies_dev_groups = {_toml_list(list(dev))}",
        "[tool.deptry.package_module_name_map]", *(f'"{d}" = "{m}"' for d, m in MODULE_NAMES.items()),
        "[tool.deptry.per_rule_ignores]", ignores,
    ]
    path = folder / group / "pyproject.toml"
    path.parent.mkdir()
    path.write_text("\n".join(text) + "\n")
    return path


def _roots(paths: list[str], folder: Path) -> list[str]:
    """deptry scans folders: single files are scanned as copies in a folder of their own."""
    files = folder / "files"
    for path in paths:
        if Path(ROOT, path).is_file():
            files.mkdir(exist_ok=True)
            shutil.copy(ROOT / path, files)
    return [p for p in paths if Path(ROOT, p).is_dir()] + ([str(files)] if files.exists() else [])


def _deptry(group: str, paths: list[str], folder: Path, exclude: tuple[str, ...] = ()) -> list[str]:
    """deptry's findings for code checked against a group, one line each."""
    config = _config(group, folder)
    report = folder / "report.json"
    excludes = [arg for pattern in (r".*/__pycache__", *exclude) for arg in ("-e", pattern)]  # not deptry's
    done = subprocess.run(  # defaults, which skip tests/
        [sys.executable, "-m", "deptry", *_roots(paths, folder), "--config", str(config), *excludes, "--no-ansi",
         "-o", str(report)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert report.exists(), done.stderr
    return [f"{i['location']['file']}: {i['error']['code']} {i['error']['message']}"
            for i in json.loads(report.read_text())]


@pytest.mark.parametrize("group", list(CHECKS))
def test_imports_match_the_declared_group(group, tmp_path):
    exclude = tuple(c.replace(".", r"\.") for c in (RAY_CODE, *EXPORT_CODE)) if group == "dependencies" else ()
    found = _deptry(group, CHECKS[group], tmp_path, exclude)
    assert not found, "\n".join(found)


def test_an_undeclared_or_misplaced_import_fails(tmp_path):
    code = tmp_path / "code"
    code.mkdir()
    (code / "module.py").write_text("import hypothesis\nimport timm\nimport not_a_package_anywhere\n")
    found = "\n".join(_deptry("dependencies", [str(code)], tmp_path))
    assert "DEP004 'hypothesis'" in found and "DEP004 'timm'" in found  # test packages in runtime code
    assert "DEP001 'not_a_package_anywhere'" in found


def test_every_extra_is_checked():
    assert set(PROJECT["optional-dependencies"]) == set(CHECKS) - {"dependencies"}
