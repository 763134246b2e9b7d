// @ts-check
/**
 * The photo's worker: a chosen file decoded (``readPhoto``) and cropped as each variant sees it
 * (``preprocess.js``) off the page's thread, in a worker of its own so that a decode never waits for
 * a model's run. The decoded pixels stay here (the page gets their size and note, and a handle); each
 * crop and input tensor goes to the page with its buffer transferred. A read given up stops its
 * decode (``readPhoto``'s signal) and keeps nothing.
 *
 * Page → worker (``photos.js``, with ``protocol.js``'s ``Jobs``): ``{type: "read", job, file, name, limits}``,
 * ``{type: "crop", job, photo, pre}``, ``{type: "drop", photo}``, ``{type: "cancel", job}``.
 * Worker → page: ``{type: "done", job, result}``, ``{type: "error", job, message, kind: "error"}``.
 * @module photo-worker
 */

import { centreCrop, normalize } from "./preprocess.js";
import { readPhoto } from "./photo.js";

const scope = /** @type {{postMessage: (message: any, transfer?: Transferable[]) => void, onmessage: any}} */ (/** @type {unknown} */ (globalThis));

/** @type {Map<number, import("./photo.js").Pixels>} the photos read, by the job that read them */
const photos = new Map();
/** @type {Map<number, AbortController>} the reads under way */
const reads = new Map();

scope.onmessage = async (/** @type {MessageEvent} */ { data }) => {
  if (data.type === "drop") { photos.delete(data.photo); return; }
  if (data.type === "cancel") { // a read under way stops; one already done (the page had given it up) is dropped
    reads.get(data.job)?.abort();
    photos.delete(data.job);
    return;
  }
  const job = data.job;
  const controller = new AbortController();
  try {
    if (data.type === "read") {
      reads.set(job, controller);
      try {
        const pixels = await readPhoto(data.file, data.name, data.limits, controller.signal);
        if (controller.signal.aborted) return;
        photos.set(job, pixels);
        scope.postMessage({ type: "done", job, result: { photo: job, width: pixels.width, height: pixels.height, note: pixels.note } });
      } finally {
        reads.delete(job);
      }
    } else if (data.type === "crop") {
      const pixels = photos.get(data.photo);
      if (!pixels) throw new Error("The photo was replaced before it was cropped; choose it again.");
      const pre = data.pre;
      const crop = centreCrop(pixels.rgb, pixels.width, pixels.height, pre);
      const input = normalize(crop, pre.image_size, pre.mean, pre.std);
      scope.postMessage({ type: "done", job, result: { crop, input } }, [crop.buffer, input.buffer]);
    }
  } catch (error) {
    if (controller.signal.aborted) return; // given up: the page has stopped listening
    scope.postMessage({ type: "error", job, message: error instanceof Error ? error.message : String(error), kind: "error" });
  }
};
