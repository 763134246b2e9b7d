"""The public names: every name a package offers in ``__all__`` can be imported, and ``import resnext`` stays cheap."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys

import pytest

import resnext
from resnext import layout
from tests.served import ROOT

PACKAGES = ["resnext", *(f"resnext.{part}" for part in layout.parts())]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_name_of_all_imports(package):
    module = importlib.import_module(package)
    assert module.__all__, f"{package} offers nothing"
    for name in module.__all__:
        # ``from package import name`` also finds a submodule that is not yet imported
        exec(f"from {package} import {name}", {})


def test_the_readme_s_call_is_where_it_was():
    assert resnext.load_classifier.__module__ == "resnext.inference.classifier"
    assert resnext.get_variant("ssl_resnext50_32x4d").id == "ssl_resnext50_32x4d"


def test_importing_the_package_loads_no_torch():
    code = "import sys, resnext; resnext.list_variants(); print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def test_the_api_reference_shows_every_public_name_under_its_public_name():
    reference = (ROOT / "docs" / "api.md").read_text()
    shown = set(re.findall(r"^::: resnext\.(\w+)$", reference, flags=re.M))
    assert not set(resnext.__all__) - shown, f"docs/api.md lacks {sorted(set(resnext.__all__) - shown)}"


def test_the_changelog_names_homes_that_exist_and_old_paths_that_are_gone():
    text = (ROOT / "CHANGELOG.md").read_text()
    first = text.split("## ")[2]  # the newest entry
    rows = re.findall(r"^\| `(resnext\.[\w.]+)`[^|]*\| `(resnext\.[\w.]+)`", first, flags=re.M)
    assert len(rows) >= 19
    for old, new in rows:
        try:
            importlib.import_module(new)
        except ModuleNotFoundError:  # a name, not a module
            module, _, name = new.rpartition(".")
            assert hasattr(importlib.import_module(module), name), new
        if old.count(".") == 1:
            assert not (ROOT / f"{old.replace('.', '/')}.py").exists(), f"{old} still exists"
