"""The manual builds with ``mkdocs build --strict``, and every figure in it is its benchmark's JSON.

No table of measurements is typed into the Markdown: pages name a JSON file under ``assets/`` with
``<!-- figures: NAME -->`` and the build draws the table (``benchmarks/figures.py``). These tests
build the site and read the figures back off the pages.
"""

from __future__ import annotations

import html
import importlib.util
import json
import re
import subprocess
import sys

import pytest

from benchmarks import figures
from tests.served import ROOT, unless_in_ci

DOCS = ROOT / "docs"
MEASURED_CELL = re.compile(r"\|\s*~?[\d.,]+\s*(ms|s|MB|GB|x|img/s|images/s|GFLOP/s)\s*(?=\|)")
pytestmark = unless_in_ci(__import__("importlib").util.find_spec("mkdocs") is None,
                          "mkdocs is not installed (pip install -e .[docs])")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, env={**__import__("os").environ,
                                                                          "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def _text(site, page: str) -> str:
    raw = (site / page / "index.html").read_text()
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", raw)))


def test_no_measurement_is_typed_into_the_manual_or_the_readme():
    for path in [*DOCS.glob("*.md"), ROOT / "README.md"]:
        typed = [line for line in path.read_text().splitlines() if line.startswith("|") and MEASURED_CELL.search(line)]
        assert not typed, f"{path.name} types measurements; draw them from a benchmark's JSON: {typed[:2]}"


def test_the_hosting_page_says_what_runs_where_as_the_static_spaces_footer_does(site):
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    page = _text(site, "hosting")
    rows = hooks.where_rows()["rows"]  # the rows the footer draws (tests/web/test_races.py compares them)
    assert rows and all(" ".join(filter(None, (r["what"], r["where"], r["why"]))) in page for r in rows)


def test_every_figure_on_the_pages_is_its_jsons(site):
    latency = figures.load("latency")
    page = _text(site, "performance")
    for vid, v in latency["variants"].items():
        assert f"{vid} {v['default_ms']:.1f} {v['fast_ms']:.1f}" in page
    assert latency["date"] in page and latency["cpu"] in page and ", ".join(latency["isa"]) in page
    explain = figures.load("explain_cost")
    page = _text(site, "explanations")
    for vid, costs in explain["variants"].items():
        assert f"{vid} " + " ".join(f"{s:.3f}" for s in costs.values()) in page
    stress = figures.load("stress_cost")
    page = _text(site, "stress")
    assert all(f"{name} {s:.4f}" in page for name, s in stress["corruptions"].items())
    transfer = figures.load("transfer_cost")
    assert f"{transfer['decode_ms']:.1f} ms" in _text(site, "your-classes")
    e2e = figures.load("e2e_speed")
    page = _text(site, "performance")
    assert all(f"{r['images']} {r['pipeline']} {r['total_ms']:.1f} {r['decode_ms']:.1f}" in page for r in e2e["rows"])
    bulk = figures.load("bulk_speed")
    page = _text(site, "cli")
    assert all(f"{r['megapixels']} MP {r['timm_per_s']:.2f} {r['ours_per_s']:.2f}" in page for r in bulk["rows"])
    web = figures.load("web_speed")
    if web is not None:
        page = _text(site, "hosting")
        assert all(f"{r['variant']} {r['first_visit_s']:.2f} {r['web_ms']:.0f}" in page for r in web["rows"])
    photos = figures.load("web_photos")
    if photos is not None:
        page = _text(site, "hosting")
        for fmt in {c["format"] for c in photos["cases"]}:
            cases = [c for c in photos["cases"] if c["format"] == fmt]
            agree = sum(c["outcome"] == "agrees" for c in cases)
            assert f"{fmt} {len(cases)} {agree} " in page
        assert all(f"{c['case']} {c['detail']}" in page for c in photos["cases"] if c["outcome"] == "page refuses")
        assert ", ".join(f"{n} {outcome}" for outcome, n in photos["totals"].items()) in page
        assert photos["date"] in page and photos["browser"] in page


def test_a_table_follows_its_json_and_says_when_there_is_none(tmp_path):
    data = json.loads((ROOT / "assets" / "stress_cost.json").read_text())
    data["corruptions"]["fog"] = 12.3456
    (tmp_path / "stress_cost.json").write_text(json.dumps(data))
    assert "| `fog` | 12.3456 |" in figures.render("stress_cost", tmp_path)
    assert figures.render("web_speed", tmp_path).startswith("*Not measured yet: run `python -m benchmarks.web`")
    photos = json.loads((ROOT / "assets" / "web_photos.json").read_text())
    photos["cases"].append({"format": "JPEG", "case": "new.jpg", "outcome": "disagrees", "rgb_max": 7, "top5_dp": None,
                            "detail": "RGB 7/255"})
    (tmp_path / "web_photos.json").write_text(json.dumps(photos))
    drawn = figures.render("web_photos", tmp_path)
    jpeg = [c for c in photos["cases"] if c["format"] == "JPEG"]
    row = next(line for line in drawn.splitlines() if line.startswith("| JPEG |"))
    assert row.startswith(f"| JPEG | {len(jpeg)} | {sum(c['outcome'] == 'agrees' for c in jpeg)} |")
    assert row.endswith("| 1 |")  # the new case, which disagrees


def test_the_generated_pages_follow_the_code(site):
    from resnext.cli import parser
    from resnext.environment import VARIABLES
    from resnext.layout import ALLOWED

    cli = _text(site, "cli")
    commands = next(a for a in parser()._actions if hasattr(a, "choices") and isinstance(a.choices, dict)).choices
    for name, sub in commands.items():
        assert f"resnext {name}" in cli
        assert all(o in cli for action in sub._actions for o in action.option_strings if o not in ("-h", "--help"))
    environment = _text(site, "environment")
    assert all(v.name in environment for v in VARIABLES)
    architecture = (site / "architecture" / "index.html").read_text()
    assert "mermaid" in architecture and all(f"<code>{part}</code>" in architecture for part in ALLOWED)


def test_the_api_reference_links_its_names_and_shows_no_raw_reference(site):
    import resnext

    page = (site / "api" / "index.html").read_text()
    assert all(f'id="resnext.{name}"' in page for name in resnext.__all__)
    raw = re.findall(r"\[<code>[^<]*</code>\]\[[^\]]*\]|:(?:func|class|mod|meth|data|attr):", page)
    assert not raw, f"cross-references shown as text: {raw}"
    assert 'href="#resnext.Classifier.batch"' in page  # a docstring's reference became a link
