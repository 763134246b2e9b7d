"""What every page starts with: the page config and the navigation.

``python -m resnext_app.layout`` writes the pages, in order, for the browser edition
(``web/public/python-app.json``, :func:`pages_json`), whose footer and the manual say which of them
run in the browser; ``tests/export/test_committed.py`` fails when that file is stale.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

import resnext
from resnext.errors import ResNeXtError

from . import timing

# Wide enough for a variant picker's whole labels ("resnext101_32x16d · 84.2% top-1 · 777.5 MB").
SIDEBAR_PX = 360
# (script, label, icon). Streamlit serves pages/NAME.py at /NAME, so deep links always work.
PAGES = (
    ("app.py", "Classify", ":material/image_search:"),
    ("pages/side_by_side.py", "Side by side", ":material/view_column:"),
    ("pages/stress.py", "Stress test", ":material/thunderstorm:"),
    ("pages/batch.py", "Batch", ":material/photo_library:"),
    ("pages/your_classes.py", "Your classes", ":material/category:"),
    ("pages/compare.py", "Model comparison", ":material/leaderboard:"),
    ("pages/robustness.py", "What the extra data buys", ":material/shield:"),
)


# What the browser edition reads of this app (written by running this module).
PAGES_JSON = Path(__file__).resolve().parent.parent / "web" / "public" / "python-app.json"


def pages_json() -> dict[str, list[dict[str, str]]]:
    """The app's pages in its order, each with its label and its address.

    Returns:
        ``{"pages": [{"page", "label"}, ...]}``: ``page`` is the path Streamlit serves the script at
        (``pages/robustness.py`` → ``robustness``; the first, ``app.py``, at the app's own address, ``""``).
    """
    return {"pages": [{"page": Path(script).stem if script.startswith("pages/") else "", "label": label}
                      for script, label, _ in PAGES]}


def page(title: str, caption: str | None = None) -> None:
    """Configure the page, draw the navigation and the title.

    Args:
        title: The page's title, as in :data:`PAGES`.
        caption: One line under the title.
    """
    timing.start()
    st.set_page_config(page_title=f"{title} · ResNeXt Explorer", page_icon=":material/image_search:", layout="wide",
                       initial_sidebar_state=SIDEBAR_PX)
    with st.sidebar:
        for script, label, icon in PAGES:
            st.page_link(script, label=label, icon=icon)
        st.caption(f"Facebook's SSL, SWSL and IG ResNeXt ImageNet classifiers, and torchvision's supervised "
                   f"ones as the baseline. {_licences()}")
        st.divider()
    st.title(title)
    if caption:
        st.caption(caption)


def _licences() -> str:
    """The weights' licences, from each variant's model-index entry."""
    try:
        variants = resnext.list_variants()
    except ResNeXtError:  # the page itself shows the catalog's error
        return ""
    licences = sorted({v.license for v in variants})
    if len(licences) == 1:
        nc = " (non-commercial use only)" if variants[0].non_commercial else ""
        return f"Weights licence: {licences[0]}{nc}."
    return f"Weights licences: {', '.join(licences)}; each model's card names its own."


if __name__ == "__main__":
    PAGES_JSON.write_text(json.dumps(pages_json(), indent=1) + "\n")
    print(f"{PAGES_JSON}: {len(PAGES)} pages")
