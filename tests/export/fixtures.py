"""Where the browser edition's fixtures live, and the catalog they are computed from: one place for every
fixture writer under ``tests/export/``."""

from __future__ import annotations

from tests.served import ROOT

FOLDER = ROOT / "web" / "test" / "fixtures"
CATALOG = ROOT / "web" / "public" / "models" / "catalog.json"
