"""What every page starts with: the page config and the navigation."""

from __future__ import annotations

import streamlit as st

# (script, label, icon). Streamlit serves pages/NAME.py at /NAME, so deep links always work.
PAGES = (
    ("app.py", "Classify", ":material/image_search:"),
    ("pages/side_by_side.py", "Side by side", ":material/view_column:"),
    ("pages/compare.py", "Model comparison", ":material/leaderboard:"),
)


def page(title: str, caption: str | None = None) -> None:
    """Configure the page, draw the navigation and the title.

    Args:
        title: The page's title, as in :data:`PAGES`.
        caption: One line under the title.
    """
    st.set_page_config(page_title=f"{title} · ResNeXt Explorer", page_icon=":material/image_search:", layout="wide")
    with st.sidebar:
        for script, label, icon in PAGES:
            st.page_link(script, label=label, icon=icon)
        st.caption(
            "Facebook's SSL, SWSL and IG ResNeXt ImageNet classifiers. "
            "Weights: CC-BY-NC-4.0, non-commercial use only."
        )
        st.divider()
    st.title(title)
    if caption:
        st.caption(caption)
