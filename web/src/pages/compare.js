// @ts-check
/**
 * Model comparison: every variant's figures from the catalog the library exports (no number is
 * retyped), drawn as accuracy against compute and against file size, whether this browser can run
 * it, its latency on this device once it has run here, and the weights this device keeps.
 * @module pages/compare
 */

import { h, say } from "../dom.js";
import { formatBytes } from "../bytes.js";
import { median } from "../models.js";
import { progress } from "../answer.js";
import { publish } from "../links.js";
import { latest } from "../lifecycle.js";
import { legend, scatter } from "../chart.js";
import { kept, remove } from "../kept.js";
import { runtimeLine } from "./shared.js";

const RUNS = 3;

/** A byte count on an axis: 100 MB, 2 GB. */

/**
 * Draw the page.
 * @param {HTMLElement} root
 * @param {import("../context.js").Context} ctx
 * @param {URLSearchParams} params
 * @param {string[]} dropped
 * @param {AbortSignal} signal Aborted when the page is left.
 */
export function render(root, ctx, params, dropped, signal) {
  publish({ page: "compare" });
  const runs = latest(signal);
  const status = h("p", { class: "status", role: "status" });
  const error = h("p", { class: "message", role: "alert", hidden: true });
  const body = h("tbody", { role: "rowgroup" });
  const variants = ctx.catalog.variants;
  const fixed = (/** @type {number | null} */ x, /** @type {number} */ digits) => (x === null ? "—" : x.toFixed(digits));
  const headings = ["Model", "Family", "Top-1", "Top-5", "Params (M)", "GMACs", "GFLOPs (index)", "File size", "Training data", "In this browser", "On this device (ms)"];
  const cell = (/** @type {number} */ i, /** @type {Record<string, any>} */ attributes, /** @type {(Node | string)[]} */ ...children) =>
    h("td", { "data-label": headings[i], role: "cell", ...attributes }, ...children);
  const fill = () => body.replaceChildren(...variants.map((v) => {
    const times = ctx.times.get(v.id);
    const measured = times?.length ? median(times.length > 1 ? times.slice(1) : times) : null;
    const timing = v.browser ? cell(10, { text: "—" }) : cell(10, { "data-ms": measured ?? "" },
      measured === null ? h("button", { type: "button", "aria-label": `Time ${v.id} on this device`, onclick: () => time(v.id) }, "Time it") : `${measured.toFixed(0)}`);
    return h("tr", { "data-model": v.id, role: "row" },
      h("th", { scope: "row", role: "rowheader", text: v.id }), cell(1, { text: v.family }),
      cell(2, { text: fixed(v.top1, 2) }), cell(3, { text: fixed(v.top5, 2) }),
      cell(4, { text: fixed(v.parameters && v.parameters / 1e6, 1) }), cell(5, { text: (v.macs / 1e9).toFixed(2) }),
      cell(6, { text: fixed(v.flops && v.flops / 1e9, 2) }), cell(7, { text: v.file_size ? (v.file_size_exact ? v.size_label : `≈${formatBytes(v.file_size)}`) : "—" }),
      cell(8, { text: v.training }), cell(9, { text: v.browser ? `No: ${v.browser}` : "Yes" }), timing);
  }));

  async function time(/** @type {string} */ id) {
    const v = /** @type {import("../models.js").Variant} */ (ctx.variants.get(id));
    const size = v.preprocessing.image_size;
    const mine = runs();
    say(error, "");
    try {
      const models = await ctx.models();
      for (let i = 0; i <= RUNS; i++) {
        await models.run(id, new Float32Array(3 * size * size), { signal: mine, progress: progress(status, id, mine) });
        say(status, `Timing ${id}: run ${i + 1} of ${RUNS + 1}…`);
      }
      say(status, "");
    } catch (e) {
      if (mine.aborted) return;
      say(status, "");
      say(error, /** @type {Error} */ (e).message, "error");
    }
    fill();
    showKept();
  }

  const keptList = h("div", { class: "kept" });
  async function showKept() {
    const here = await kept(ctx.caches, variants);
    if (signal.aborted) return;
    if (here === null) {
      keptList.replaceChildren(h("p", { text: "This browser keeps no weights for this page: each visit downloads them again." }));
      return;
    }
    const total = here.reduce((sum, k) => sum + k.bytes, 0);
    keptList.replaceChildren(
      h("p", { "data-bytes": total, text: here.length ? `${here.length} weights ${here.length === 1 ? "file takes" : "files take"} ${formatBytes(total)} on this device.` : "No weights are kept on this device yet: each model's are kept after its first run." }),
      here.length ? h("ul", {}, ...here.map((k) => {
        const name = k.variant?.id ?? new URL(k.url).pathname;
        return h("li", { "data-model": k.variant?.id ?? "", "data-bytes": k.bytes },
          h("span", { text: `${name} · ${formatBytes(k.bytes)}` }),
          h("button", { type: "button", "aria-label": `Remove the weights of ${name} from this device`, onclick: async () => {
            await remove(ctx.caches, k.url);
            showKept();
          } }, "Remove"));
      })) : "");
  }

  const points = (/** @type {(v: import("../models.js").Variant) => number | null} */ x) =>
    variants.map((v) => ({ id: v.id, family: v.family, x: x(v) ?? 0, y: v.top1 ?? NaN }));
  const top1 = { label: "ImageNet top-1 (%)", name: "top-1", format: (/** @type {number} */ y) => `${y.toFixed(2)}%` };
  fill();
  showKept();
  root.replaceChildren(
    h("h1", { text: "Model comparison" }),
    h("p", { class: "lead", text: "From the published model-index metadata alone: ImageNet-1k validation accuracy, compute per image (counted from the architecture), parameters and checkpoint size." }),
    runtimeLine(ctx), status, error,
    h("section", { "aria-labelledby": "tradeoff" },
      h("h2", { id: "tradeoff", text: "Accuracy against compute and size" }),
      legend(Object.keys(ctx.catalog.families)),
      h("div", { class: "charts" },
        h("figure", {}, scatter(points((v) => v.macs / 1e9), { id: "vs-macs", title: "Top-1 against compute",
          description: "ImageNet top-1 accuracy of each variant against its multiply-adds per image (GMACs, log scale); shape and colour tell the families apart.",
          x: { label: "GMACs", name: "GMACs", format: (x) => `${+x.toPrecision(3)}` }, y: top1 }),
        h("figcaption", { text: "Top-1 against GMACs (log scale)" })),
        h("figure", {}, scatter(points((v) => v.file_size), { id: "vs-size", title: "Top-1 against file size",
          description: "ImageNet top-1 accuracy of each variant against the size of its weights file (log scale); shape and colour tell the families apart.",
          x: { label: "File size", name: "file size", format: formatBytes }, y: top1 }),
        h("figcaption", { text: "Top-1 against the weights' file size (log scale)" }))),
      h("p", { class: "caption" }, "Each point can be reached with Tab and says its values. ", h("a", { href: "#variants" }, "The same figures, as a table"), ".")),
    h("h2", { id: "variants", tabindex: -1, text: "Every variant" }),
    h("div", { class: "table-wrap", role: "region", "aria-labelledby": "variants" },
      h("table", { class: "variants cards", role: "table" }, // explicit roles: below 960 px the table is drawn as cards (display: block)
          h("thead", { role: "rowgroup" }, h("tr", { role: "row" }, ...headings.map((t) => h("th", { scope: "col", role: "columnheader", text: t })))), body)),
    h("p", { class: "caption", text: "Top-1, Top-5: ImageNet-1k validation accuracy (%). GMACs: billions of multiply-adds, counted from each network as built for one forward pass at its input size (one multiply-add is two FLOPs). GFLOPs (index): the model-index figure, whose convention is not stated. On this device: the median network time of the runs on this page after the first (the first includes the session's warm-up); the weights are downloaded once, then kept by the browser." }),
    h("section", { "aria-labelledby": "kept" }, h("h2", { id: "kept", text: "Kept on this device" }), keptList));
}
