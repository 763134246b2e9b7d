// @ts-check
/**
 * What the extra data buys: accuracy beyond ImageNet-1k and the papers' claims against measurements,
 * as the Python app's page draws them (``pages/robustness.py``), from the figures the library exports
 * into the catalog (``published``; the series from ``published/robustness.js``). No weights needed:
 * nothing here downloads or runs a model.
 * @module pages/robustness
 */

import { h } from "../dom.js";
import { publish } from "../links.js";
import { fixed } from "../pyformat.js";
import { bars, legend, scatter } from "../chart.js";
import { architecturesTrainedWays, beyondImagenet, claimNotes, claimRows, robustnessTable, trainingCompared }
  from "../published/robustness.js";

/** @typedef {import("../published/robustness.js").Catalog} Catalog */
/** @typedef {import("../published/robustness.js").Metric} Metric */

const METRICS = /** @type {const} */ (["top1", "top5"]);
const DEFAULT_DATASET = "imagenet-r";

/**
 * A choice among a few values, as a group of radio buttons (Streamlit's radio and segmented control).
 * @param {string} name
 * @param {string} label
 * @param {[string, string][]} options Value and label.
 * @param {string} value
 * @param {(value: string) => void} change
 * @returns {HTMLFieldSetElement}
 */
function choice(name, label, options, value, change) {
  return h("fieldset", { class: "choice" }, h("legend", { text: label }),
    ...options.map(([v, text]) => h("label", {},
      h("input", { type: "radio", name, value: v, checked: v === value, onchange: () => change(v) }), text)));
}

/**
 * Markdown's ``**bold**`` in one sentence, as text and ``<strong>``.
 * @param {string} text
 * @returns {(string | HTMLElement)[]}
 */
function strong(text) {
  return text.split(/\*\*(.+?)\*\*/).map((part, i) => (i % 2 ? h("strong", { text: part }) : part));
}

/**
 * A table drawn as cards on a phone: each cell says its column (``data-label``).
 * @param {string} id The heading that names it.
 * @param {string[]} columns
 * @param {number} header The column whose cell heads its row.
 * @param {(string | null)[][]} rows Text, or null for a figure nobody published ("—").
 * @param {string} kind Its class.
 * @returns {HTMLElement}
 */
function table(id, columns, header, rows, kind) {
  return h("div", { class: "table-wrap", role: "region", "aria-labelledby": id },
    h("table", { class: `cards ${kind}`, role: "table" }, // explicit roles: on a phone the table is drawn as cards (display: block)
      h("thead", { role: "rowgroup" }, h("tr", { role: "row" }, ...columns.map((c) => h("th", { scope: "col", role: "columnheader", text: c })))),
      h("tbody", { role: "rowgroup" }, ...rows.map((row) => h("tr", { role: "row" }, ...row.map((cell, i) => i === header
        ? h("th", { scope: "row", role: "rowheader", text: cell ?? "—" })
        : h("td", { role: "cell", "data-label": columns[i], class: cell === null || /^[+-]?\d/.test(cell) ? "num" : null, text: cell ?? "—" })))))));
}

/**
 * Draw the page.
 * @param {HTMLElement} root
 * @param {import("../context.js").Context} ctx
 * @param {URLSearchParams} params
 * @param {string[]} dropped
 * @param {AbortSignal} signal Aborted when the page is left.
 */
