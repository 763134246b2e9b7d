// @ts-check
/**
 * Pieces more than one page draws: the model picker, the line on the photo in use, the line on how
 * this device runs the network, and taking a chosen photo (one sentence when it cannot be used).
 * @module pages/shared
 */

import { h, say } from "../dom.js";
import { describe } from "../runtime.js";
import { FAMILY_LABEL, headLabel } from "../heads.js";

/** @typedef {import("../context.js").Context} Context */

/** What a page says before there is a photo, in the Streamlit app's words. */
export const START = "Drop a photo, take one with the webcam, or pick a sample to start.";

/**
 * A model picker: the variants a browser can run, grouped by family, and the visit's classifiers of
 * the visitor's own classes; the rest are named with why not.
 * @param {Context} ctx
 * @param {string} id The select's id.
 * @param {string} label
 * @param {string} value
 * @param {(id: string) => void} change
 * @returns {HTMLElement}
 */
export function modelSelect(ctx, id, label, value, change) {
  const groups = Object.keys(ctx.catalog.families).map((family) => h("optgroup", { label: ctx.familyLabel(family) },
    ...ctx.runnable.filter((v) => v.family === family).map((v) => h("option", { value: v.id, selected: v.id === value, text: ctx.label(v) }))));
  const own = h("optgroup", { label: FAMILY_LABEL }, ...ctx.heads.all().map((o) => h("option", { value: o.id, selected: o.id === value, text: headLabel(o.head) })));
  const select = h("select", { id, onchange: () => change(select.value) }, ...[...groups, own].filter((g) => g.childElementCount));
  return h("div", { class: "field" }, h("label", { for: id, text: label }), select, unavailable(ctx));
}

/**
 * The variants this page cannot run, each with the reason.
 * @param {Context} ctx
 * @returns {HTMLElement | null}
 */
export function unavailable(ctx) {
  const out = ctx.catalog.variants.filter((v) => v.browser);
  return out.length ? h("details", { class: "caption" }, h("summary", { text: `${out.length} models run only in the Python app` }),
    h("ul", {}, ...out.map((v) => h("li", { text: `${v.id}: ${v.browser}.` })))) : null;
}

/**
 * Say which photo is in use (and any note on how it was read).
 * @param {HTMLElement} slot
 * @param {Context} ctx
 */
export function photoLine(slot, ctx) {
  const photo = ctx.photo;
  if (!photo) { slot.replaceChildren(); return; }
  slot.replaceChildren(...[
    h("img", { src: photo.url, alt: `Thumbnail of ${photo.name}, the photo in use`, width: 88 }),
    h("p", {}, h("strong", { text: `Working on ${photo.name}` }), ` (${photo.width}×${photo.height}) · ${photo.source}`),
    photo.note ? h("p", { class: "message warning", text: photo.note }) : ""]);
}

/**
 * How this device runs the network.
 * @param {Context} ctx
 * @returns {HTMLElement}
 */
export const runtimeLine = (ctx) => h("p", { class: "caption runtime", text: describe(ctx.features) });

/**
 * Take a chosen photo; if it cannot be used, say why and keep the last one. A choice whose signal
 * aborts (a newer choice, or the page left) is dropped and says nothing.
 * @param {Context} ctx
 * @param {import("../chooser.js").Chosen} chosen
 * @param {HTMLElement} error
 * @param {HTMLElement} status
 * @param {AbortSignal} signal This choice's.
 * @returns {Promise<boolean>} Whether the photo is now in use.
 */
export async function useChosen(ctx, chosen, error, status, signal) {
  say(error, ""); // the last file's sentence does not stand for this one while it is read
  say(status, `Reading ${chosen.name}…`);
  try {
    await ctx.use(chosen, signal);
    say(status, "");
    return true;
  } catch (e) {
    if (signal.aborted) return false;
    say(status, "");
    say(error, /** @type {Error} */ (e).message, "error");
    return false;
  }
}
