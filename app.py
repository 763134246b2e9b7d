"""ResNeXt Explorer: `streamlit run app.py`."""

import streamlit as st

st.set_page_config(page_title="ResNeXt Explorer", page_icon="🔎", layout="wide")

pages = [
    st.Page("pages/classify.py", title="Classify", icon="🔎", default=True),
    st.Page("pages/side_by_side.py", title="Side by side", icon="⚖️", url_path="side-by-side"),
    st.Page("pages/compare.py", title="Model comparison", icon="📊", url_path="comparison"),
]
st.navigation(pages).run()
st.sidebar.caption(
    "Facebook's SSL, SWSL and IG ResNeXt ImageNet classifiers. "
    "Weights: CC-BY-NC-4.0, non-commercial use only."
)
