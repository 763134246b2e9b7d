// @ts-check
/**
 * The controls a page reads many files with: a drop zone that takes files, zips and folders, a
 * "Choose folder" button (``webkitdirectory``) and a "Choose files" button (several files, zips
 * allowed), each a labelled file input reached by Tab; and the list of the files left out, each with
 * its sentence. Each choice reads with a signal of its own, under the page's: a newer choice aborts
 * the older read, and leaving the page aborts it too.
 * @module files/picker
 */

import { h, say } from "../dom.js";
import { latest } from "../lifecycle.js";
import { readDrop, readList } from "./sources.js";

/**
 * The drop zone and its two buttons.
 * @param {object} options
 * @param {import("./read.js").Limits} options.limits The catalog's limits.
 * @param {AbortSignal} options.signal The page's.
 * @param {(read: import("./read.js").Read, signal: AbortSignal) => void} options.onRead Each choice's read,
 *   with that choice's signal (aborted by a newer choice or by leaving the page).
 * @param {string} [options.label] What to drop, as the zone says it.
 * @param {boolean} [options.loose] Whether photos on their own are welcome (Batch: yes; Your classes wants class folders).
 * @returns {HTMLElement}
 */
export function picker({ limits, signal, onRead, label = "Drop photos, folders or zips here", loose = true }) {
  const next = latest(signal);
  const status = h("p", { class: "message", role: "status", "aria-live": "polite", hidden: true });
  const accept = loose ? [...limits.image_suffixes, ".zip"].join(",") : ".zip";

  /** @param {(choice: AbortSignal) => Promise<import("./read.js").Read>} reading */
  const choose = async (reading) => {
    const choice = next();
    say(status, "Reading the files…");
    try {
      const read = await reading(choice);
      if (choice.aborted) return;
      say(status, "");
      onRead(read, choice);
    } catch (error) {
      if (choice.aborted) return; // a newer choice, or the page left: it says nothing
      say(status, error instanceof Error ? error.message : String(error), "error");
    }
  };
  const progress = (/** @type {number} */ done, /** @type {number} */ total) => {
    if (total > 1) status.textContent = `Reading the files… ${done} of ${total}`;
  };
  const fromInput = (/** @type {Event} */ event) => {
    const input = /** @type {HTMLInputElement} */ (event.target);
    const files = [...(input.files ?? [])];
    input.value = ""; // the same files chosen again are a new choice
    if (files.length) choose((choice) => readList(files, limits, { signal: choice, progress }));
  };

  const folderInput = h("input", { type: "file", class: "visually-hidden", webkitdirectory: true, multiple: true, onchange: fromInput });
  const filesInput = h("input", { type: "file", class: "visually-hidden", multiple: true, accept, onchange: fromInput });
  const zone = h("section", { class: "drop-zone", "aria-label": label },
    h("p", { class: "drop-hint", text: label }),
    h("div", { class: "inputs" },
      h("label", { class: "button" }, "Choose folder", folderInput),
      h("label", { class: "button" }, loose ? "Choose files" : "Choose a zip", filesInput)),
    h("p", { class: "caption", text: `Up to ${limits.max_images} images, ${limits.max_upload_mb} MB per file, `
      + `${Math.floor(limits.max_unpacked / 1e9)} GB unpacked from zips.` }),
    status);
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    const transfer = event.dataTransfer;
    if (!transfer) return;
    // readDrop takes the items before its first await (choose calls it at once): the transfer is
    // emptied once this listener returns.
    choose((choice) => readDrop(transfer, limits, { signal: choice, progress }));
  });
  return zone;
}

/**
 * The files left out, each with why: a ``<details>`` (closed unless nothing was usable), or nothing.
 * @param {{name: string, why: string}[]} skipped
 * @param {{open?: boolean}} [options]
 * @returns {HTMLDetailsElement | null}
 */
export function skippedList(skipped, { open = false } = {}) {
  if (!skipped.length) return null;
  const n = skipped.length;
  return h("details", { class: "skipped", open },
    h("summary", { text: `${n} file${n === 1 ? "" : "s"} left out` }),
    h("ul", {}, ...skipped.map(({ name, why }) => h("li", { "data-file": name }, h("code", { text: name }), " ", why))));
}
