"""Driving the app with Streamlit's AppTest: helpers every page's tests share (the `app` fixture is in conftest)."""

import html
import re
import subprocess
import sys
from pathlib import Path

import resnext

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SAMPLES = Path(__file__).resolve().parent.parent / "assets" / "samples"


def upload_image(at, name="chelsea.png", data=None, mime="image/png"):
    data = (SAMPLES / name).read_bytes() if data is None else data
    at.file_uploader[0].set_value((name, data, mime))
    return at.run()


def bars(at):
    """The class labels of each top-k bar chart on the page, most likely first."""
    charts = [h.proto.body for h in at.get("html") if 'class="top-k"' in h.proto.body]
    return [[html.unescape(label) for label in re.findall(r'title="(.*?): [\d.]+%"', c)] for c in charts]


def expected_top5(vid, name="chelsea.png"):
    return [p.label for p in resnext.load_classifier(vid).predict(SAMPLES / name)]


def pick(at, key, vid):
    """Choose a variant in a single picker (the pill group of its family)."""
    family = resnext.get_variant(vid).family
    return at.pills(key=f"{key}__{family}").set_value(vid).run()


def chosen(at, key):
    """The variants a multi picker shows as chosen, in catalog order."""
    return [v for b in at.get("button_group") if (b.key or "").startswith(f"{key}__") for v in b.value]


def figures(at):
    """The captions of the pictures drawn as HTML figures (the Grad-CAM overlay and heatmap)."""
    return [html.unescape(c) for h in at.get("html") for c in re.findall(r"<figcaption[^>]*>(.*?)</figcaption>", h.proto.body)]


def displayed(element):
    """A styled dataframe's cells as the page shows them (text), not the numbers behind them."""
    import pyarrow as pa

    return pa.ipc.open_stream(element.proto.arrow_data.styler.display_values).read_pandas()


def working_on(at):
    return [m.value for m in at.markdown if m.value.startswith("**Working on")]


def no_failure(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def imports_torch(page: str, tables: int) -> bool:
    """Run a page in a fresh process (it shows ``tables`` tables and no error); tell whether torch got imported."""
    code = (
        "import sys; from streamlit.testing.v1 import AppTest; "
        f"at = AppTest.from_file({APP!r}).switch_page({page!r}).run(timeout=60); "
        f"assert not at.exception and len(at.dataframe) == {tables}; print('torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1] == "True"
