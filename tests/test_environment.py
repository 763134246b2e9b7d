"""One table names every environment variable: the code reads each name from it, and nothing reads a name it lacks."""

from __future__ import annotations

import re

from resnext import environment
from resnext.environment import VARIABLES
from tests.served import ROOT

CODE = [*(ROOT / "resnext").rglob("*.py"), *(ROOT / "resnext_app").rglob("*.py"), *(ROOT / "pages").glob("*.py"),
        ROOT / "app.py", *(ROOT / "scripts").glob("*"), ROOT / "Dockerfile"]


def _text(path) -> str:
    return "" if path.name == "environment.py" or path.is_dir() else path.read_text(errors="ignore")


def test_every_variable_the_code_names_is_in_the_table():
    named = {name for path in CODE for name in re.findall(r"\bRESNEXT_[A-Z0-9_]+", _text(path))}
    # what the start script reads from the environment, with its default: ``${PORT:-8501}``
    named |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):-", _text(ROOT / "scripts" / "start.sh")))
    assert named <= {v.name for v in VARIABLES}, sorted(named - {v.name for v in VARIABLES})


def test_every_variable_in_the_table_is_read_through_it():
    code = "\n".join(_text(p) for p in CODE)
    for attribute, v in vars(environment).items():
        if isinstance(v, environment.Variable):
            read = f"environment.{attribute}" in code if v.reader != "start" else v.name in code
            assert read, f"{v.name} is in the table but nothing reads it through the table"
    assert len({v.name for v in VARIABLES}) == len(VARIABLES)
