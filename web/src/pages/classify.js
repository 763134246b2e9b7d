// @ts-check
/**
 * Classify: one variant on a photo, its top-5 as bars and where it looked (CAM, equal to Grad-CAM on
 * the last stage) for the top class or any of the top-5, over the crop it saw.
 * @module pages/classify
 */

import { h, say } from "../dom.js";
import { chooser } from "../chooser.js";
import { topBars } from "../bars.js";
import { blend, paint } from "../overlay.js";
import { camOf, classify } from "../answer.js";
import { publish } from "../links.js";
import { backendName } from "../runtime.js";
import { latest } from "../lifecycle.js";
import { START, modelSelect, photoLine, runtimeLine, useChosen } from "./shared.js";
import { headCard, labelsOf } from "../heads.js";

export const DEFAULT_VARIANT = "swsl_resnext50_32x4d";

/**
 * Draw the page.
 * @param {HTMLElement} root
 * @param {import("../context.js").Context} ctx
 * @param {URLSearchParams} params The link's state.
 * @param {string[]} dropped Filled with what the link asked that this page does not know.
 * @param {AbortSignal} signal Aborted when the page is left.
 */
export function render(root, ctx, params, dropped, signal) {
  let model = params.get("model") ?? DEFAULT_VARIANT;
  if (!ctx.runnable.some((v) => v.id === model) && !ctx.heads.get(model)) {
    if (params.has("model")) dropped.push(`model=${model}`);
    model = DEFAULT_VARIANT;
  }
  const asked = params.get("class");
  let wanted = asked !== null && /^\d{1,7}$/.test(asked) ? Number(asked) : null;
  if (asked !== null && wanted === null) dropped.push(`class=${asked}`);
  /** @type {import("../answer.js").Result | null} */
  let result = null;
  const runs = latest(signal);
  const photos = latest(signal);

  const status = h("p", { class: "status", role: "status" });
  const error = h("p", { class: "message", role: "alert", hidden: true });
  const results = h("div", { class: "results" });
  const current = h("div", { class: "current" });
  const card = h("p", { class: "caption" }); // what a classifier of the visitor's classes is
  const describeHead = () => { const own = ctx.heads.get(model); card.textContent = own ? headCard(own.head) : ""; card.hidden = !own; };
  const select = modelSelect(ctx, "model", "Model", model, (id) => { model = id; wanted = null; describeHead(); run(); });
  describeHead();

  const state = () => publish({ model, photo: ctx.linkPhoto(params.get("photo")), class: wanted });

  async function run() {
    state();
    if (!ctx.photo) {
      say(status, START);
      return;
    }
    const mine = runs();
    say(error, "");
    try {
      const r = await classify(ctx, model, status, mine);
      if (mine.aborted) return;
      result = r;
      show();
    } catch (e) {
      if (mine.aborted) return;
      say(status, "");
      say(error, /** @type {Error} */ (e).message, "error");
    }
  }

  function show() {
    if (!result || !ctx.photo) return;
    const r = result;
    const labels = labelsOf(ctx, r.id);
    const explained = r.top.some((t) => t.index === wanted) ? /** @type {number} */ (wanted) : r.top[0].index;
    const classPick = h("select", { id: "cam-class" }, ...r.top.map((t) => h("option", { value: t.index, selected: t.index === explained, text: `${labels[t.index]} (${(100 * t.probability).toFixed(1)}%)` })));
    const opacity = h("input", { type: "range", id: "cam-alpha", min: 0, max: 1, step: 0.05, value: 0.5 });
    const overlay = h("canvas", { class: "picture", role: "img", "data-class-index": explained });
    const caption = h("figcaption");
    const crop = h("canvas", { class: "picture", role: "img", "aria-label": `The centre crop of ${ctx.photo.name} that the model saw` });
    paint(crop, blend(r.crop, null, 0, ctx.catalog.colormap.rgb), r.size);
    const draw = () => {
      const index = Number(classPick.value);
      const top = r.top.find((t) => t.index === index);
      const question = `“${labels[index]} (${(100 * (top?.probability ?? 0)).toFixed(1)}%)”`;
      paint(overlay, blend(r.crop, camOf(r, index), Number(opacity.value), ctx.catalog.colormap.rgb), r.size);
      overlay.setAttribute("aria-label", `Grad-CAM of ${ctx.photo?.name} for ${question}`);
      overlay.dataset.classIndex = String(index);
      caption.textContent = `Grad-CAM on layer4 for ${question}`;
    };
    classPick.addEventListener("change", () => { wanted = Number(classPick.value); state(); draw(); });
    opacity.addEventListener("input", draw);
    draw();
    results.replaceChildren(
      h("section", { "aria-labelledby": "top5" }, h("h2", { id: "top5", text: "Top-5" }), topBars(r.top, labels, ctx.photo.name, r.id),
        h("p", { class: "caption", text: `network ${r.ms.toFixed(0)} ms on this device, on ${backendName(r.backend)} · ${r.id}` })),
      h("section", { "aria-labelledby": "looked" }, h("h2", { id: "looked", text: "Where the model looked" }),
        h("div", { class: "controls" },
          h("label", { for: "cam-class" }, "Explain class"), classPick,
          h("label", { for: "cam-alpha" }, "Heatmap opacity"), opacity),
        h("div", { class: "pictures" },
          h("figure", {}, overlay, caption),
          h("figure", {}, crop, h("figcaption", { text: `What the model saw (${r.size}×${r.size} centre crop)` })))));
  }

  const pick = chooser(ctx.samples, async (chosen) => {
    if (await useChosen(ctx, chosen, error, status, photos())) { photoLine(current, ctx); wanted = null; run(); }
  });
  root.replaceChildren(
    h("h1", { text: "Classify" }), runtimeLine(ctx), select, card, pick, current, status, error, results);
  photoLine(current, ctx);
  run();
}
