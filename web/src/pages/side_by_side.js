// @ts-check
/**
 * Side by side: two to four variants on one photo, the top-5 of each, where each looked for its own
 * top class, and whether their top-1s agree. A variant that cannot run says so in its column; the
 * others keep working.
 * @module pages/side_by_side
 */

import { h, say } from "../dom.js";
import { formatBytes } from "../bytes.js";
import { chooser } from "../chooser.js";
import { topBars } from "../bars.js";
import { blend, paint } from "../overlay.js";
import { camOf, classify } from "../answer.js";
import { publish } from "../links.js";
import { backendName } from "../runtime.js";
import { clicked, latest } from "../lifecycle.js";
import { keptIds } from "../kept.js";
import { fileSizeOf, refusal } from "../budget.js";
import { START, photoLine, runtimeLine, unavailable, useChosen } from "./shared.js";
import { FAMILY_LABEL, YOUR_CLASSES, headLabel, labelsOf } from "../heads.js";

export const DEFAULTS = ["ssl_resnext50_32x4d", "swsl_resnext50_32x4d", "ig_resnext101_32x8d"];
export const MOST = 4;

/**
 * Draw the page.
 * @param {HTMLElement} root
 * @param {import("../context.js").Context} ctx
 * @param {URLSearchParams} params
 * @param {string[]} dropped
 * @param {AbortSignal} signal Aborted when the page is left.
 */
