// @ts-check
/**
 * The transfer study's own worker, so that the page never waits for it: the photos' SHA-256 (the
 * feature cache's keys) and their headers checked as the library's ``probe`` checks them before any
 * model loads (``photo.js``'s ``check``: a file that is not an image is left out before the classes
 * are counted), small thumbnails of the photos a page shows (a 2 MP photo in an ``<img>`` costs the
 * page's thread its decode), the comparison of the backbones (``study.js``: seconds of fits for a hundred
 * photos) and the probe refitted on every photo as a head file (``head.js``). One job at a time; the
 * page gives a job up by ending this worker (a fit does not stop to listen), and starts another.
 *
 * Page → worker (``studies.js``, with ``protocol.js``'s ``Jobs``): ``{type: "files", job, blobs, names, limits}``,
 * ``{type: "compare", job, backbones, labels, classes, options}``,
 * ``{type: "head", job, features, dims, labels, names, variant}``, ``{type: "thumbs", job, blobs, width}``.
 * Worker → page: ``{type: "progress", job, done, total, stage}``, ``{type: "done", job, result}`` (a
 * comparison's near-duplicates cut to the ``SHOWN`` first, ``duplicateCount`` saying how many there are),
 * ``{type: "error", job, message, kind: "error"}``.
 * @module transfer/study-worker
 */

import { Sha256 } from "../sha256.js";
import { check, inspect } from "../photo.js";
import { compareBackbones } from "./study.js";
import { fitProbe } from "./probe.js";
import { headFromProbe, writeHead } from "./head.js";

/** Near-duplicate pairs a page shows (the Python page's 50); their count comes with them. */
export const SHOWN = 50;

const scope = /** @type {{postMessage: (message: any, transfer?: Transferable[]) => void, onmessage: any}} */ (/** @type {unknown} */ (globalThis));

/**
 * Each file's SHA-256, and why it cannot be used if its header says so (the library's ``probe``).
 * @param {Blob[]} blobs
 * @param {string[]} names What sentences call them.
 * @param {{max_pixels: number, max_aspect: number}} limits
 * @param {(done: number, total: number) => void} progress
 * @returns {Promise<{digest: string, refused: string | null}[]>}
 */
async function files(blobs, names, limits, progress) {
  const out = [];
  for (const [i, blob] of blobs.entries()) {
    const bytes = new Uint8Array(await blob.arrayBuffer()); // at most the reader's limit per file
    let refused = null;
    try {
      check(inspect(bytes), names[i], limits);
    } catch (error) {
      refused = error instanceof Error ? error.message : String(error);
    }
    out.push({ digest: new Sha256().update(bytes).hex(), refused });
    progress(out.length, blobs.length);
  }
  return out;
}

/**
 * Small JPEG copies of photos, for thumbnails; ``null`` where the browser cannot decode one.
 * @param {Blob[]} blobs
 * @param {number} width In pixels (the height keeps the photo's proportions).
 * @returns {Promise<(Blob | null)[]>}
 */
async function thumbs(blobs, width) {
  const out = [];
  for (const blob of blobs) {
    try {
      const bitmap = await createImageBitmap(blob, { resizeWidth: width, resizeQuality: "medium" });
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext("2d")).drawImage(bitmap, 0, 0);
      bitmap.close();
      out.push(await canvas.convertToBlob({ type: "image/jpeg", quality: 0.85 }));
    } catch {
      out.push(null);
    }
  }
  return out;
}

/** @type {Promise<unknown>} one job at a time */
let tail = Promise.resolve();

scope.onmessage = (/** @type {MessageEvent} */ { data }) => {
  const job = data.job;
  const say = (/** @type {number} */ done, /** @type {number} */ total, /** @type {string} */ stage = "") =>
    scope.postMessage({ type: "progress", job, done, total, stage });
  tail = tail.then(async () => {
    try {
      if (data.type === "files") {
        scope.postMessage({ type: "done", job, result: await files(data.blobs, data.names, data.limits, say) });
      } else if (data.type === "compare") {
        const result = compareBackbones(data.backbones, data.labels, data.classes, {
          ...data.options, progress: (stage, fraction) => say(fraction, 1, stage),
        });
        for (const s of /** @type {any[]} */ (result.scores)) { // thousands of pairs would cost the page's thread to receive
          s.duplicateCount = s.duplicates.length;
          s.duplicates = s.duplicates.slice(0, SHOWN);
        }
        scope.postMessage({ type: "done", job, result });
      } else if (data.type === "thumbs") {
        scope.postMessage({ type: "done", job, result: await thumbs(data.blobs, data.width) });
      } else if (data.type === "head") {
        const rows = Array.from(data.labels, (_, i) => i);
        const probe = fitProbe(data.features, data.dims, data.labels, rows);
        const head = headFromProbe(probe, data.names, data.variant);
        const bytes = writeHead(head);
        scope.postMessage({ type: "done", job, result: { head, bytes } }, [bytes.buffer]);
      }
    } catch (error) {
      scope.postMessage({ type: "error", job, message: error instanceof Error ? error.message : String(error), kind: "error" });
    }
  });
};
