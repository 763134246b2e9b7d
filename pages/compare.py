"""All variants from their model-index metadata: no weights needed, works offline."""

import streamlit as st

from resnext_app import charts, tables
from resnext_app.feedback import guard
from resnext_app.layout import page

page("Model comparison", "From the published model-index metadata alone: ImageNet-1k validation accuracy, "
     "compute per image (counted from the architecture), parameters and checkpoint size.")

with guard():
    df = tables.catalog_frame()

f1, f2, f3 = st.columns([2, 2, 1])
# Pills rather than multiselects: a multiselect's tags are white on the primary colour, below AA
# contrast in the dark theme.
families = f1.pills("Families", sorted(df["family"].unique()), selection_mode="multi",
                    default=sorted(df["family"].unique()), key="cmp_families")
architectures = f2.pills("Architectures (none chosen: all)", list(dict.fromkeys(df.sort_values("macs")["architecture"])),
                         selection_mode="multi", key="cmp_architectures")
metric = f3.radio("Accuracy", ["top1", "top5"], format_func=lambda m: m.replace("top", "Top-"),
                  horizontal=True, key="cmp_metric")
view = df[df["family"].isin(families)]
if architectures:
    view = view[view["architecture"].isin(architectures)]
if view.empty:
    st.warning("No variant matches these filters.")
    st.stop()

table = view[list(tables.CATALOG_COLUMNS)].rename(columns=tables.CATALOG_COLUMNS)
# The id names the family (ssl_, swsl_, ig_) and the filter above chooses it: the CSV keeps the column, the screen
# leaves it out so that every other column fits.
st.dataframe(tables.readable(table.drop(columns="Family")), hide_index=True, width="stretch", height="content",
             placeholder="—")
st.caption("Top-1, Top-5: ImageNet-1k validation accuracy (%). GMACs: billions of multiply-adds, counted from each network as built here for one forward pass at its "
           "input size (convolutions and classifier; one multiply-add is two FLOPs). GFLOPs (index): the model-index "
           "figure, whose convention is not stated; resnext50_32x4d's 5.47 is neither its 4.23 GMACs nor twice them.")
st.download_button("Table (CSV)", table.to_csv(index=False), "resnext-variants.csv", "text/csv")

left, right = st.columns(2)
with left:
    st.header("Accuracy vs compute")
    st.plotly_chart(charts.accuracy_vs_cost(view, "gmacs", metric), width="stretch", key="vs_flops")
with right:
    st.header("Accuracy vs parameters")
    st.plotly_chart(charts.accuracy_vs_cost(view, "params_m", metric), width="stretch", key="vs_params")
st.caption("Bubble size: checkpoint size. Dashed line: the Pareto front (no other variant is both "
           "cheaper and more accurate), over the variants shown.")

st.header("SSL vs SWSL vs IG vs supervised at equal architecture")
st.plotly_chart(charts.families_at_equal_architecture(view, metric), width="stretch", key="families")

st.header("Cost on this CPU")
with guard():
    machine, measured = tables.latency()
mode = st.segmented_control("Mode", ["default_ms", "fast_ms"], default="default_ms", required=True, key="cmp_mode",
                            format_func={"default_ms": "Default (exact, fp32)", "fast_ms": "Fast (bf16)"}.get)
timed = view.merge(measured, on="id", how="left")
st.plotly_chart(charts.accuracy_vs_cost(timed, mode or "default_ms", metric), width="stretch", key="vs_latency")
skipped = measured[measured["skipped"] != ""]
st.caption(
    f"Measured by `python -m benchmarks.cost` on {machine['cpu']} ({', '.join(machine['isa'])}), "
    f"{machine['threads']} threads, {machine['engine']}, batch {machine['batch']}, {machine['date']}: the real "
    "architectures with random weights, so these are speed figures only. Run it on your machine for yours."
    + (f" Skipped: {'; '.join(f'{r.id} ({r.skipped})' for r in skipped.itertuples())}." if len(skipped) else "")
)
