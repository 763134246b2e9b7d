"""What the extra training data buys: accuracy beyond ImageNet-1k, and the papers' claims against measurements."""

import streamlit as st

from resnext.published import references
from resnext_app import charts, published, tables
from resnext_app.feedback import guard
from resnext_app.layout import page

page("What the extra data buys", "On ImageNet-1k the SSL, SWSL and IG models differ by 1–3 points; on drawings, "
     "renditions and hard photos by up to 40. Figures from timm's own evaluations and the papers; no weights needed.")

with guard():
    long = published.measurements_frame()
    sets = references.datasets()
    claims = published.claims_frame()
titles = {d.key: d.title for d in sets}
metric = st.radio("Accuracy", ["top1", "top5"], format_func=lambda m: m.replace("top", "Top-"), horizontal=True,
                  key="rob_metric")

st.header("Every model on every data set")
st.dataframe(tables.percent_table(published.robustness_table(long, metric)), hide_index=True, width="stretch",
             height="content", placeholder="—")
st.markdown("\n".join(f"- **{d.short}** ({d.title}): {d.tests}" for d in sets))
st.caption("Supervised V1 / V2: torchvision's ResNeXts trained on ImageNet alone (IMAGENET1K_V1, the 2017 recipe; "
           "IMAGENET1K_V2, the 2021 one). “—”: no published measurement (timm does not evaluate ResNeXt-101 32x48d).")

st.header("Beyond ImageNet: more robust than the ImageNet score predicts?")
others = [d.key for d in sets if d.key != "imagenet"]
chosen = st.segmented_control("Data set", others, format_func=titles.get, default="imagenet-r", required=True,
                              key="rob_dataset") or "imagenet-r"
st.caption(next(d.tests for d in sets if d.key == chosen) + " The dashed line is what the supervised models draw: "
           "a point above it is more robust than its ImageNet-1k accuracy alone predicts.")
st.plotly_chart(charts.beyond_imagenet(long, chosen, metric), width="stretch", key="rob_scatter")

st.header("Same architecture, trained different ways")
compared = published.architectures_trained_ways(long, at_least=3)
architecture = st.segmented_control("Architecture", compared, default=compared[0], required=True,
                                    key="rob_architecture") or compared[0]
st.plotly_chart(charts.training_compared(long, architecture, metric), width="stretch", key="rob_families")

st.header("The papers' claims against measurements")
st.dataframe(claims.style.format({"Claimed top-1 %": "{:.2f}", "Measured top-1 %": "{:.2f}", "Gap (points)": "{:+.2f}"},
                                 na_rep="—"), hide_index=True, width="stretch", height="content", placeholder="—")
st.markdown("\n".join(f"- {note}" for note in published.claim_notes()))
st.caption("Claimed: the official repositories' READMEs (Yalniz et al. 2019 for SSL/SWSL, Mahajan et al. 2018 for IG). "
           "Measured: timm's evaluation of the released checkpoint on ImageNet-1k validation (224 px, crop 0.875, "
           "bilinear). Sources and commits: assets/reference-results/README.md.")