export function render(root, ctx, params, dropped, signal) {
  const known = new Set([...ctx.runnable.map((v) => v.id), ...ctx.heads.all().map((o) => o.id)]);
  let chosen = DEFAULTS;
  const asked = params.get("models");
  if (asked !== null) {
    const ids = [...new Set(asked.split(",").filter(Boolean))];
    if (ids.length && ids.length <= MOST && ids.every((i) => known.has(i))) chosen = ids;
    else dropped.push(`models=${asked}`);
  }
  const runs = latest(signal);
  const photos = latest(signal);
  /** @type {Map<string, import("../answer.js").Result>} */
  const results = new Map();
  const status = h("p", { class: "status", role: "status" });
  const error = h("p", { class: "message", role: "alert", hidden: true });
  const current = h("div", { class: "current" });
  const columns = h("div", { class: "columns" });
  const agreement = h("div", { class: "agreement" });
  const download = h("div", { class: "download" });
  const opacity = h("input", { type: "range", id: "sbs-alpha", min: 0, max: 1, step: 0.05, value: 0.5 });

  const boxes = h("fieldset", { class: "models" }, h("legend", { text: `Models (2 to ${MOST})` }),
    ...Object.keys(ctx.catalog.families).map((family) => {
      const mine = ctx.runnable.filter((v) => v.family === family);
      return mine.length ? h("div", { class: "family", role: "group", "aria-label": ctx.familyLabel(family) },
        h("p", { class: "family-name", text: ctx.familyLabel(family) }),
        ...mine.map((v) => h("label", {}, h("input", { type: "checkbox", value: v.id, checked: chosen.includes(v.id) }), ` ${ctx.label(v)}`))) : null;
    }), ctx.heads.all().length ? h("div", { class: "family", role: "group", "aria-label": FAMILY_LABEL },
      h("p", { class: "family-name", text: FAMILY_LABEL }),
      ...ctx.heads.all().map((o) => h("label", {}, h("input", { type: "checkbox", value: o.id, checked: chosen.includes(o.id) }), ` ${headLabel(o.head)}`))) : null,
    unavailable(ctx));
  boxes.addEventListener("change", () => {
    chosen = [...boxes.querySelectorAll("input:checked")].map((b) => /** @type {HTMLInputElement} */ (b).value);
    limit();
    run();
  });
  const limit = () => {
    for (const box of /** @type {NodeListOf<HTMLInputElement>} */ (boxes.querySelectorAll("input"))) box.disabled = !box.checked && chosen.length >= MOST;
  };
  limit();
  opacity.addEventListener("input", () => { for (const id of results.keys()) draw(id); });

  function draw(/** @type {string} */ id) {
    const r = results.get(id);
    const canvas = /** @type {HTMLCanvasElement | null} */ (columns.querySelector(`[data-model="${id}"] canvas`));
    if (r && canvas) paint(canvas, blend(r.crop, camOf(r, r.top[0].index), Number(opacity.value), ctx.catalog.colormap.rgb), r.size);
  }

  async function run() {
    publish({ page: "side_by_side", models: chosen, photo: ctx.linkPhoto(params.get("photo")) });
    agreement.replaceChildren();
    download.replaceChildren();
    const mine = runs();
    if (chosen.length < 2) { columns.replaceChildren(); say(status, "Pick at least two models to compare.", "warning"); return; }
    if (!ctx.photo) { say(status, START); return; }
    say(status, "");
    results.clear();
    const photo = ctx.photo;
    const ids = chosen; // this run's, whatever the boxes say later
    try {
      await downloadsAgreed(ids, mine);
    } catch {
      return; // a newer choice, or the page left
    }
    const slots = ids.map((id) => {
      const own = ctx.heads.get(id);
      const v = /** @type {import("../models.js").Variant} */ (ctx.variants.get(own ? own.head.backbone : id));
      const slot = h("div", { class: "column-body" });
      return { id, slot, column: h("article", { "data-model": id, "aria-label": id }, h("h2", {}, h("strong", { text: own ? YOUR_CLASSES : v.family }), ` · ${v.architecture}`), h("p", { class: "caption", text: id }), slot) };
    });
    columns.replaceChildren(...slots.map((s) => s.column));
    for (const { id, slot } of slots) {
      const line = h("p", { class: "status", role: "status" });
      slot.replaceChildren(line);
      try {
        const r = await classify(ctx, id, line, mine);
        if (mine.aborted) return;
        results.set(id, r);
        const top1 = labelsOf(ctx, id)[r.top[0].index];
        slot.replaceChildren(topBars(r.top, labelsOf(ctx, id), photo.name, id),
          h("figure", {}, h("canvas", { class: "picture", role: "img", "aria-label": `Grad-CAM of ${photo.name} by ${id}` }), h("figcaption", { text: `Grad-CAM: ${top1}` })),
          h("p", { class: "caption", text: `network ${r.ms.toFixed(0)} ms on this device, on ${backendName(r.backend)}` }), ...(r.note ? [line] : [])); // its note, said by classify
        draw(id);
      } catch (e) {
        if (mine.aborted) return;
        slot.replaceChildren(h("p", { class: "message error", role: "alert", text: /** @type {Error} */ (e).message }));
      }
    }
    download.replaceChildren(); // the downloads are over: the line spoke of the future
    if (results.size >= 2) {
      const tops = new Set([...results.values()].map((r) => labelsOf(ctx, r.id)[r.top[0].index]));
      const apart = new Set([...results.keys()].map((id) => labelsOf(ctx, id).join("\n"))).size > 1; // a head's classes and ImageNet's
      const sentence = apart ? "Your own classifier and the ImageNet ones answer in different classes: where they differ, only their maps are compared."
        : tops.size === 1 ? `All ${results.size} models answer ${[...tops][0]}.` : `The models disagree on the top class: ${[...tops].sort().join(", ")}.`;
      agreement.replaceChildren(h("h2", { id: "agreement", text: "Agreement" }), h("p", { class: !apart && tops.size !== 1 ? "message warning" : "message info", "data-agree": String(!apart && tops.size === 1), text: sentence }));
    }
  }

  /**
   * Say what the chosen models would download (the weights not yet on this device that it can hold,
   * from the catalog's file sizes; the line goes once the columns are done) and, where the browser asks to save data, wait for a click before any.
   * @param {string[]} ids
   * @param {AbortSignal} mine This run's.
   * @returns {Promise<void>} Rejects if the run is abandoned first.
   */
  async function downloadsAgreed(ids, mine) {
    const here = await keptIds(ctx.caches, ctx.catalog.variants);
    const { bound } = (await ctx.models()).setup; // the worker's: what it refuses is never downloaded, so not counted
    mine.throwIfAborted();
    const backbones = [...new Set(ids.map((id) => ctx.heads.get(id)?.head.backbone ?? id))]; // a head runs on its backbone
    const missing = backbones.map((id) => /** @type {import("../models.js").Variant} */ (ctx.variants.get(id)))
      .filter((v) => !ctx.times.has(v.id) && !here?.has(v.id) && !refusal(v.id, fileSizeOf(v), bound));
    const total = missing.reduce((sum, v) => sum + fileSizeOf(v), 0);
    if (!total) return;
    const sentence = `${missing.length === ids.length ? `These ${ids.length} models' weights are` : `The weights of ${missing.map((v) => v.id).join(", ")} are`} not on this device yet: ${formatBytes(total)} to download from the Hub, once.`;
    const line = h("p", { class: "message info", "data-bytes": total, text: sentence });
    download.replaceChildren(line);
    if (!(/** @type {any} */ (navigator).connection?.saveData)) return;
    line.className = "message warning";
    line.textContent = `${sentence} Your browser asks to save data, so nothing is downloaded until you say so.`;
    const go = h("button", { type: "button", text: `Download ${formatBytes(total)} and compare` });
    download.append(go);
    await clicked(go, mine);
    download.replaceChildren();
  }

  const pick = chooser(ctx.samples, async (c) => { if (await useChosen(ctx, c, error, status, photos())) { photoLine(current, ctx); run(); } });
  root.replaceChildren(
    h("h1", { text: "Side by side" }),
    h("p", { class: "lead", text: "The same image through SSL, SWSL and IG models: what each answers and where each looked." }),
    runtimeLine(ctx), boxes, pick, current,
    h("div", { class: "field" }, h("label", { for: "sbs-alpha", text: "Heatmap opacity" }), opacity),
    status, error, download, columns, agreement);
  photoLine(current, ctx);
  run();
}
