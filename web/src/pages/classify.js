// @ts-check
/**
 * Classify: one variant on a photo, its top-5 as bars and where it looked (``explain.js``: the CAM,
 * equal to Grad-CAM on the last stage, or occlusion, of the top class or any of the top-5, optionally
 * rather than another, and how faithful the map is), over the crop it saw.
 * @module pages/classify
 */

import { h, say } from "../dom.js";
import { chooser } from "../chooser.js";
import { topBars } from "../bars.js";
import { classify } from "../answer.js";
import { publish } from "../links.js";
import { backendName } from "../runtime.js";
import { latest } from "../lifecycle.js";
import { START, modelSelect, photoLine, runtimeLine, useChosen } from "./shared.js";
import { whereLooked } from "./explain.js";
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
  /** @type {{name: string}[]} */
  const methods = /** @type {any} */ (ctx.catalog).methods;
  let method = params.get("method") ?? "gradcam";
  if (!methods.some((m) => m.name === method)) {
    dropped.push(`method=${method}`);
    method = "gradcam";
  }
  /** @type {import("../answer.js").Result | null} */
  let result = null;
  const runs = latest(signal);
  const photos = latest(signal);
  const sections = latest(signal); // each answer's explanations stop when a newer answer comes

  const status = h("p", { class: "status", role: "status" });
  const error = h("p", { class: "message", role: "alert", hidden: true });
  const results = h("div", { class: "results" });
  const current = h("div", { class: "current" });
  const card = h("p", { class: "caption" }); // what a classifier of the visitor's classes is
  const describeHead = () => { const own = ctx.heads.get(model); card.textContent = own ? headCard(own.head) : ""; card.hidden = !own; };
  const select = modelSelect(ctx, "model", "Model", model, (id) => { model = id; wanted = null; describeHead(); run(); });
  describeHead();

  const state = () => publish({ model, photo: ctx.linkPhoto(params.get("photo")), class: wanted,
    method: method === "gradcam" ? null : method });

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
    if (wanted !== null && !r.top.some((t) => t.index === wanted)) { // a link's class outside this top-5: the top class is explained, as the Python app does, and the link says so
      wanted = null;
      state();
    }
    const looked = whereLooked(ctx, r, { classIndex: wanted ?? r.top[0].index, method },
      (chosen) => { wanted = chosen.classIndex; method = chosen.method; state(); }, sections());
    results.replaceChildren(
      h("section", { "aria-labelledby": "top5" }, h("h2", { id: "top5", text: `Top-${r.top.length}` }), topBars(r.top, labelsOf(ctx, r.id), ctx.photo.name, r.id),
        h("p", { class: "caption", text: `network ${r.ms.toFixed(0)} ms on this device, on ${backendName(r.backend)} · ${r.id}` })),
      looked);
  }

  const pick = chooser(ctx.samples, async (chosen) => {
    if (await useChosen(ctx, chosen, error, status, photos())) { photoLine(current, ctx); wanted = null; run(); }
  });
  root.replaceChildren(
    h("h1", { text: "Classify" }), runtimeLine(ctx), select, card, pick, current, status, error, results);
  photoLine(current, ctx);
  run();
}
