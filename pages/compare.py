"""All variants from their model-index metadata: no weights needed, works offline."""

import streamlit as st

from resnext_app import charts, tables
from resnext_app.feedback import guard
from resnext_app.layout import page

page("Model comparison", "From the published model-index metadata alone: ImageNet-1k validation accuracy, "
     "FLOPs per 224×224 image, parameters and checkpoint size.")

with guard():
    df = tables.catalog_frame()

f1, f2, f3 = st.columns([2, 2, 1])
families = f1.multiselect("Families", sorted(df["family"].unique()), default=sorted(df["family"].unique()),
                          key="cmp_families")
architectures = f2.multiselect("Architectures", list(dict.fromkeys(df.sort_values("flops")["architecture"])),
                               key="cmp_architectures", placeholder="All")
metric = f3.radio("Accuracy", ["top1", "top5"], format_func=lambda m: m.replace("top", "Top-"),
                  horizontal=True, key="cmp_metric")
view = df[df["family"].isin(families)]
if architectures:
    view = view[view["architecture"].isin(architectures)]
if view.empty:
    st.warning("No variant matches these filters.")
    st.stop()

table = view[list(tables.CATALOG_COLUMNS)].rename(columns=tables.CATALOG_COLUMNS)
st.dataframe(tables.readable(table), hide_index=True, width="stretch", height="content")
st.download_button("Table (CSV)", table.to_csv(index=False), "resnext-variants.csv", "text/csv")

left, right = st.columns(2)
with left:
    st.subheader("Accuracy vs FLOPs")
    st.plotly_chart(charts.accuracy_vs_cost(view, "gflops", metric), width="stretch", key="vs_flops")
with right:
    st.subheader("Accuracy vs parameters")
    st.plotly_chart(charts.accuracy_vs_cost(view, "params_m", metric), width="stretch", key="vs_params")
st.caption("Bubble size: checkpoint size. Dashed line: the Pareto front (no other variant is both "
           "cheaper and more accurate), over the variants shown.")

st.subheader("SSL vs SWSL vs IG at equal architecture")
st.plotly_chart(charts.families_at_equal_architecture(view, metric), width="stretch", key="families")