export function render(root, ctx, params, dropped, signal) {
  publish({ page: "robustness" });
  const catalog = /** @type {Catalog} */ (/** @type {unknown} */ (ctx.catalog));
  const sets = catalog.published.datasets;
  const others = sets.filter((d) => d.key !== "imagenet");
  const compared = architecturesTrainedWays(catalog, 3);
  const state = { metric: /** @type {Metric} */ ("top1"), dataset: DEFAULT_DATASET, architecture: compared[0] };
  const every = h("div"), beyond = h("div"), trained = h("div");

  const drawTable = () => {
    const { columns, rows } = robustnessTable(catalog, state.metric);
    every.replaceChildren(table("every", columns, 1, rows.map((r) => r.map((c) => (typeof c === "number" ? fixed(c, 1) : c))), "robustness"));
  };
  const drawBeyond = () => {
    const data = beyondImagenet(catalog, state.dataset, state.metric);
    const set = sets.find((d) => d.key === state.dataset);
    const label = state.metric.replace("top", "top-");
    const points = data.series.flatMap((s) => s.x.map((x, i) => ({ id: s.models?.[i] ?? "", family: s.name, x: Number(x), y: s.y[i] })));
    const percent = (/** @type {number} */ v) => `${fixed(v, 2)}%`;
    beyond.replaceChildren(
      h("p", { class: "caption", text: `${set?.tests ?? ""} The dashed line is what the supervised models draw: a point above it is more robust than its ImageNet-1k accuracy alone predicts.` }),
      legend(data.series.map((s) => s.name), data.trend?.name),
      h("figure", { class: "figure" }, scatter(points, { id: "beyond-chart", linear: true, title: `${set?.title} against ImageNet-1k, ${label}`,
        description: `${data.yTitle} of each model against its ${data.xTitle}; shape and colour tell the families apart, and the dashed line is the supervised models' least-squares trend.`,
        x: { label: data.xTitle, name: `ImageNet-1k ${label}`, format: percent, tick: String },
        y: { label: data.yTitle, name: `${set?.title} ${label}`, format: percent },
        ...(data.trend ? { line: { name: data.trend.name, x: /** @type {number[]} */ (data.trend.x), y: data.trend.y } } : {}) }),
      h("figcaption", { text: `${set?.title} ${label} against ImageNet-1k ${label}` })));
  };
  const drawTrained = () => {
    const data = trainingCompared(catalog, state.architecture, state.metric);
    const label = state.metric.replace("top", "top-");
    trained.replaceChildren(
      legend(data.series.map((s) => s.name)),
      h("figure", { class: "figure narrow" }, bars(data.series, data.categories, { id: "trained-chart", title: `${state.architecture} trained different ways, ${label}`,
        description: `The ${label} accuracy of ${state.architecture} on every data set, one bar per way of training it; each bar says its value and family.`,
        x: { label: data.yTitle, name: label, format: (v) => fixed(v, 1) } }),
      h("figcaption", { text: `${state.architecture}: ${label} on every data set, by way of training` })));
  };
  const drawAll = () => { drawTable(); drawBeyond(); drawTrained(); };

  const claims = claimRows(catalog).map((c) => [c.model, fixed(c.claimed, 2), c.measured === null ? null : fixed(c.measured, 2),
    c.gap === null ? null : `${c.gap >= 0 ? "+" : ""}${fixed(c.gap, 2)}`, c.flag]);
  drawAll();
  root.replaceChildren(
    h("h1", { text: "What the extra data buys" }),
    h("p", { class: "lead", text: "On ImageNet-1k the SSL, SWSL and IG models differ by 1–3 points; on drawings, renditions and hard photos by up to 40. Figures from timm's own evaluations and the papers; no weights needed." }),
    choice("rob_metric", "Accuracy", METRICS.map((m) => [m, m.replace("top", "Top-")]), state.metric, (v) => {
      state.metric = /** @type {Metric} */ (v);
      drawAll();
    }),
    h("h2", { id: "every", text: "Every model on every data set" }),
    every,
    h("ul", { class: "caption" }, ...sets.map((d) => h("li", {}, h("strong", { text: d.short }), ` (${d.title}): ${d.tests}`))),
    h("p", { class: "caption", text: "Supervised V1 / V2: torchvision's ResNeXts trained on ImageNet alone (IMAGENET1K_V1, the 2017 recipe; IMAGENET1K_V2, the 2021 one). “—”: no published measurement (timm does not evaluate ResNeXt-101 32x48d)." }),
    h("h2", { id: "beyond", text: "Beyond ImageNet: more robust than the ImageNet score predicts?" }),
    choice("rob_dataset", "Data set", others.map((d) => [d.key, d.title]), state.dataset, (v) => {
      state.dataset = v;
      drawBeyond();
    }),
    beyond,
    h("h2", { id: "trained", text: "Same architecture, trained different ways" }),
    choice("rob_architecture", "Architecture", compared.map((a) => [a, a]), state.architecture, (v) => {
      state.architecture = v;
      drawTrained();
    }),
    trained,
    h("h2", { id: "claims", text: "The papers' claims against measurements" }),
    table("claims", ["Model", "Claimed top-1 %", "Measured top-1 %", "Gap (points)", "Flag"], 0, claims, "claims"),
    h("ul", {}, ...claimNotes(catalog).map((note) => h("li", {}, ...strong(note)))),
    h("p", { class: "caption", text: "Claimed: the official repositories' READMEs (Yalniz et al. 2019 for SSL/SWSL, Mahajan et al. 2018 for IG). Measured: timm's evaluation of the released checkpoint on ImageNet-1k validation (224 px, crop 0.875, bilinear). Sources and commits: assets/reference-results/README.md." }));
}
