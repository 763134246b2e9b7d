// @ts-check
/**
 * Model comparison: every variant's figures from the catalog the library exports (no number is
 * retyped), whether this browser can run it, and its latency on this device once it has run here.
 * @module pages/compare
 */

import { h, megabytes, say } from "../dom.js";
import { median } from "../models.js";
import { progress } from "../answer.js";
import { publish } from "../links.js";
import { runtimeLine } from "./shared.js";

const RUNS = 3;

/**
 * Draw the page.
 * @param {HTMLElement} root
 * @param {import("../context.js").Context} ctx
 */
export function render(root, ctx) {
  publish({ page: "compare" });
  const status = h("p", { class: "status", role: "status" });
  const error = h("p", { class: "message", role: "alert", hidden: true });
  const body = h("tbody");
  const fixed = (/** @type {number | null} */ x, /** @type {number} */ digits) => (x === null ? "—" : x.toFixed(digits));
  const fill = () => body.replaceChildren(...ctx.catalog.variants.map((v) => {
    const times = ctx.times.get(v.id);
    const measured = times?.length ? median(times.length > 1 ? times.slice(1) : times) : null;
    const timing = v.browser ? h("td", { text: "—" }) : h("td", { "data-ms": measured ?? "" },
      measured === null ? h("button", { type: "button", "aria-label": `Time ${v.id} on this device`, onclick: () => time(v.id) }, "Time it") : `${measured.toFixed(0)}`);
    return h("tr", { "data-model": v.id },
      h("th", { scope: "row", text: v.id }), h("td", { text: v.family }),
      h("td", { text: fixed(v.top1, 2) }), h("td", { text: fixed(v.top5, 2) }),
      h("td", { text: fixed(v.parameters && v.parameters / 1e6, 1) }), h("td", { text: (v.macs / 1e9).toFixed(2) }),
      h("td", { text: fixed(v.flops && v.flops / 1e9, 2) }), h("td", { text: v.file_size ? (v.file_size_exact ? v.size_label : `≈${megabytes(v.file_size)}`) : "—" }),
      h("td", { text: v.training }), h("td", { text: v.browser ? `No: ${v.browser}` : "Yes" }), timing);
  }));

  async function time(/** @type {string} */ id) {
    const v = /** @type {import("../models.js").Variant} */ (ctx.variants.get(id));
    const size = v.preprocessing.image_size;
    say(error, "");
    try {
      const models = await ctx.models();
      for (let i = 0; i <= RUNS; i++) {
        await models.run(id, new Float32Array(3 * size * size), { progress: progress(status, id) });
        say(status, `Timing ${id}: run ${i + 1} of ${RUNS + 1}…`);
      }
      say(status, "");
    } catch (e) {
      say(status, "");
      say(error, /** @type {Error} */ (e).message, "error");
    }
    fill();
  }

  const headings = ["Model", "Family", "Top-1", "Top-5", "Params (M)", "GMACs", "GFLOPs (index)", "File size", "Training data", "In this browser", "On this device (ms)"];
  fill();
  root.replaceChildren(
    h("h1", { text: "Model comparison" }),
    h("p", { class: "lead", text: "From the published model-index metadata alone: ImageNet-1k validation accuracy, compute per image (counted from the architecture), parameters and checkpoint size." }),
    runtimeLine(ctx), status, error,
    h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Variants" },
      h("table", {}, h("thead", {}, h("tr", {}, ...headings.map((t) => h("th", { scope: "col", text: t })))), body)),
    h("p", { class: "caption", text: "Top-1, Top-5: ImageNet-1k validation accuracy (%). GMACs: billions of multiply-adds, counted from each network as built for one forward pass at its input size (one multiply-add is two FLOPs). GFLOPs (index): the model-index figure, whose convention is not stated. On this device: the median network time of the runs on this page after the first (the first includes the session's warm-up); the weights are downloaded once, then kept by the browser." }));
}
